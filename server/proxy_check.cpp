#include "server/proxy_check.hpp"

#include <atomic>
#include <chrono>

#include "common/log.hpp"
#include "common/time.hpp"

namespace fedblog::server {

namespace beast_http = boost::beast::http;

namespace {

// "Blog.Example:443" under https → "blog.example".
std::string canonical_authority(std::string_view authority, std::string_view scheme) {
    std::string result(authority);
    for (char& c : result) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string default_port = scheme == "https" ? ":443" : ":80";
    if (result.ends_with(default_port)) result.resize(result.size() - default_port.size());
    return result;
}

std::string_view path_of(const http::Request& request) {
    std::string_view target = request.target();
    return target.substr(0, target.find('?'));
}

}  // namespace

bool is_signed(const http::Request& request) {
    return request.find("Signature") != request.end() || request.find("Signature-Input") != request.end();
}

std::optional<std::string> host_rewritten_hint(const http::Request& request, const activitypub::Ids& ids) {
    std::string_view scheme = std::string_view(ids.origin()).substr(0, ids.origin().find(':'));
    std::string received(request[beast_http::field::host]);
    if (canonical_authority(received, scheme) == canonical_authority(ids.authority(), scheme)) return std::nullopt;
    return "the request's Host is \"" + received + "\" but public_url's is \"" + ids.authority() +
           "\": the reverse proxy rewrote Host, so signatures covering it cannot verify. In nginx: "
           "proxy_set_header Host $http_host; (or $host when the public port is the default) is missing "
           "(see deploy/nginx/fedblog.conf)";
}

std::optional<std::string> path_changed_hint(const http::Request& request, const activitypub::Ids& ids) {
    if (request.method() != beast_http::verb::post || !is_signed(request)) return std::nullopt;
    std::string_view path = path_of(request);
    // Another account's inbox is the sender's mistake, not the proxy's.
    if (path.starts_with("/users/")) return std::nullopt;
    const std::string inboxes[] = {"/inbox", ids.actor_path() + "/inbox"};
    for (const std::string& inbox : inboxes)
        if (path == inbox) return std::nullopt;
    // Stripped first: "/blog/inbox" is both /users/blog/inbox cut short and /inbox with "/blog" added.
    for (const std::string& inbox : inboxes)
        if (path == "/" || (inbox.ends_with(path) && path.starts_with('/')))
            return "a signed POST arrived at " + std::string(path) + ", which is not an inbox; the inbox " + inbox +
                   " ends with it: the reverse proxy stripped a path prefix. In nginx, proxy_pass "
                   "http://127.0.0.1:8080; takes no path after the address (see deploy/nginx/fedblog.conf)";
    for (const std::string& inbox : inboxes)
        if (path.ends_with(inbox))
            return "a signed POST arrived at " + std::string(path) + ", which is not an inbox but ends with " + inbox +
                   ": the reverse proxy added a path prefix. In nginx, proxy_pass http://127.0.0.1:8080; takes no "
                   "path after the address (see deploy/nginx/fedblog.conf)";
    return std::nullopt;
}

void warn_misconfigured_proxy(std::string_view hint, const Peer& peer, std::string_view target) {
    static std::atomic<std::int64_t> last_host_warning{0};
    static std::atomic<std::int64_t> last_path_warning{0};
    auto& last = hint.find("Host") != std::string_view::npos ? last_host_warning : last_path_warning;
    std::int64_t now = now_seconds();
    std::int64_t previous = last.load();
    if (now - previous < 60 || !last.compare_exchange_strong(previous, now)) return;
    log::warn("reverse proxy misconfigured", {{"hint", hint}, {"peer", peer.address}, {"target", target}});
}

}  // namespace fedblog::server
