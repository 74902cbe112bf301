#pragma once
// Opens connections: resolve, keep only the addresses the policy permits, connect, and for https a verified
// TLS handshake. The guard runs on the very addresses handed to connect, so DNS cannot change its answer
// between the check and the connection. A TLS connection resumes a session of an earlier one to the same origin
// when it can (see tls_session_cache.hpp), waiting briefly for one when another connection's full handshake to the
// origin is under way (see tls_handshake_gate.hpp).
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "activitypub/transport/address_policy.hpp"
#include "activitypub/transport/connection_pool.hpp"
#include "activitypub/transport/error.hpp"
#include "activitypub/transport/host_resolver.hpp"
#include "activitypub/transport/limits.hpp"
#include "activitypub/transport/remote_url.hpp"
#include "activitypub/transport/tls_handshake_gate.hpp"
#include "activitypub/transport/tls_session_cache.hpp"

namespace fedblog::transport {

class Connector {
public:
    Connector(AddressPolicy policy, StaticHosts static_hosts, std::string_view extra_ca_pem);

    // Awaited on the strand the connection will live on (it becomes the connection's executor). A connection
    // returned holding a Lead (Connection::lead) must have it released once its first response is read.
    boost::asio::awaitable<Expected<std::unique_ptr<Connection>>> open(const RemoteUrl& url, const Budget& budget);

private:
    boost::asio::awaitable<Expected<std::vector<boost::asio::ip::tcp::endpoint>>> permitted_endpoints(
        const RemoteUrl& url, const Budget& budget) const;
    // Offers a kept session, else waits for another connection's (see tls_handshake_gate.hpp), then handshakes.
    boost::asio::awaitable<std::optional<Error>> handshake(Connection& connection, const RemoteUrl& url,
                                                           const Budget& budget,
                                                           std::chrono::steady_clock::time_point connect_deadline);

    AddressPolicy policy_;
    HostResolver resolver_;
    boost::asio::ssl::context tls_;
    std::shared_ptr<TlsHandshakeGate> gate_ = TlsHandshakeGate::create();  // before sessions_, which tells it
    std::shared_ptr<TlsSessionCache> sessions_;
};

}  // namespace fedblog::transport
