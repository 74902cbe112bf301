#pragma once
// Recognizing a misconfigured reverse proxy from the requests it relays. A proxy that rewrites Host (nginx's
// default is the upstream's address) or changes the path makes every signed request fail to verify, because
// the signer covered the Host and path it sent; the inbox would only see bad signatures. These checks name
// the cause and the fix, for the log and for the sender's 401.
#include <optional>
#include <string>
#include <string_view>

#include "activitypub/ids.hpp"
#include "http/message.hpp"
#include "server/http_server.hpp"

namespace fedblog::server {

// True when the request carries an HTTP signature: draft-cavage `Signature` or RFC 9421 `Signature-Input`.
bool is_signed(const http::Request& request);

// Set when the request's Host is not public_url's authority (compared without case and default port).
std::optional<std::string> host_rewritten_hint(const http::Request& request, const activitypub::Ids& ids);

// Set when a signed POST arrives at a path that is not an inbox but would be one with a prefix put back or
// taken off ("/blog/inbox", "/", "/fedblog/inbox"): the proxy stripped or added a path prefix.
std::optional<std::string> path_changed_hint(const http::Request& request, const activitypub::Ids& ids);

// Logs the hint as a warning, at most once a minute per kind, so a broken proxy does not flood the log
// (each refused request is still logged by the inbox).
void warn_misconfigured_proxy(std::string_view hint, const Peer& peer, std::string_view target);

}  // namespace fedblog::server
