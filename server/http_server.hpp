#pragma once
// The HTTP listener and its sessions: Beast over Asio C++20 coroutines, one io_context run by one
// thread per core, one strand per connection. Only I/O lives here: every response comes from the
// injected handler.
#include <boost/asio/awaitable.hpp>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "common/settings.hpp"
#include "http/message.hpp"
#include "server/forwarded.hpp"

namespace fedblog::server {

struct Peer {
    std::string address;  // the TCP peer, e.g. "127.0.0.1"
    // The client behind it: the address, unless the peer is a trusted proxy naming another in X-Forwarded-For.
    // What logs and per-client decisions use.
    std::string client;
};

// Most requests are answered at once (GETs of prepared documents); an inbox POST must wait for the network
// (the signer's key) and answers through a coroutine. The request and peer outlive that coroutine.
using Reply = std::variant<http::Response, boost::asio::awaitable<http::Response>>;
using Handler = std::function<Reply(const http::Request&, const Peer&)>;
// Told about every response just before it is written, the server's own refusals (400, 408, 413, 431)
// included; for metrics.
// The request is empty when it could not be read. Called on I/O threads: it must be cheap and thread-safe.
using ResponseObserver = std::function<void(const http::Request&, const http::Response&)>;
// Told about every connection closed at accept, with the limit it was over ("max_connections" or
// "max_connections_per_client"). Called on I/O threads: cheap and thread-safe, as above.
using RefusalObserver = std::function<void(std::string_view limit)>;

struct ServerLimits {
    std::size_t max_header_bytes;
    std::size_t max_body_bytes;
    unsigned read_timeout_seconds;  // the whole request (head and body) must arrive within it
    unsigned max_connections;
    unsigned max_connections_per_client;  // by TCP peer address; trusted_proxies are exempt
    unsigned shutdown_grace_seconds;
    unsigned threads;  // 0 = one per core
    AddressSet trusted_proxies;  // peers whose X-Forwarded-For is believed

    static ServerLimits from(const Settings& settings);
};

class HttpServer {
public:
    HttpServer(std::string address, unsigned short port, ServerLimits limits, Handler handler,
               ResponseObserver observer = {}, RefusalObserver refused = {});
    ~HttpServer();

    // The port actually bound (useful with port 0 in tests).
    unsigned short port() const;

    // Serves until SIGTERM/SIGINT (when handle_signals) or stop(): then stops accepting, lets in-flight
    // requests finish within the grace period, closes idle keep-alive connections, and returns.
    void run(bool handle_signals = true);
    // Thread-safe: begins the same graceful stop as a signal.
    void stop();

private:
    struct State;
    std::shared_ptr<State> state_;
};

}  // namespace fedblog::server
