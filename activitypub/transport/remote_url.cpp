#include "activitypub/transport/remote_url.hpp"

#include <algorithm>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

namespace fedblog::transport {

namespace {

namespace urls = boost::urls;

Error unusable(ErrorKind kind, std::string_view url, std::string_view why) {
    return {kind, "unusable URL \"" + std::string(url) + "\": " + std::string(why)};
}

bool is_ascii_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// Letters, digits, '-', '.', '_' only: anything else (spaces, '%', non-ASCII) would reach DNS, SNI and the
// Host header as is.
bool is_host_name(std::string_view host) {
    return !host.empty() && std::all_of(host.begin(), host.end(),
                                        [](char c) { return is_ascii_alnum(c) || c == '-' || c == '.' || c == '_'; });
}

Expected<RemoteUrl> take_apart(urls::url_view url, ErrorKind kind) {
    RemoteUrl remote;
    remote.text = std::string(url.buffer());
    if (url.scheme_id() == urls::scheme::https)
        remote.tls = true;
    else if (url.scheme_id() == urls::scheme::http)
        remote.tls = false;
    else
        return unusable(kind, remote.text, "only http and https are supported");
    if (url.has_userinfo()) return unusable(kind, remote.text, "user info is not allowed");

    std::uint16_t default_port = remote.tls ? 443 : 80;
    remote.port = default_port;
    if (url.has_port() && !url.port().empty()) {
        remote.port = url.port_number();
        if (remote.port == 0) return unusable(kind, remote.text, "bad port");
    }

    std::string host_in_header;
    switch (url.host_type()) {
        case urls::host_type::name:
            remote.host = url.host();
            std::transform(remote.host.begin(), remote.host.end(), remote.host.begin(), [](unsigned char c) {
                return static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
            });
            if (!is_host_name(remote.host)) return unusable(kind, remote.text, "bad host name");
            host_in_header = remote.host;
            break;
        case urls::host_type::ipv4:
        case urls::host_type::ipv6: {
            remote.host = url.host_address();
            boost::system::error_code ec;
            remote.literal_address = boost::asio::ip::make_address(remote.host, ec);
            if (ec) return unusable(kind, remote.text, "bad IP address");
            host_in_header = remote.literal_address->is_v6() ? "[" + remote.host + "]" : remote.host;
            break;
        }
        default:
            return unusable(kind, remote.text, "no host");
    }
    remote.authority =
        remote.port == default_port ? host_in_header : host_in_header + ":" + std::to_string(remote.port);

    remote.target = std::string(url.encoded_target());
    if (remote.target.empty() || remote.target.front() != '/') remote.target.insert(0, "/");
    return remote;
}

}  // namespace

Expected<RemoteUrl> parse_remote_url(std::string_view text) {
    auto url = urls::parse_uri(text);
    if (!url) return unusable(ErrorKind::invalid_request, text, "not an absolute URL");
    return take_apart(*url, ErrorKind::invalid_request);
}

Expected<RemoteUrl> resolve_location(const RemoteUrl& base, std::string_view location) {
    auto reference = urls::parse_uri_reference(location);
    if (!reference) return unusable(ErrorKind::malformed_response, location, "Location is not a URL reference");
    urls::url resolved(base.text);
    if (!resolved.resolve(*reference))
        return unusable(ErrorKind::malformed_response, location, "cannot resolve Location");
    return take_apart(resolved, ErrorKind::malformed_response);
}

}  // namespace fedblog::transport
