#include "activitypub/transport/address_policy.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>

namespace fedblog::transport {

namespace {

using Bytes6 = std::array<unsigned char, 16>;

struct Range4 {
    std::uint32_t network;
    unsigned prefix_length;
};

constexpr std::uint32_t v4(std::uint32_t a, std::uint32_t b, std::uint32_t c, std::uint32_t d) {
    return a << 24 | b << 16 | c << 8 | d;
}

// IANA IPv4 special-purpose registry, every block that is not globally reachable, plus multicast.
constexpr Range4 non_public_v4[] = {
    {v4(0, 0, 0, 0), 8},        // "this network", 0.0.0.0 included
    {v4(10, 0, 0, 0), 8},       // private
    {v4(100, 64, 0, 0), 10},    // carrier-grade NAT
    {v4(127, 0, 0, 0), 8},      // loopback
    {v4(169, 254, 0, 0), 16},   // link-local, cloud metadata endpoints
    {v4(172, 16, 0, 0), 12},    // private
    {v4(192, 0, 0, 0), 24},     // IETF protocol assignments
    {v4(192, 0, 2, 0), 24},     // documentation TEST-NET-1
    {v4(192, 88, 99, 0), 24},   // 6to4 relay anycast
    {v4(192, 168, 0, 0), 16},   // private
    {v4(198, 18, 0, 0), 15},    // benchmarking
    {v4(198, 51, 100, 0), 24},  // documentation TEST-NET-2
    {v4(203, 0, 113, 0), 24},   // documentation TEST-NET-3
    {v4(224, 0, 0, 0), 4},      // multicast
    {v4(240, 0, 0, 0), 4},      // reserved, 255.255.255.255 broadcast included
};

bool contains(Range4 range, std::uint32_t address) {
    std::uint32_t mask = range.prefix_length == 0 ? 0 : ~std::uint32_t{0} << (32 - range.prefix_length);
    return (address & mask) == range.network;
}

bool is_public_v4(std::uint32_t address) {
    return std::none_of(std::begin(non_public_v4), std::end(non_public_v4),
                        [address](Range4 range) { return contains(range, address); });
}

// What an IPv6 block means for the guard: refused outright, or judged by the IPv4 address it embeds.
struct Range6 {
    Bytes6 network;
    unsigned prefix_length;
    std::optional<unsigned> embedded_v4_at;  // byte offset of the embedded IPv4 address
};

constexpr Bytes6 v6(std::array<std::uint16_t, 8> groups) {
    Bytes6 bytes{};
    for (std::size_t i = 0; i < groups.size(); ++i) {
        bytes[2 * i] = static_cast<unsigned char>(groups[i] >> 8);
        bytes[2 * i + 1] = static_cast<unsigned char>(groups[i] & 0xff);
    }
    return bytes;
}

// First match wins: the IPv4-embedding blocks come before ::/96, which holds the mapped block's neighbours.
const Range6 non_public_v6[] = {
    {v6({0, 0, 0, 0, 0, 0xffff, 0, 0}), 96, 12},      // IPv4-mapped ::ffff:a.b.c.d
    {v6({0x64, 0xff9b, 0, 0, 0, 0, 0, 0}), 96, 12},   // NAT64 well-known prefix
    {v6({0x2002, 0, 0, 0, 0, 0, 0, 0}), 16, 2},       // 6to4: 2002:AABB:CCDD::/48 carries a.b.c.d
    {v6({0, 0, 0, 0, 0, 0, 0, 0}), 96, {}},           // ::, ::1 and deprecated IPv4-compatible ::a.b.c.d
    {v6({0x64, 0xff9b, 1, 0, 0, 0, 0, 0}), 48, {}},   // NAT64 local use
    {v6({0x100, 0, 0, 0, 0, 0, 0, 0}), 64, {}},       // discard
    {v6({0x2001, 0, 0, 0, 0, 0, 0, 0}), 23, {}},      // IETF protocol assignments: Teredo 2001::/32, benchmarking
    {v6({0x2001, 0xdb8, 0, 0, 0, 0, 0, 0}), 32, {}},  // documentation
    {v6({0x3fff, 0, 0, 0, 0, 0, 0, 0}), 20, {}},      // documentation (RFC 9637)
    {v6({0xfc00, 0, 0, 0, 0, 0, 0, 0}), 7, {}},       // unique local
    {v6({0xfe80, 0, 0, 0, 0, 0, 0, 0}), 10, {}},      // link-local
    {v6({0xfec0, 0, 0, 0, 0, 0, 0, 0}), 10, {}},      // site-local, deprecated
    {v6({0xff00, 0, 0, 0, 0, 0, 0, 0}), 8, {}},       // multicast
};

// Everything outside 2000::/3 is unassigned for global unicast: refused even when not listed above.
const Range6 global_unicast{v6({0x2000, 0, 0, 0, 0, 0, 0, 0}), 3, {}};

bool contains(const Range6& range, const Bytes6& address) {
    for (unsigned bit = 0; bit < range.prefix_length; bit += 8) {
        unsigned remaining = range.prefix_length - bit;
        unsigned char mask = remaining >= 8 ? 0xff : static_cast<unsigned char>(0xff << (8 - remaining));
        if ((address[bit / 8] & mask) != range.network[bit / 8]) return false;
    }
    return true;
}

bool is_public_v6(const Bytes6& address) {
    for (const auto& range : non_public_v6) {
        if (!contains(range, address)) continue;
        if (!range.embedded_v4_at) return false;
        std::size_t at = *range.embedded_v4_at;
        return is_public_v4(v4(address[at], address[at + 1], address[at + 2], address[at + 3]));
    }
    return contains(global_unicast, address);
}

}  // namespace

bool is_public_address(const boost::asio::ip::address& address) {
    if (address.is_v4()) return is_public_v4(address.to_v4().to_uint());
    return is_public_v6(address.to_v6().to_bytes());
}

bool AddressPolicy::permits(const boost::asio::ip::address& address) const {
    if (std::find(always_allowed.begin(), always_allowed.end(), address) != always_allowed.end()) return true;
    return allow_private_addresses || is_public_address(address);
}

}  // namespace fedblog::transport
