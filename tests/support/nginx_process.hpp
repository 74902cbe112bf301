#pragma once
// A real nginx for end-to-end tests, run as the current user with everything (config, pid, logs, temp and
// cache folders) under a test folder: `nginx -p <dir> -e <dir>/error.log -c <dir>/nginx.conf` with
// `daemon off`, never the system service. Stopped (SIGQUIT, then SIGKILL) when the object goes.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

namespace fedblog::testing {

class NginxProcess {
public:
    // The nginx binary: $FEDBLOG_NGINX, else /usr/sbin/nginx (Debian's); empty when neither exists.
    static std::string binary() {
        if (const char* given = std::getenv("FEDBLOG_NGINX"); given && *given) return given;
        for (const char* path : {"/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"})
            if (::access(path, X_OK) == 0) return path;
        return {};
    }

    // A port free right now on 127.0.0.1, for nginx to listen on (nginx cannot be told to pick one), and
    // never the same twice in this process. Bind the other servers of a test first: the kernel may hand a
    // port returned here to the next bind to port 0.
    static unsigned short free_port() {
        static std::mutex mutex;
        static std::set<unsigned short> given;
        std::lock_guard lock(mutex);
        for (;;) {
            boost::asio::io_context io;
            boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
            unsigned short port = acceptor.local_endpoint().port();
            if (given.insert(port).second) return port;
        }
    }

    // `http_content` goes inside the http block; nginx is ready (listening on `ready_port`) on return.
    NginxProcess(const std::filesystem::path& dir, const std::string& http_content, unsigned short ready_port)
        : dir_(dir) {
        std::filesystem::create_directories(dir_ / "temp");
        std::ofstream(dir_ / "nginx.conf")
            << "daemon off;\nworker_processes 1;\npid " << (dir_ / "nginx.pid").string() << ";\n"
            << "error_log " << error_log_path().string() << " info;\n"
            // As root the workers would run as nobody, who cannot read the test folder.
            << (::geteuid() == 0 ? "user root;\n" : "") << "events { worker_connections 256; }\nhttp {\n"
            << "access_log " << (dir_ / "access.log").string() << ";\n"
            << "client_body_temp_path " << (dir_ / "temp/body").string() << ";\n"
            << "proxy_temp_path " << (dir_ / "temp/proxy").string() << ";\n"
            << "fastcgi_temp_path " << (dir_ / "temp/fastcgi").string() << ";\n"
            << "uwsgi_temp_path " << (dir_ / "temp/uwsgi").string() << ";\n"
            << "scgi_temp_path " << (dir_ / "temp/scgi").string() << ";\n"
            << http_content << "\n}\n";
        std::string nginx = binary();
        if (nginx.empty()) throw std::runtime_error("nginx is not installed");
        pid_ = ::fork();
        if (pid_ < 0) throw std::runtime_error("fork failed");
        if (pid_ == 0) {
            std::string prefix = dir_.string() + "/", error_log = error_log_path().string(),
                        conf = (dir_ / "nginx.conf").string();
            ::execl(nginx.c_str(), "nginx", "-p", prefix.c_str(), "-e", error_log.c_str(), "-c", conf.c_str(),
                    static_cast<char*>(nullptr));
            ::_exit(127);
        }
        // Ready once nginx wrote its pid file (its config loaded, its ports bound) and accepts connections
        // there: a port merely answering could be someone else's.
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (!std::filesystem::exists(dir_ / "nginx.pid") || !listening(ready_port)) {
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                throw std::runtime_error("nginx exited at start:\n" + error_log());
            }
            if (std::chrono::steady_clock::now() > deadline)
                throw std::runtime_error("nginx did not listen in time:\n" + error_log());
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }

    ~NginxProcess() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGQUIT);  // graceful: workers finish their requests
        for (int i = 0; i < 250; ++i) {
            if (::waitpid(pid_, nullptr, WNOHANG) == pid_) return;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }

    NginxProcess(const NginxProcess&) = delete;
    NginxProcess& operator=(const NginxProcess&) = delete;

    std::string error_log() const {
        std::ifstream in(error_log_path());
        std::stringstream text;
        text << in.rdbuf();
        return text.str();
    }

private:
    std::filesystem::path error_log_path() const { return dir_ / "error.log"; }

    static bool listening(unsigned short port) {
        boost::asio::io_context io;
        boost::asio::ip::tcp::socket socket(io);
        boost::system::error_code ec;
        socket.connect({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
        return !ec;
    }

    std::filesystem::path dir_;
    pid_t pid_ = -1;
};

}  // namespace fedblog::testing
