#pragma once
// Who the client really is behind a reverse proxy. The TCP peer is the proxy; its X-Forwarded-For names the
// client, but any client can send that header too, so it is read only when the peer is a proxy the operator
// trusts, and only as far back as the chain of trusted proxies goes: the right-most address that is not a
// trusted proxy is the client (everything left of it could have been written by the client itself).
#include <boost/asio/ip/address.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fedblog::server {

// A set of addresses and CIDR networks, IPv4 and IPv6 ("127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8").
// An IPv4-mapped IPv6 address ("::ffff:127.0.0.1") matches as the IPv4 address it carries.
class AddressSet {
public:
    // Throws std::invalid_argument naming the first item that is neither an address nor a network.
    static AddressSet parse(const std::vector<std::string>& items);

    bool contains(const boost::asio::ip::address& address) const;
    // False for anything that does not parse as an address.
    bool contains(std::string_view address) const;
    bool empty() const { return v4_.empty() && v6_.empty(); }

private:
    struct V4 {
        std::uint32_t network;
        std::uint32_t mask;
    };
    struct V6 {
        boost::asio::ip::address_v6::bytes_type network;
        unsigned prefix;
    };
    std::vector<V4> v4_;
    std::vector<V6> v6_;
};

// One X-Forwarded-For element as an address: "203.0.113.7", "2001:db8::1", "[2001:db8::1]:4711" or
// "203.0.113.7:4711"; nothing for "unknown", obfuscated names or junk.
std::optional<boost::asio::ip::address> forwarded_address(std::string_view element);

// The client's address: `peer` itself unless it is in `trusted`; then the right-most X-Forwarded-For element
// that is not trusted. A junk element ends the walk at the last trusted hop, which is the best we know.
std::string client_address(const std::string& peer, std::string_view x_forwarded_for, const AddressSet& trusted);

}  // namespace fedblog::server
