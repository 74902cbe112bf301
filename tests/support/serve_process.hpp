#pragma once
// The fedblog binary as an operator runs it: `fedblog serve` in a child process on a loopback port, its
// stderr (the log) kept in a file, stopped with SIGTERM at the end; and one-shot commands with their output.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/http_client.hpp"

namespace fedblog::testing {

inline const std::string fedblog_binary = std::string(FEDBLOG_BINARY_DIR) + "/fedblog";

struct CommandOutput {
    int status;
    std::string output;  // stdout and stderr
};

// Runs `fedblog <arguments>` through the shell (arguments are quoted by the caller where needed).
inline CommandOutput run_fedblog_command(const std::string& arguments) {
    std::string command = fedblog_binary + " " + arguments + " 2>&1";
    FILE* pipe = popen(command.c_str(), "r");
    std::string output;
    std::array<char, 4096> buffer;
    while (std::size_t n = fread(buffer.data(), 1, buffer.size(), pipe)) output.append(buffer.data(), n);
    int status = pclose(pipe);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

inline unsigned short free_loopback_port() {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    return acceptor.local_endpoint().port();
}

class ServeProcess {
public:
    // `arguments` follow `fedblog serve`; --listen is added. Waits until /healthz answers.
    ServeProcess(unsigned short port, std::vector<std::string> arguments, std::filesystem::path log_file)
        : port_(port), log_file_(std::move(log_file)) {
        arguments.insert(arguments.begin(), {fedblog_binary, "serve", "--listen", "127.0.0.1:" + std::to_string(port)});
        pid_ = fork();
        if (pid_ == 0) {
            FILE* log = std::fopen(log_file_.c_str(), "w");
            if (log) dup2(fileno(log), STDERR_FILENO);
            std::vector<char*> argv;
            for (auto& argument : arguments) argv.push_back(argument.data());
            argv.push_back(nullptr);
            execv(argv[0], argv.data());
            _exit(127);
        }
        for (int i = 0; i < 150 && !up_; ++i) {
            try {
                HttpClient probe(port_);
                up_ = probe.get("/healthz").result() == boost::beast::http::status::ok;
            } catch (const std::exception&) {
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
            }
        }
    }
    ~ServeProcess() { stop(); }
    ServeProcess(const ServeProcess&) = delete;
    ServeProcess& operator=(const ServeProcess&) = delete;

    bool up() const { return up_; }
    pid_t pid() const { return pid_; }
    unsigned short port() const { return port_; }
    HttpClient client() const { return HttpClient(port_); }

    // SIGTERM and wait; returns the exit status (-1 when it did not exit normally).
    int stop() {
        if (pid_ <= 0) return exit_status_;
        kill(pid_, SIGTERM);
        int status = 0;
        waitpid(pid_, &status, 0);
        pid_ = -1;
        exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        return exit_status_;
    }

    std::string log() const {
        std::ifstream in(log_file_);
        std::stringstream text;
        text << in.rdbuf();
        return text.str();
    }

    // Waits until the log holds `needle` (the log is flushed within a fraction of a second).
    bool wait_for_log(const std::string& needle, std::chrono::milliseconds timeout = std::chrono::seconds(10)) const {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            if (log().find(needle) != std::string::npos) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return false;
    }

private:
    unsigned short port_;
    std::filesystem::path log_file_;
    pid_t pid_ = -1;
    bool up_ = false;
    int exit_status_ = -1;
};

}  // namespace fedblog::testing
