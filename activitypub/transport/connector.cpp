#include "activitypub/transport/connector.hpp"

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <optional>

#include "activitypub/transport/tls_context.hpp"

namespace fedblog::transport {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// How long a connection waits for the session of another's full handshake to its origin. That session comes a
// round trip or two after the leader's ClientHello (TLS 1.3 tickets just before its first response): well under a
// second on most paths. Waiting longer would cost more latency than the full handshake it saves costs CPU
// (~0.25 ms), and this is also what one wave of connections to a server issuing no sessions pays, once.
constexpr auto max_session_wait = std::chrono::seconds(1);

std::string addresses_text(const std::vector<tcp::endpoint>& endpoints) {
    std::string text;
    for (const auto& endpoint : endpoints) text += (text.empty() ? "" : ", ") + endpoint.address().to_string();
    return text;
}

// Both checked by OpenSSL during the handshake, so a failure carries its reason in the verify result.
bool expect_peer_identity(Connection::Tls& stream, const RemoteUrl& url) {
    SSL* ssl = stream.native_handle();
    if (url.literal_address) return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), url.host.c_str()) == 1;
    // SNI only for names: RFC 6066 forbids IP literals there.
    SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    return SSL_set_tlsext_host_name(ssl, url.host.c_str()) == 1 && SSL_set1_host(ssl, url.host.c_str()) == 1;
}

}  // namespace

Connector::Connector(AddressPolicy policy, StaticHosts static_hosts, std::string_view extra_ca_pem)
    : policy_(std::move(policy)),
      resolver_(std::move(static_hosts)),
      tls_(make_client_tls_context(extra_ca_pem)),
      sessions_(TlsSessionCache::create({}, [gate = std::weak_ptr(gate_)](const std::string& origin, bool single_use) {
          if (auto alive = gate.lock()) alive->session_kept(origin, single_use);
      })) {}

asio::awaitable<std::optional<Error>> Connector::handshake(Connection& connection, const RemoteUrl& url,
                                                           const Budget& budget,
                                                           std::chrono::steady_clock::time_point connect_deadline) {
    auto& stream = std::get<Connection::Tls>(connection.stream);
    if (!expect_peer_identity(stream, url)) co_return Error{ErrorKind::tls, "cannot set the expected peer " + url.host};
    // Keyed by the origin, whose host is the name just set for the certificate check: a resumed handshake
    // sends no certificate, so only a session verified for this very name and port may be offered.
    auto origin = url.origin();
    if (!sessions_->offer(stream.native_handle(), origin)) {
        // The TCP connection is up already, so a waiter loses no time to it once the session comes.
        auto until = std::min(connect_deadline, std::chrono::steady_clock::now() + max_session_wait);
        connection.lead = co_await gate_->before_full_handshake(origin, until);
        if (!connection.lead) sessions_->offer(stream.native_handle(), origin);  // what the wait brought, if any
    }
    beast::get_lowest_layer(stream).expires_at(budget.within(budget.limits.tls_handshake_timeout));
    auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::client, use_tuple);
    if (!ec) co_return std::nullopt;
    if (ec == beast::error::timeout)
        co_return Error{ErrorKind::timeout, "TLS handshake with " + url.host + " timed out"};
    std::string detail = "TLS handshake with " + url.host + " failed: " + ec.message();
    if (long verify = SSL_get_verify_result(stream.native_handle()); verify != X509_V_OK)
        detail += std::string(" (") + X509_verify_cert_error_string(verify) + ")";
    co_return Error{ErrorKind::tls, std::move(detail)};
}

asio::awaitable<Expected<std::vector<tcp::endpoint>>> Connector::permitted_endpoints(const RemoteUrl& url,
                                                                                     const Budget& budget) const {
    std::vector<tcp::endpoint> resolved;
    if (url.literal_address) {
        resolved.emplace_back(*url.literal_address, url.port);
    } else {
        auto found = co_await resolver_.resolve(url.host, url.port, budget.within(budget.limits.connect_timeout));
        if (!found) co_return found.error();
        resolved = std::move(*found);
    }
    std::vector<tcp::endpoint> permitted;
    std::string refused;
    for (const auto& endpoint : resolved) {
        if (policy_.permits(endpoint.address()))
            permitted.push_back(endpoint);
        else
            refused += (refused.empty() ? "" : ", ") + endpoint.address().to_string();
    }
    if (permitted.empty())
        co_return Error{ErrorKind::refused_address, url.host + " has only non-public addresses: " + refused};
    co_return permitted;
}

asio::awaitable<Expected<std::unique_ptr<Connection>>> Connector::open(const RemoteUrl& url, const Budget& budget) {
    auto endpoints = co_await permitted_endpoints(url, budget);
    if (!endpoints) co_return endpoints.error();

    auto strand = co_await asio::this_coro::executor;
    auto connection = url.tls ? std::make_unique<Connection>(strand, tls_) : std::make_unique<Connection>(strand);
    auto& tcp_stream = connection->tcp();
    auto connect_deadline = budget.within(budget.limits.connect_timeout);
    tcp_stream.expires_at(connect_deadline);
    auto [ec, endpoint] = co_await tcp_stream.async_connect(*endpoints, use_tuple);
    (void)endpoint;
    if (ec == beast::error::timeout) co_return Error{ErrorKind::timeout, "connecting to " + url.host + " timed out"};
    if (ec)
        co_return Error{ErrorKind::connect,
                        "cannot connect to " + url.host + " (" + addresses_text(*endpoints) + "): " + ec.message()};
    // A request goes out as several writes (headers, body; TLS records): with Nagle's algorithm the last one
    // waits for the peer's delayed ACK, 40 ms per request on a kept-alive connection.
    beast::error_code ignored;
    tcp_stream.socket().set_option(asio::ip::tcp::no_delay(true), ignored);

    if (url.tls)
        if (auto failed = co_await handshake(*connection, url, budget, connect_deadline)) co_return std::move(*failed);
    co_return std::move(connection);
}

}  // namespace fedblog::transport
