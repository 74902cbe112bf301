#pragma once
// Keep-alive connections kept per origin between requests, so a burst of deliveries to one server reuses a few
// connections instead of paying a TCP and TLS handshake each time.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <variant>
#include <vector>

#include "activitypub/transport/tls_handshake_gate.hpp"

namespace fedblog::transport {

// One connection to a server, plain or TLS, created on a strand of its own: every operation on it, and its
// destruction, runs there, whichever coroutine borrows it.
struct Connection {
    using Plain = boost::beast::tcp_stream;
    using Tls = boost::asio::ssl::stream<boost::beast::tcp_stream>;

    explicit Connection(const boost::asio::any_io_executor& strand) : stream(std::in_place_type<Plain>, strand) {}
    Connection(const boost::asio::any_io_executor& strand, boost::asio::ssl::context& tls)
        : stream(std::in_place_type<Tls>, strand, tls) {}

    boost::beast::tcp_stream& tcp() {
        return std::visit([](auto& s) -> boost::beast::tcp_stream& { return boost::beast::get_lowest_layer(s); },
                          stream);
    }
    boost::asio::any_io_executor executor() { return tcp().get_executor(); }

    std::variant<Plain, Tls> stream;
    boost::beast::flat_buffer buffer;
    // Set while this connection's full handshake leads others to its origin (see tls_handshake_gate.hpp);
    // released once its first response is read.
    TlsHandshakeGate::Lead lead;
};

// Closes a connection on its own strand.
void discard(std::unique_ptr<Connection> connection);

class ConnectionPool {
public:
    ConnectionPool(std::size_t max_idle_per_origin, std::chrono::steady_clock::duration idle_timeout)
        : max_idle_per_origin_(max_idle_per_origin), idle_timeout_(idle_timeout) {}
    // Hands each idle connection to its strand to be closed there, as everywhere else (see Connection): a timer
    // handler of its may still be running on an I/O thread.
    ~ConnectionPool();
    ConnectionPool(const ConnectionPool&) = delete;
    ConnectionPool& operator=(const ConnectionPool&) = delete;

    // The most recently used idle connection to origin, or null.
    std::unique_ptr<Connection> take(const std::string& origin);
    // Keeps a connection whose last response was complete and keep-alive, unless origin already has enough.
    void put(const std::string& origin, std::unique_ptr<Connection> connection);

private:
    using Clock = std::chrono::steady_clock;
    struct Idle {
        std::unique_ptr<Connection> connection;
        Clock::time_point since;
    };
    // Moves connections idle for too long out of the pool (servers close them soon anyway) and forgets empty
    // origins, so fedblog does not hold a socket to every inbox it ever delivered to.
    std::vector<std::unique_ptr<Connection>> remove_expired(Clock::time_point now);
    std::vector<std::unique_ptr<Connection>> sweep_if_due(Clock::time_point now);
    // Moves one origin's expired connections to `expired`.
    void trim(std::vector<Idle>& connections, Clock::time_point now,
              std::vector<std::unique_ptr<Connection>>& expired) const;
    static constexpr Clock::duration sweep_interval = std::chrono::seconds(1);

    const std::size_t max_idle_per_origin_;
    const Clock::duration idle_timeout_;
    std::mutex mutex_;
    std::map<std::string, std::vector<Idle>> idle_;  // per origin, oldest first
    Clock::time_point last_sweep_{};
};

}  // namespace fedblog::transport
