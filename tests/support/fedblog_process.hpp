#pragma once
// The fedblog binary in a child process that a test may SIGKILL at any moment (crash tests): its output
// appended to a log file, killed and reaped when the object goes, and killed with the test process too
// (PR_SET_PDEATHSIG), so a failing assertion never leaves a server behind. The caller's FEDBLOG_* variables stay
// out: every setting is on the command line.
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "tests/support/http_client.hpp"
#include "tests/support/serve_process.hpp"  // free_loopback_port

namespace fedblog::testing {

// The end of a file (a log), at most `bytes` of it.
inline std::string tail_of(const std::filesystem::path& file, std::size_t bytes = 4000) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream all;
    all << in.rdbuf();
    std::string text = all.str();
    return text.size() > bytes ? "..." + text.substr(text.size() - bytes) : text;
}

// A wait status in words: "exit 0", "signal 9", "timed out".
inline std::string describe_status(int status) {
    if (status == -1) return "timed out";
    if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return "signal " + std::to_string(WTERMSIG(status));
    return "status " + std::to_string(status);
}

class FedblogProcess {
public:
    FedblogProcess(const std::vector<std::string>& arguments, const std::filesystem::path& log) : log_(log) {
        std::vector<std::string> words{std::string(FEDBLOG_BINARY_DIR) + "/fedblog"};
        words.insert(words.end(), arguments.begin(), arguments.end());
        std::vector<char*> argv;
        for (auto& word : words) argv.push_back(word.data());
        argv.push_back(nullptr);
        std::vector<char*> envp;
        for (char** entry = environ; *entry; ++entry)
            if (!std::string_view(*entry).starts_with("FEDBLOG_")) envp.push_back(*entry);
        envp.push_back(nullptr);
        const std::string log_path = log.string();
        const pid_t parent = getpid();
        pid_ = fork();
        if (pid_ < 0) throw std::runtime_error("fork failed");
        if (pid_ == 0) {
            // Only async-signal-safe calls between fork and exec: the test process has threads.
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (getppid() != parent) _exit(126);
            int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
            if (fd >= 0) {
                ::dup2(fd, STDOUT_FILENO);
                ::dup2(fd, STDERR_FILENO);
                ::close(fd);
            }
            ::execve(argv[0], argv.data(), envp.data());
            _exit(127);
        }
    }
    ~FedblogProcess() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            int ignored = 0;
            ::waitpid(pid_, &ignored, 0);
        }
    }
    FedblogProcess(const FedblogProcess&) = delete;
    FedblogProcess& operator=(const FedblogProcess&) = delete;

    pid_t pid() const { return pid_; }

    // The wait status once the process has ended, or nothing while it runs.
    std::optional<int> poll() {
        if (pid_ <= 0) return status_;
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            status_ = status;
        }
        return status_;
    }
    // Sends `signal` (unless the process has already ended), then waits for the end; returns the wait status.
    int signal_and_wait(int signal, std::chrono::milliseconds timeout) {
        if (poll()) return *status_;
        ::kill(pid_, signal);
        return wait(timeout);
    }
    // Waits for the end; past `timeout` the process is SIGKILLed and -1 returned.
    int wait(std::chrono::milliseconds timeout) {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        while (!poll()) {
            if (std::chrono::steady_clock::now() > deadline) {
                ::kill(pid_, SIGKILL);
                int ignored = 0;
                ::waitpid(pid_, &ignored, 0);
                pid_ = -1;
                status_ = -1;
                return -1;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        return *status_;
    }
    std::string log_tail() const { return tail_of(log_); }

private:
    pid_t pid_ = -1;
    std::optional<int> status_;
    std::filesystem::path log_;
};

// Runs a one-shot command (`publish`...) to its end, at most 30 s; returns its wait status.
inline int run_fedblog_to_end(const std::vector<std::string>& arguments, const std::filesystem::path& log) {
    FedblogProcess command(arguments, log);
    return command.wait(std::chrono::seconds(30));
}

// Waits until the server answers /healthz on `port`; a failure when it exits or takes longer than `timeout`.
inline ::testing::AssertionResult wait_until_serving(FedblogProcess& server, unsigned short port,
                                                     std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (auto status = server.poll())
            return ::testing::AssertionFailure() << "fedblog serve ended (" << describe_status(*status)
                                                 << ") before serving:\n" << server.log_tail();
        try {
            HttpClient probe(port);
            if (probe.get("/healthz").result() == boost::beast::http::status::ok) return ::testing::AssertionSuccess();
        } catch (const std::exception&) {
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return ::testing::AssertionFailure() << "fedblog serve did not answer /healthz in time:\n" << server.log_tail();
}

}  // namespace fedblog::testing
