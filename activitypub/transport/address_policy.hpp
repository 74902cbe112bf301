#pragma once
// The SSRF guard: which addresses fedblog may connect to. Remote documents name URLs we fetch, so without it
// anyone could make the server probe its own loopback, LAN or cloud metadata endpoint (169.254.169.254).
// Checked on every resolved address right before connecting, so a name cannot pass and then resolve elsewhere.
#include <boost/asio/ip/address.hpp>
#include <vector>

namespace fedblog::transport {

// False for loopback, private, link-local, CGNAT, multicast, unspecified, broadcast, documentation, benchmarking
// and reserved ranges, in IPv4 and IPv6; IPv6 forms that embed an IPv4 address (mapped, NAT64, 6to4) are
// judged by that IPv4 address.
bool is_public_address(const boost::asio::ip::address& address);

struct AddressPolicy {
    bool allow_private_addresses = false;  // development: servers on this machine or LAN
    // Exact addresses allowed even though they are not public (a relay on the LAN, tests); checked first.
    std::vector<boost::asio::ip::address> always_allowed;

    bool permits(const boost::asio::ip::address& address) const;
};

}  // namespace fedblog::transport
