#pragma once
// A tiny reverse proxy on a loopback port, plain HTTP, for testing what a misconfigured proxy does to fedblog:
// each request is forwarded to the upstream port (a connection per request, a thread per client connection, so
// fedblog can fetch through the proxy while the proxy waits on it), with rules that rewrite the request or the
// response on the way, or a cache that ignores Accept.
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace fedblog::testing {

class RewritingProxy {
public:
    using Request = boost::beast::http::request<boost::beast::http::string_body>;
    using Response = boost::beast::http::response<boost::beast::http::string_body>;
    struct Rules {
        std::function<void(Request&)> request;    // before forwarding
        std::function<void(Response&)> response;  // before answering
        bool cache_ignoring_accept = false;       // GETs answered from a cache keyed by the target alone
    };

    RewritingProxy(unsigned short upstream_port, Rules rules)
        : upstream_port_(upstream_port), rules_(std::move(rules)), acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
        port_ = acceptor_.local_endpoint().port();
        accept_thread_ = std::thread([this] { accept_loop(); });
    }

    ~RewritingProxy() {
        stopping_ = true;
        {
            // Wakes the blocking accept.
            boost::asio::io_context io;
            boost::asio::ip::tcp::socket wake(io);
            boost::system::error_code ignored;
            wake.connect({boost::asio::ip::make_address("127.0.0.1"), port_}, ignored);
        }
        accept_thread_.join();
        {
            std::lock_guard lock(mutex_);
            for (auto& socket : sockets_) {
                boost::system::error_code ignored;
                socket->shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
            }
        }
        for (auto& thread : threads_) thread.join();
    }

    RewritingProxy(const RewritingProxy&) = delete;
    RewritingProxy& operator=(const RewritingProxy&) = delete;

    unsigned short port() const { return port_; }

private:
    void accept_loop() {
        while (!stopping_) {
            auto socket = std::make_shared<boost::asio::ip::tcp::socket>(io_);
            boost::system::error_code ec;
            acceptor_.accept(*socket, ec);
            if (ec || stopping_) return;
            std::lock_guard lock(mutex_);
            sockets_.push_back(socket);
            threads_.emplace_back([this, socket] { serve(*socket); });
        }
    }

    void serve(boost::asio::ip::tcp::socket& client) {
        namespace http = boost::beast::http;
        boost::beast::flat_buffer buffer;
        for (;;) {
            Request request;
            boost::system::error_code ec;
            http::read(client, buffer, request, ec);
            if (ec) return;
            const bool keep_alive = request.keep_alive();
            Response response = answer(request);
            response.keep_alive(keep_alive);
            response.prepare_payload();
            http::write(client, response, ec);
            if (ec || !keep_alive) return;
        }
    }

    Response answer(Request request) {
        const std::string target(request.target());
        const bool cacheable = rules_.cache_ignoring_accept && request.method() == boost::beast::http::verb::get;
        if (cacheable) {
            std::lock_guard lock(mutex_);
            if (auto hit = cache_.find(target); hit != cache_.end()) return hit->second;
        }
        if (rules_.request) rules_.request(request);
        Response response = forward(request);
        if (rules_.response) rules_.response(response);
        if (cacheable && response.result_int() == 200) {
            std::lock_guard lock(mutex_);
            cache_.emplace(target, response);
        }
        return response;
    }

    Response forward(Request& request) {
        namespace http = boost::beast::http;
        try {
            boost::asio::io_context io;
            boost::asio::ip::tcp::socket upstream(io);
            upstream.connect({boost::asio::ip::make_address("127.0.0.1"), upstream_port_});
            request.keep_alive(false);
            request.prepare_payload();
            http::write(upstream, request);
            boost::beast::flat_buffer buffer;
            http::response_parser<http::string_body> parser;
            parser.body_limit(64 * 1024 * 1024);
            http::read(upstream, buffer, parser);
            return parser.release();
        } catch (const std::exception& e) {
            Response bad{http::status::bad_gateway, 11};
            bad.set(http::field::content_type, "text/plain");
            bad.body() = std::string("upstream: ") + e.what();
            return bad;
        }
    }

    unsigned short upstream_port_;
    Rules rules_;
    boost::asio::io_context io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    unsigned short port_ = 0;
    std::atomic<bool> stopping_{false};
    std::thread accept_thread_;
    std::mutex mutex_;
    std::list<std::shared_ptr<boost::asio::ip::tcp::socket>> sockets_;
    std::list<std::thread> threads_;
    std::map<std::string, Response> cache_;
};

}  // namespace fedblog::testing
