#pragma once
// Host name → endpoints, with a deadline, and a static hosts table consulted before DNS (like /etc/hosts), so
// tests and local setups can give real names (SNI, certificates) to loopback servers.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "activitypub/transport/error.hpp"

namespace fedblog::transport {

// Lower-case host name → its addresses.
using StaticHosts = std::map<std::string, std::vector<boost::asio::ip::address>, std::less<>>;

class HostResolver {
public:
    explicit HostResolver(StaticHosts static_hosts) : static_hosts_(std::move(static_hosts)) {}

    // dns or timeout on failure. Must be awaited on a strand or a single-threaded executor: the late answer of
    // a lookup that missed its deadline lands on the calling coroutine's executor.
    boost::asio::awaitable<Expected<std::vector<boost::asio::ip::tcp::endpoint>>> resolve(
        const std::string& host, std::uint16_t port, std::chrono::steady_clock::time_point deadline) const;

private:
    StaticHosts static_hosts_;
};

}  // namespace fedblog::transport
