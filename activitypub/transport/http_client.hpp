#pragma once
// fedblog's only way out to the network: an HTTPS client for fetching remote documents and delivering
// activities, with the SSRF guard, verified TLS, deadlines, size limits, redirects and a keep-alive pool.
//
//   transport::HttpClient client(io.get_executor(), transport::ClientOptions::from(settings));
//   transport::Request request;
//   request.url = "https://m.example/users/alice";
//   request.headers = {{"accept", "application/activity+json"}};
//   request.before_send = sign_with_blog_key;  // void(transport::OutgoingRequest&)
//   transport::Result result = co_await client.fetch(std::move(request));
//   if (!result)
//       log::warn("fetch failed", {{"kind", to_string(result.error().kind)}, {"detail", result.error().detail}});
//   else if (result->status == 200)
//       parse(result->body);  // result->url is the URL that answered, after redirects
//
// - Only https unless allow_plain_http (development). TLS 1.2+, certificate and host name always verified
//   (system store plus extra_ca_pem); SNI sent for names.
// - Every resolved address goes through the AddressPolicy right before connecting, on every redirect hop.
// - Redirects (301, 302, 303, 307, 308) are followed for GET and HEAD only, at most limits.max_redirects,
//   never from https to http. Any other method gets the 3xx back as its response: a delivery POST must not be
//   replayed at a URL the inbox did not sign up for, and a 303 turning it into a GET would lose the activity.
// - before_send is called with the exact request of each hop, just before it is sent (and again after each
//   redirect, with the new URL): that is where the HTTP signature goes.
// - Errors are values (Result holds a Response or an Error); exceptions mean a bug or a throwing hook.
// - A GET that finds a pooled keep-alive connection closed by the server is resent once, same bytes, on a new
//   connection; other methods are not, since the server may have acted on them.
// - GETs and HEADs (fetches: keys, actors, objects, collections) to one host run at most
//   max_fetches_per_host at once; the others wait their turn, within their own total_timeout. Other methods
//   (deliveries) are bounded per host by the delivery engine instead.
// - fetch may be awaited from any executor, many at once. Connections run on strands of the executor given at
//   construction (one each); a fetch in flight keeps the client's state alive. Destroy the client before the
//   executor's io_context, since its idle connections live there.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "activitypub/transport/address_policy.hpp"
#include "activitypub/transport/error.hpp"
#include "activitypub/transport/host_resolver.hpp"
#include "activitypub/transport/limits.hpp"
#include "common/settings.hpp"

namespace fedblog::transport {

// Header fields in order, names lower-case.
using Headers = std::vector<std::pair<std::string, std::string>>;

// The value of the first field called name (case-insensitive), if any.
std::optional<std::string_view> find_header(const Headers& headers, std::string_view name);
// Replaces the first field called name (lower-case), or appends it.
void set_header(Headers& headers, std::string name, std::string value);

// The request of one hop exactly as it will be sent; fields match keys::HttpMessage one for one.
struct OutgoingRequest {
    std::string method;     // "GET"
    std::string url;        // absolute URL of this hop
    std::string scheme;     // "https", or "http" in development
    std::string authority;  // the Host header value: host, plus ":port" when not the default
    std::string target;     // path plus "?query"
    Headers headers;        // host and user-agent first, then the caller's; the hook may add or replace fields
    std::string_view body;
};
using BeforeSend = std::function<void(OutgoingRequest&)>;

struct Request {
    std::string method = "GET";  // upper case, as sent
    std::string url;  // absolute http(s) URL; a fragment is allowed and not sent
    Headers headers;  // names in any case; Host is always the URL's authority
    std::string body;
    // Sent instead of `body` when set: requests carrying the same bytes (an activity to each of its inboxes)
    // share them instead of copying them each.
    std::shared_ptr<const std::string> shared_body;
    BeforeSend before_send;        // signing hook, may be empty
    std::optional<Limits> limits;  // the client's limits when empty
};

struct Response {
    unsigned status = 0;
    Headers headers;  // as received, names lower-cased
    std::string body;
    std::string url;  // the URL that answered, after redirects

    std::optional<std::string_view> header(std::string_view name) const { return find_header(headers, name); }
};

using Result = Expected<Response>;

struct ClientOptions {
    std::string public_url;  // named in the User-Agent: "fedblog/0.1.0 (+https://blog.example)"
    AddressPolicy address_policy;
    bool allow_plain_http = false;  // development only; https → http redirects stay refused
    std::string extra_ca_pem;       // CA certificates trusted besides the system store (tests, a private CA)
    StaticHosts static_hosts;       // lower-case names answered without DNS (tests, local setups)
    Limits limits;
    std::size_t max_idle_connections_per_origin = 4;
    std::size_t max_fetches_per_host = 4;  // GET/HEAD in flight to one host at once; 0: no bound
    std::chrono::seconds idle_timeout{15};  // below common server keep-alive timeouts, so few go stale

    // public_url, allow_private_addresses, allow_plain_http and fetch_per_host from the settings; the rest at
    // its defaults.
    static ClientOptions from(const Settings& settings);
};

class HttpClient {
public:
    // Throws if extra_ca_pem holds no valid certificate.
    HttpClient(boost::asio::any_io_executor executor, ClientOptions options);
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    boost::asio::awaitable<Result> fetch(Request request);

private:
    struct State;
    std::shared_ptr<State> state_;
};

}  // namespace fedblog::transport
