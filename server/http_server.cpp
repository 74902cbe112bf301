#include "server/http_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <list>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/log.hpp"
#include "common/time.hpp"
#include "common/version.hpp"

namespace fedblog::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace beast_http = boost::beast::http;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

ServerLimits ServerLimits::from(const Settings& settings) {
    return {settings.max_header_bytes, settings.max_body_bytes, settings.read_timeout_seconds,
            settings.max_connections, settings.max_connections_per_client, settings.shutdown_grace_seconds,
            settings.threads, AddressSet::parse(settings.trusted_proxies)};
}

namespace {

// One live connection, shared between its coroutine and the shutdown path.
struct Connection {
    Connection(tcp::socket socket, std::string peer) : stream(std::move(socket)), address(std::move(peer)) {}
    beast::tcp_stream stream;
    std::string address;  // the TCP peer, counted against max_connections_per_client
    bool busy = false;  // touched only on the connection's strand
};

// The Date header, formatted once per second per thread.
const std::string& current_http_date() {
    thread_local std::int64_t cached_second = -1;
    thread_local std::string cached;
    std::int64_t now = now_seconds();
    if (now != cached_second) {
        cached_second = now;
        cached = format_http_date(now);
    }
    return cached;
}

http::Response plain_error(unsigned version, http::Status status, std::string message) {
    http::Response response{status, version};
    response.set(beast_http::field::content_type, "text/plain; charset=utf-8");
    response.body() = std::move(message) + "\n";
    response.keep_alive(false);
    response.prepare_payload();
    return response;
}

// Every X-Forwarded-For field in order, joined as one list (RFC 9110: repeated fields combine with commas).
std::string forwarded_for(const http::Request& request) {
    std::string joined;
    for (auto [it, end] = request.equal_range("X-Forwarded-For"); it != end; ++it)
        joined += (joined.empty() ? "" : ",") + std::string(it->value());
    return joined;
}

// A parse error of Beast's own (bad method, bad field, bad chunk...), not a closed connection.
bool is_malformed_request(const beast::error_code& ec) {
    static const auto& http_category = beast_http::make_error_code(beast_http::error::end_of_stream).category();
    return ec.category() == http_category && ec != beast_http::error::end_of_stream &&
           ec != beast_http::error::partial_message;
}

}  // namespace

struct HttpServer::State : std::enable_shared_from_this<HttpServer::State> {
    State(ServerLimits l, Handler h, ResponseObserver o, RefusalObserver r)
        : limits(std::move(l)),
          handler(std::move(h)),
          observer(std::move(o)),
          refusal_observer(std::move(r)),
          acceptor(io),
          signals(io),
          grace_timer(io) {}

    ServerLimits limits;
    Handler handler;
    ResponseObserver observer;
    RefusalObserver refusal_observer;
    asio::io_context io;
    tcp::acceptor acceptor;
    asio::signal_set signals;
    asio::steady_timer grace_timer;

    std::mutex connections_mutex;
    std::list<std::shared_ptr<Connection>> connections;
    std::unordered_map<std::string, unsigned> open_per_address;  // guarded by connections_mutex
    bool stopping = false;  // guarded by connections_mutex
    // Refusals since the last log line about them: under a flood, one line a second says how many.
    std::uint64_t refused_unlogged = 0;  // guarded by connections_mutex
    std::chrono::steady_clock::time_point refusal_logged_at{};

    bool is_stopping() {
        std::lock_guard lock(connections_mutex);
        return stopping;
    }

    void begin_stop(const char* reason) {
        std::lock_guard lock(connections_mutex);
        if (stopping) return;
        stopping = true;
        log::info("shutdown", {{"reason", reason}, {"open_connections", connections.size()}});
        asio::post(acceptor.get_executor(), [self = shared_from_this()] {
            beast::error_code ignored;
            self->acceptor.close(ignored);
            self->signals.cancel();
        });
        // Idle keep-alive connections are closed now; busy ones after their response.
        for (auto& connection : connections)
            asio::post(connection->stream.get_executor(), [connection] {
                if (!connection->busy) connection->stream.cancel();
            });
        if (connections.empty()) {
            asio::post(io, [self = shared_from_this()] { self->grace_timer.cancel(); });
        } else {
            grace_timer.expires_after(std::chrono::seconds(limits.shutdown_grace_seconds));
            grace_timer.async_wait([self = shared_from_this()](beast::error_code ec) {
                if (ec) return;  // every connection finished in time
                log::warn("shutdown grace period over, closing remaining connections");
                self->io.stop();
            });
        }
    }

    void forget(const std::shared_ptr<Connection>& connection) {
        std::lock_guard lock(connections_mutex);
        connections.remove(connection);
        if (auto open = open_per_address.find(connection->address); open != open_per_address.end() && --open->second == 0)
            open_per_address.erase(open);
        if (stopping && connections.empty()) asio::post(io, [self = shared_from_this()] { self->grace_timer.cancel(); });
    }

    asio::awaitable<void> write(Connection& connection, http::Response& response) {
        response.set(beast_http::field::date, current_http_date());
        response.set(beast_http::field::server, std::string(software_name) + "/" + version);
        auto [ec, written] = co_await beast_http::async_write(connection.stream, response, use_tuple);
        (void)written;
        if (ec) log::debug("write failed", {{"error", ec.message()}});
    }

    asio::awaitable<void> serve(std::shared_ptr<Connection> connection, Peer peer) {
        beast::flat_buffer buffer;
        // The read deadline cancels the read instead of closing the socket (what tcp_stream's own expiry
        // does), so a client that sent part of a request can still be told 408.
        asio::steady_timer read_deadline(connection->stream.get_executor());
        bool read_timed_out = false;
        while (!is_stopping()) {
            beast_http::request_parser<beast_http::string_body> parser;
            parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
            parser.body_limit(limits.max_body_bytes);
            // One deadline for the whole request: a client dribbling bytes cannot hold the connection.
            read_timed_out = false;
            read_deadline.expires_after(std::chrono::seconds(limits.read_timeout_seconds));
            read_deadline.async_wait([&read_timed_out, connection](beast::error_code ec) {
                if (ec) return;
                read_timed_out = true;
                connection->stream.cancel();
            });
            connection->stream.expires_never();
            auto [ec, bytes] = co_await beast_http::async_read(connection->stream, buffer, parser, use_tuple);
            (void)bytes;
            read_deadline.cancel();
            if (read_timed_out) ec = beast::error::timeout;
            if (ec) {
                co_await reject(*connection, parser, ec, peer);
                break;
            }
            auto started = std::chrono::steady_clock::now();
            http::Request request = parser.release();
            connection->busy = true;
            Peer request_peer{peer.address, client_address(peer.address, forwarded_for(request), limits.trusted_proxies)};
            http::Response response = co_await respond(request, request_peer);
            if (is_stopping()) response.keep_alive(false);
            connection->stream.expires_after(std::chrono::seconds(limits.read_timeout_seconds));
            if (observer) observer(request, response);  // before the client has it: a scrape that follows sees it
            co_await write(*connection, response);
            connection->busy = false;
            log_access(request, response, request_peer, started);
            if (!response.keep_alive()) break;
        }
        beast::error_code ignored;
        connection->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        connection->stream.close();
    }

    asio::awaitable<http::Response> respond(const http::Request& request, const Peer& peer) {
        std::string failure;
        try {
            Reply reply = handler(request, peer);
            if (auto* ready = std::get_if<http::Response>(&reply)) co_return std::move(*ready);
            co_return co_await std::move(std::get<asio::awaitable<http::Response>>(reply));
        } catch (const std::exception& e) {
            failure = e.what();
        }
        log::error("handler failed", {{"target", std::string(request.target())}, {"error", failure}});
        http::Response response = http::error(request, http::Status::internal_server_error, "internal error");
        response.keep_alive(false);
        co_return response;
    }

    // A request that could not be read: answer when the client deserves to know why, then close.
    asio::awaitable<void> reject(Connection& connection, beast_http::request_parser<beast_http::string_body>& parser,
                                 beast::error_code ec, const Peer& peer) {
        unsigned version = parser.is_header_done() ? parser.get().version() : 11;
        std::optional<http::Response> response;
        if (ec == beast_http::error::header_limit) {
            response = plain_error(version, http::Status::request_header_fields_too_large,
                                   "request header fields too large (limit " +
                                       std::to_string(limits.max_header_bytes) + " bytes)");
        } else if (ec == beast_http::error::body_limit) {
            response = plain_error(version, http::Status::payload_too_large,
                                   "request body too large (limit " + std::to_string(limits.max_body_bytes) + " bytes)");
        } else if (ec == beast::error::timeout && parser.got_some()) {
            response = plain_error(version, http::Status::request_timeout, "request not received in time");
        } else if (is_malformed_request(ec)) {
            response = plain_error(version, http::Status::bad_request, "malformed HTTP request: " + ec.message());
        }
        if (!response) co_return;  // closed, reset, idle timeout, shutdown: nothing to say
        if (observer) observer(http::Request{}, *response);
        log::warn("request rejected", {{"client", peer.address}, {"status", static_cast<unsigned>(response->result())},
                                        {"reason", ec.message()}});
        connection.stream.expires_after(std::chrono::seconds(5));
        co_await write(connection, *response);
    }

    void log_access(const http::Request& request, const http::Response& response, const Peer& peer,
                    std::chrono::steady_clock::time_point started) {
        if (!log::enabled(log::Level::info)) return;
        auto micros =
            std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count();
        auto agent = request.find(beast_http::field::user_agent);
        log::info("request", {{"client", peer.client},
                              {"method", std::string(request.method_string())},
                              {"target", std::string(request.target())},
                              {"status", static_cast<unsigned>(response.result())},
                              {"bytes", response.body().size()},
                              {"ms", std::to_string(micros / 1000) + "." + std::to_string(micros % 1000 / 100)},
                              {"agent", agent == request.end() ? std::string() : std::string(agent->value())}});
    }

    // Counts the connection in, or names the limit it is over. Called under connections_mutex.
    const char* admit(const std::shared_ptr<Connection>& connection) {
        if (connections.size() >= limits.max_connections) return "max_connections";
        // Behind a reverse proxy every client arrives from the proxy: the proxy limits per client instead.
        bool exempt = limits.trusted_proxies.contains(connection->address);
        unsigned& open = open_per_address[connection->address];
        if (!exempt && open >= limits.max_connections_per_client) return "max_connections_per_client";
        ++open;
        connections.push_back(connection);
        return nullptr;
    }

    // Closed unread: a slowloris from one address cannot take every connection, nor many addresses every
    // file descriptor.
    void refuse(Connection& connection, const char* limit) {
        beast::error_code ignored;
        connection.stream.socket().close(ignored);
        if (refusal_observer) refusal_observer(limit);
        std::uint64_t suppressed = 0;
        {
            std::lock_guard lock(connections_mutex);
            auto now = std::chrono::steady_clock::now();
            if (now - refusal_logged_at < std::chrono::seconds(1)) {
                ++refused_unlogged;
                return;
            }
            refusal_logged_at = now;
            suppressed = std::exchange(refused_unlogged, 0);
        }
        bool overall = std::string_view(limit) == "max_connections";
        log::warn("connection refused", {{"client", connection.address},
                                         {"reason", overall ? "too many open connections"
                                                            : "too many open connections from this address"},
                                         {"setting", limit},
                                         {"limit", overall ? limits.max_connections : limits.max_connections_per_client},
                                         {"refused_since_last_line", suppressed}});
    }

    asio::awaitable<void> accept_loop() {
        while (true) {
            auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(io), use_tuple);
            if (ec) {
                if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
                log::warn("accept failed", {{"error", ec.message()}});
                continue;  // e.g. EMFILE: keep serving the connections we have
            }
            beast::error_code endpoint_error;
            auto endpoint = socket.remote_endpoint(endpoint_error);
            std::string address = endpoint_error ? std::string("unknown") : endpoint.address().to_string();
            Peer peer{address, address};
            auto connection = std::make_shared<Connection>(std::move(socket), address);
            const char* over_limit = nullptr;
            {
                std::lock_guard lock(connections_mutex);
                if (stopping) co_return;
                over_limit = admit(connection);
            }
            if (over_limit) {
                refuse(*connection, over_limit);
                continue;
            }
            asio::co_spawn(connection->stream.get_executor(), serve(connection, std::move(peer)),
                           [self = shared_from_this(), connection](std::exception_ptr failure) {
                               if (failure) {
                                   try {
                                       std::rethrow_exception(failure);
                                   } catch (const std::exception& e) {
                                       log::error("connection failed", {{"error", e.what()}});
                                   }
                               }
                               self->forget(connection);
                           });
        }
    }
};

HttpServer::HttpServer(std::string address, unsigned short port, ServerLimits limits, Handler handler,
                       ResponseObserver observer, RefusalObserver refused)
    : state_(std::make_shared<State>(std::move(limits), std::move(handler), std::move(observer), std::move(refused))) {
    auto endpoint = tcp::endpoint(asio::ip::make_address(address), port);
    state_->acceptor.open(endpoint.protocol());
    state_->acceptor.set_option(asio::socket_base::reuse_address(true));
    state_->acceptor.bind(endpoint);
    state_->acceptor.listen(asio::socket_base::max_listen_connections);
}

HttpServer::~HttpServer() = default;

unsigned short HttpServer::port() const { return state_->acceptor.local_endpoint().port(); }

void HttpServer::run(bool handle_signals) {
    auto state = state_;
    if (handle_signals) {
        state->signals.add(SIGINT);
        state->signals.add(SIGTERM);
        state->signals.async_wait([state](beast::error_code ec, int signal) {
            if (!ec) state->begin_stop(signal == SIGINT ? "SIGINT" : "SIGTERM");
        });
    }
    asio::co_spawn(state->io, state->accept_loop(), [](std::exception_ptr failure) {
        if (failure) std::rethrow_exception(failure);
    });
    unsigned threads = state->limits.threads ? state->limits.threads : std::max(1u, std::thread::hardware_concurrency());
    std::vector<std::thread> pool;
    for (unsigned i = 1; i < threads; ++i) pool.emplace_back([state] { state->io.run(); });
    state->io.run();
    for (auto& thread : pool) thread.join();
}

void HttpServer::stop() { state_->begin_stop("requested"); }

}  // namespace fedblog::server
