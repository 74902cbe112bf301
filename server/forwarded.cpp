#include "server/forwarded.hpp"

#include <charconv>
#include <stdexcept>

namespace fedblog::server {

namespace asio = boost::asio;

namespace {

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

std::optional<asio::ip::address> parse_address(std::string_view text) {
    boost::system::error_code ec;
    auto address = asio::ip::make_address(std::string(text), ec);
    if (ec) return std::nullopt;
    if (address.is_v6() && address.to_v6().is_v4_mapped())
        return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
    return address;
}

}  // namespace

AddressSet AddressSet::parse(const std::vector<std::string>& items) {
    AddressSet set;
    for (const std::string& item : items) {
        std::string_view text = trim(item);
        auto slash = text.find('/');
        auto address = parse_address(text.substr(0, slash));
        if (!address) throw std::invalid_argument("\"" + item + "\" is not an IP address or network");
        unsigned max_prefix = address->is_v4() ? 32 : 128;
        unsigned prefix = max_prefix;
        if (slash != std::string_view::npos) {
            std::string_view digits = text.substr(slash + 1);
            auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
            if (ec != std::errc{} || end != digits.data() + digits.size() || digits.empty() || prefix > max_prefix)
                throw std::invalid_argument("\"" + item + "\" has a prefix length that is not 0 to " +
                                            std::to_string(max_prefix));
        }
        if (address->is_v4()) {
            std::uint32_t mask = prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix);
            set.v4_.push_back({address->to_v4().to_uint() & mask, mask});
        } else {
            auto bytes = address->to_v6().to_bytes();
            for (unsigned i = 0; i < 16; ++i) {
                unsigned keep = prefix > i * 8 ? std::min(8u, prefix - i * 8) : 0;
                bytes[i] &= static_cast<unsigned char>(keep == 0 ? 0 : 0xff << (8 - keep));
            }
            set.v6_.push_back({bytes, prefix});
        }
    }
    return set;
}

bool AddressSet::contains(const asio::ip::address& given) const {
    asio::ip::address address = given;
    if (address.is_v6() && address.to_v6().is_v4_mapped())
        address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
    if (address.is_v4()) {
        std::uint32_t value = address.to_v4().to_uint();
        for (const V4& net : v4_)
            if ((value & net.mask) == net.network) return true;
        return false;
    }
    auto bytes = address.to_v6().to_bytes();
    for (const V6& net : v6_) {
        bool match = true;
        for (unsigned i = 0; i < 16 && match; ++i) {
            unsigned keep = net.prefix > i * 8 ? std::min(8u, net.prefix - i * 8) : 0;
            auto mask = static_cast<unsigned char>(keep == 0 ? 0 : 0xff << (8 - keep));
            match = (bytes[i] & mask) == net.network[i];
        }
        if (match) return true;
    }
    return false;
}

bool AddressSet::contains(std::string_view address) const {
    auto parsed = parse_address(address);
    return parsed && contains(*parsed);
}

std::optional<asio::ip::address> forwarded_address(std::string_view element) {
    element = trim(element);
    if (element.starts_with('[')) {  // [v6] or [v6]:port
        auto close = element.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        std::string_view rest = element.substr(close + 1);
        if (!rest.empty() && !rest.starts_with(':')) return std::nullopt;
        return parse_address(element.substr(1, close - 1));
    }
    // One colon: IPv4 with a port. More: a bare IPv6 address.
    auto colon = element.find(':');
    if (colon != std::string_view::npos && element.find(':', colon + 1) == std::string_view::npos)
        element = element.substr(0, colon);
    return parse_address(element);
}

std::string client_address(const std::string& peer, std::string_view x_forwarded_for, const AddressSet& trusted) {
    if (x_forwarded_for.empty() || !trusted.contains(peer)) return peer;
    std::string nearest = peer;  // the closest hop known to be honest so far
    std::string_view rest = x_forwarded_for;
    while (true) {
        auto comma = rest.rfind(',');
        std::string_view element = comma == std::string_view::npos ? rest : rest.substr(comma + 1);
        auto address = forwarded_address(element);
        if (!address) return nearest;
        std::string text = address->to_string();
        if (!trusted.contains(*address)) return text;
        nearest = std::move(text);
        if (comma == std::string_view::npos) return nearest;  // every hop is a trusted proxy
        rest = rest.substr(0, comma);
    }
}

}  // namespace fedblog::server
