#pragma once
// A small HTTP/1.1 server on a loopback port for client tests, TLS or plain, answering from a handler on its own
// thread. It counts the connections it accepted and the TLS handshakes (resumed ones apart), and keeps the requests
// and TLS server names (SNI) it received.
// Replies can misbehave on purpose: never answer, close a keep-alive connection, send raw bytes.
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <exception>
#include <algorithm>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tests/support/test_ca.hpp"

namespace fedblog::testing {

struct TestReply {
    unsigned status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    bool chunked = false;
    bool keep_alive = true;     // what the reply announces (when the request allows it)
    bool close_after = false;   // close after this reply anyway: a stale keep-alive connection for the client
    bool never_answer = false;  // read the request, then hold the connection without a word
    std::string raw;            // when set, written instead of a well-formed reply, then the connection closed
    std::chrono::milliseconds delay{0};  // a slow server: wait this long (without blocking others) before answering
};

using TestRequest = boost::beast::http::request<boost::beast::http::string_body>;

class TestServer {
public:
    using Handler = std::function<TestReply(const TestRequest&)>;
    // Adjusts the server's TLS context (versions, session tickets, ...).
    using TlsSetup = std::function<void(SSL_CTX*)>;

    // TLS when given an identity, plain HTTP otherwise. Without a handler the server accepts connections and
    // never reads or writes on them, not even a TLS handshake. OpenSSL's defaults issue session tickets.
    TestServer(std::optional<IssuedCertificate> identity, Handler handler, const TlsSetup& setup = {})
        : handler_(std::move(handler)), acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
        if (identity) {
            tls_.emplace(boost::asio::ssl::context::tls_server);
            use_identity(*identity);
            if (setup) setup(tls_->native_handle());
        }
        port_ = acceptor_.local_endpoint().port();
        boost::asio::co_spawn(io_, accept_loop(), rethrow);
        thread_ = std::thread([this] { io_.run(); });
    }

    ~TestServer() {
        io_.stop();
        thread_.join();
    }

    TestServer(const TestServer&) = delete;
    TestServer& operator=(const TestServer&) = delete;

    unsigned short port() const { return port_; }
    std::size_t accepted() const { return accepted_; }
    std::size_t tls_handshakes() const { return tls_handshakes_; }  // completed, resumed ones included
    std::size_t tls_resumed() const { return tls_resumed_; }
    // The next n connections accepted get no TLS handshake, nor anything else: a server stuck mid-handshake.
    void stall_next_handshakes(std::size_t n) { stalled_ += n; }

    // Another certificate from now on, and the TLS context adjusted again: the same port served by a changed (or
    // another) server. Done on the server's thread, between handshakes.
    void replace_tls(const IssuedCertificate& identity, const TlsSetup& setup = {}) {
        std::promise<void> done;
        boost::asio::post(io_, [&] {
            use_identity(identity);
            if (setup) setup(tls_->native_handle());
            done.set_value();
        });
        done.get_future().get();
    }
    // The most requests this server has been answering at once (read, reply not yet written), overall and
    // for one Host header (without the port).
    std::size_t max_concurrent() const { return max_concurrent_; }
    std::size_t max_concurrent(const std::string& host) const {
        std::lock_guard lock(mutex_);
        auto found = per_host_.find(host);
        return found == per_host_.end() ? 0 : found->second.second;
    }
    std::vector<TestRequest> requests() const {
        std::lock_guard lock(mutex_);
        return requests_;
    }
    std::vector<std::string> server_names() const {
        std::lock_guard lock(mutex_);
        return server_names_;
    }

private:
    static constexpr auto use_tuple = boost::asio::as_tuple(boost::asio::use_awaitable);

    void use_identity(const IssuedCertificate& identity) {
        tls_->use_certificate_chain(boost::asio::buffer(identity.certificate_pem));
        tls_->use_private_key(boost::asio::buffer(identity.private_key_pem), boost::asio::ssl::context::pem);
    }

    static void rethrow(std::exception_ptr failure) {
        if (failure) std::rethrow_exception(failure);
    }

    static boost::asio::awaitable<void> wait_forever() {
        boost::asio::steady_timer forever(co_await boost::asio::this_coro::executor,
                                          boost::asio::steady_timer::time_point::max());
        co_await forever.async_wait(use_tuple);
    }

    boost::asio::awaitable<void> accept_loop() {
        for (;;) {
            auto [ec, socket] = co_await acceptor_.async_accept(use_tuple);
            if (ec) co_return;
            ++accepted_;
            boost::asio::co_spawn(io_, session(std::move(socket)), rethrow);
        }
    }

    boost::asio::awaitable<void> session(boost::asio::ip::tcp::socket socket) {
        if (!handler_ || (tls_ && take_stalled())) {
            co_await wait_forever();
        } else if (!tls_) {
            co_await serve(socket);
        } else {
            boost::asio::ssl::stream<boost::asio::ip::tcp::socket> stream(std::move(socket), *tls_);
            auto [ec] = co_await stream.async_handshake(boost::asio::ssl::stream_base::server, use_tuple);
            if (ec) co_return;
            ++tls_handshakes_;
            if (SSL_session_reused(stream.native_handle())) ++tls_resumed_;
            if (const char* name = SSL_get_servername(stream.native_handle(), TLSEXT_NAMETYPE_host_name)) {
                std::lock_guard lock(mutex_);
                server_names_.emplace_back(name);
            }
            co_await serve(stream);
        }
    }

    bool take_stalled() {
        for (std::size_t left = stalled_; left > 0;)
            if (stalled_.compare_exchange_weak(left, left - 1)) return true;
        return false;
    }

    template <typename Stream>
    boost::asio::awaitable<void> serve(Stream& stream) {
        namespace http = boost::beast::http;
        boost::beast::flat_buffer buffer;
        for (;;) {
            http::request_parser<http::string_body> parser;
            auto [read_error, read] = co_await http::async_read(stream, buffer, parser, use_tuple);
            if (read_error) co_return;
            TestRequest request = parser.release();
            {
                std::lock_guard lock(mutex_);
                requests_.push_back(request);
            }
            TestReply reply = handler_(request);
            // The io_context runs on one thread: plain counters would do, atomics keep readers honest.
            std::size_t now_answering = ++answering_;
            if (now_answering > max_concurrent_) max_concurrent_ = now_answering;
            std::string host(request[http::field::host]);
            host = host.substr(0, host.find(':'));
            {
                std::lock_guard lock(mutex_);
                auto& [answering, most] = per_host_[host];
                most = std::max(most, ++answering);
            }
            if (reply.delay.count() > 0) {
                boost::asio::steady_timer slow(co_await boost::asio::this_coro::executor, reply.delay);
                co_await slow.async_wait(use_tuple);
            }
            struct Answered {
                TestServer& server;
                std::string host;
                ~Answered() {
                    --server.answering_;
                    std::lock_guard lock(server.mutex_);
                    --server.per_host_[host].first;
                }
            } answered{*this, host};
            if (reply.never_answer) {
                co_await wait_forever();
                co_return;
            }
            if (!reply.raw.empty()) {
                co_await boost::asio::async_write(stream, boost::asio::buffer(reply.raw), use_tuple);
                co_return;
            }
            http::response<http::string_body> response{static_cast<http::status>(reply.status), request.version()};
            for (const auto& [name, value] : reply.headers) response.set(name, value);
            response.body() = std::move(reply.body);
            response.keep_alive(request.keep_alive() && reply.keep_alive);
            if (reply.chunked)
                response.chunked(true);
            else
                response.prepare_payload();
            auto [write_error, written] = co_await http::async_write(stream, response, use_tuple);
            if (write_error || reply.close_after || !response.keep_alive()) co_return;
        }
    }

    Handler handler_;
    std::optional<boost::asio::ssl::context> tls_;  // outlives io_: sessions destroyed with io_ still use it
    // Also outlive io_: a session destroyed with it (one that never answers) counts itself out on the way.
    std::atomic<std::size_t> answering_{0};
    std::atomic<std::size_t> max_concurrent_{0};
    mutable std::mutex mutex_;
    std::map<std::string, std::pair<std::size_t, std::size_t>> per_host_;  // answering now, most at once
    boost::asio::io_context io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    unsigned short port_ = 0;
    std::atomic<std::size_t> accepted_{0};
    std::atomic<std::size_t> tls_handshakes_{0};
    std::atomic<std::size_t> tls_resumed_{0};
    std::atomic<std::size_t> stalled_{0};
    std::vector<TestRequest> requests_;
    std::vector<std::string> server_names_;
    std::thread thread_;
};

}  // namespace fedblog::testing
