#pragma once
// An absolute http(s) URL taken apart into what a connection and a request line need.
#include <boost/asio/ip/address.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "activitypub/transport/error.hpp"

namespace fedblog::transport {

struct RemoteUrl {
    std::string text;                                         // the whole URL, as given or as resolved from a Location
    bool tls = true;                                          // https
    std::string host;                                         // lower-case name, or an IP literal without brackets
    std::optional<boost::asio::ip::address> literal_address;  // set when the host is an IP literal: no DNS
    std::uint16_t port = 443;
    std::string authority;  // the Host header: host, plus ":port" when not the scheme's default
    std::string target;     // the request target: path and query, "/" at least; never the fragment

    std::string_view scheme() const { return tls ? "https" : "http"; }
    std::string origin() const { return std::string(scheme()) + "://" + authority; }
};

// invalid_request unless text is an absolute http or https URL with a host and no user info.
Expected<RemoteUrl> parse_remote_url(std::string_view text);

// The target of a redirect: location resolved against the URL that answered; malformed_response if unusable.
Expected<RemoteUrl> resolve_location(const RemoteUrl& base, std::string_view location);

}  // namespace fedblog::transport
