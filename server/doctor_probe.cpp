// fedblog doctor, the test from outside: the blog as another server sees it, through public_url, and each
// fault compared with the same request sent straight to `listen` to tell the proxy's faults from fedblog's.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>
#include <random>

#include "activitypub/ids.hpp"
#include "activitypub/remote/signed_fetch.hpp"
#include "common/hex.hpp"
#include "common/time.hpp"
#include "keys/signature_policy.hpp"
#include "server/config.hpp"
#include "server/doctor_checks.hpp"

namespace fedblog::server::doctor {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace beast_http = boost::beast::http;

namespace {

constexpr const char* activity_json = "application/activity+json";
constexpr const char* browser_accept = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8";

const char* const proxy_pass_fix =
    "pass requests to fedblog unchanged: `proxy_pass http://127.0.0.1:8080;` with nothing after the port (a URI "
    "part strips the location's prefix), `proxy_set_header Host $host;`, and a location for /.well-known/, "
    "/users/, /posts/, /comments/ and /inbox (deploy/nginx/fedblog.conf)";

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool is_activity_type(std::string_view content_type) {
    std::string type = lower(content_type);
    return type.starts_with("application/activity+json") || type.starts_with("application/ld+json");
}

bool is_html_type(std::string_view content_type) { return lower(content_type).starts_with("text/html"); }

std::string random_hex() {
    std::random_device random;
    std::array<unsigned char, 12> bytes{};
    for (auto& byte : bytes) byte = static_cast<unsigned char>(random());
    return hex_encode(bytes);
}

// What fedblog itself answered, straight at `listen`.
struct DirectAnswer {
    unsigned status = 0;
    std::string content_type;
    std::string body;
};

// The inbox's refusal: {"error": "<reason>: <detail>"}.
std::pair<std::string, std::string> refusal_of(const std::string& body) {
    nlohmann::json json = nlohmann::json::parse(body, nullptr, false);
    if (!json.is_object() || !json["error"].is_string()) return {};  // not the inbox's answer (a proxy's page...)
    std::string text = json["error"].get<std::string>();
    auto colon = text.find(": ");
    if (colon == std::string::npos) return {text, ""};
    return {text.substr(0, colon), text.substr(colon + 2)};
}

class Probe {
public:
    Probe(const Settings& settings, const DoctorOptions& options, const keys::KeyPair* key, Findings& findings)
        : settings_(settings),
          options_(options),
          key_(key),
          ids_(settings.public_url, settings.handle),
          findings_(findings),
          client_(io_.get_executor(), options.client) {}

    void run(const StoreFacts& facts) {
        if (!webfinger()) return;  // nothing answers the way it should: every other request would fail alike
        actor();
        if (facts.latest_post)
            post(*facts.latest_post);
        else
            add(findings_, "post", Severity::info, "no post published yet: the post checks were skipped");
        if (key_) inbox();
    }

private:
    template <typename T>
    T wait(asio::awaitable<T> operation) {
        auto future = asio::co_spawn(io_, std::move(operation), asio::use_future);
        io_.restart();
        io_.run();
        return future.get();
    }

    transport::Result get(const std::string& url, const std::string& accept) {
        transport::Request request;
        request.url = url;
        request.headers = {{"accept", accept}};
        return wait(client_.fetch(std::move(request)));
    }

    std::string doctor_activity() const {
        // An activity the inbox verifies like any other and then ignores: it changes nothing in the store but
        // the record that this id was seen.
        nlohmann::json activity = {{"@context", "https://www.w3.org/ns/activitystreams"},
                                   {"id", ids_.origin() + "/doctor/" + random_hex()},
                                   {"type", "View"},
                                   {"actor", ids_.actor()},
                                   {"object", ids_.actor()}};
        return activity.dump();
    }

    transport::Result post_signed(const std::string& url, std::string body) {
        transport::Request request;
        request.method = "POST";
        request.url = url;
        request.headers = {{"content-type", activity_json}};
        request.body = std::move(body);
        request.before_send = activitypub::remote::cavage_signer(*key_, ids_.key_id(), now_seconds);
        return wait(client_.fetch(std::move(request)));
    }

    // The same request sent to `listen` with the public Host, as the proxy should pass it; signed for the
    // public URL when `signed_body` is given. Nothing when fedblog cannot be reached that way from here.
    std::optional<DirectAnswer> direct(const std::string& path, const std::string& accept,
                                       const std::optional<std::string>& signed_body = std::nullopt) {
        if (!options_.direct) return std::nullopt;
        try {
            auto [host, port] = split_listen_address(settings_.listen);
            if (host == "0.0.0.0") host = "127.0.0.1";
            if (host == "::") host = "::1";
            transport::OutgoingRequest request{signed_body ? "POST" : "GET",
                                               ids_.origin() + path,
                                               ids_.origin().substr(0, ids_.origin().find(':')),
                                               ids_.authority(),
                                               path,
                                               {{"host", ids_.authority()}, {"accept", accept}},
                                               signed_body ? std::string_view(*signed_body) : std::string_view()};
            if (signed_body) {
                request.headers.emplace_back("content-type", activity_json);
                activitypub::remote::cavage_signer(*key_, ids_.key_id(), now_seconds)(request);
            }
            return wait(send_direct(asio::ip::tcp::endpoint(asio::ip::make_address(host), port), request));
        } catch (const std::exception&) {
            return std::nullopt;
        }
    }

    asio::awaitable<std::optional<DirectAnswer>> send_direct(asio::ip::tcp::endpoint endpoint,
                                                             transport::OutgoingRequest outgoing) {
        constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
        beast::tcp_stream stream(co_await asio::this_coro::executor);
        stream.expires_after(std::chrono::seconds(10));
        auto [connect_error] = co_await stream.async_connect(endpoint, use_tuple);
        if (connect_error) co_return std::nullopt;
        beast_http::request<beast_http::string_body> request{
            outgoing.method == "POST" ? beast_http::verb::post : beast_http::verb::get, outgoing.target, 11};
        for (const auto& [name, value] : outgoing.headers) request.set(name, value);
        request.body() = std::string(outgoing.body);
        request.prepare_payload();
        auto [write_error, written] = co_await beast_http::async_write(stream, request, use_tuple);
        if (write_error) co_return std::nullopt;
        beast::flat_buffer buffer;
        beast_http::response_parser<beast_http::string_body> parser;
        parser.body_limit(4 * 1024 * 1024);
        auto [read_error, read] = co_await beast_http::async_read(stream, buffer, parser, use_tuple);
        if (read_error) co_return std::nullopt;
        auto response = parser.release();
        co_return DirectAnswer{response.result_int(), std::string(response[beast_http::field::content_type]),
                               response.body()};
    }

    void transport_fault(const std::string& area, const std::string& url, const transport::Error& error) {
        const std::string host = activitypub::Ids(ids_.origin(), ids_.handle()).host();
        switch (error.kind) {
            case transport::ErrorKind::tls:
                add(findings_, "tls", Severity::fault, "TLS with " + host + " fails: " + error.detail,
                    "serve a certificate for " + host + ", valid now, with its whole chain (Let's Encrypt: "
                    "fullchain.pem, not cert.pem); check with `openssl s_client -connect " + host + ":443 -servername " +
                    host + "`. Other servers verify it exactly like this");
                return;
            case transport::ErrorKind::dns:
                add(findings_, area, Severity::fault, host + " does not resolve from here: " + error.detail,
                    "publish DNS records (A/AAAA) for " + host);
                return;
            case transport::ErrorKind::connect:
                add(findings_, area, Severity::fault, "nothing accepts connections for " + url + ": " + error.detail,
                    "start the reverse proxy and open its port (443) in the firewall");
                return;
            case transport::ErrorKind::refused_address:
                add(findings_, area, Severity::fault,
                    host + " resolves only to private or reserved addresses: other servers cannot reach it",
                    "point " + host + "'s DNS at the machine's public address (allow_private_addresses is for tests)");
                return;
            case transport::ErrorKind::plain_http_refused:
                add(findings_, area, Severity::fault, "public_url is plain http, which servers do not fetch",
                    "serve the blog over https (for a local test only: allow_plain_http = true)");
                return;
            case transport::ErrorKind::timeout:
                add(findings_, area, Severity::fault, url + " did not answer in time: " + error.detail,
                    "check the proxy and that fedblog is running (fedblog's own logs say whether the request arrived)");
                return;
            default:
                add(findings_, area, Severity::fault, url + ": " + std::string(transport::to_string(error.kind)) + ": " +
                                                          error.detail);
        }
    }

    // A GET through public_url answered `status` instead of 200: where does the fault lie?
    void not_served(const std::string& area, const std::string& path, const std::string& accept, unsigned status) {
        const std::string said = "GET " + path + " through public_url answers " + std::to_string(status);
        auto itself = direct(path, accept);
        if (itself && itself->status == 200) {
            if (status == 404 || status == 405)
                add(findings_, area, Severity::fault,
                    said + ", but fedblog answers it directly: the proxy does not pass this path as it is (a path "
                    "prefix stripped, or no location for it)",
                    proxy_pass_fix);
            else
                add(findings_, area, Severity::fault,
                    said + ", but fedblog answers it directly: the proxy cannot reach fedblog or alters the request",
                    "make proxy_pass point at listen = " + settings_.listen + "; the proxy's error log says why");
        } else if (itself) {
            add(findings_, area, Severity::fault,
                said + ", and so does fedblog directly (" + std::to_string(itself->status) +
                    "): the running serve has another handle or public_url than this configuration",
                "run fedblog doctor with the config file fedblog serve uses");
        } else if (status == 502 || status == 503 || status == 504) {
            add(findings_, area, Severity::fault,
                said + ": the proxy cannot reach fedblog, which does not answer at listen = " + settings_.listen,
                "start fedblog serve, and make proxy_pass point at its listen address");
        } else {
            add(findings_, area, Severity::fault, said, proxy_pass_fix);
        }
    }

    void check_clock(const transport::Response& response) {
        auto date = response.header("date");
        if (!date) {
            add(findings_, "clock", Severity::warning, "responses through public_url carry no Date header",
                "let the proxy pass Date (it is what other servers' signatures are checked against)");
            return;
        }
        auto remote = keys::parse_imf_fixdate(*date);
        if (!remote) {
            add(findings_, "clock", Severity::warning, "the Date header \"" + std::string(*date) + "\" does not parse");
            return;
        }
        const std::int64_t skew = *remote - now_seconds();
        const std::int64_t size = skew < 0 ? -skew : skew;
        const std::string said = "this machine's clock and public_url's Date differ by " + std::to_string(size) +
                                 " s; signatures are refused beyond one hour";
        if (size >= options_.clock_fault.count())
            add(findings_, "clock", Severity::fault, said, "synchronize both clocks (systemd-timesyncd, chrony)");
        else if (size >= options_.clock_warning.count())
            add(findings_, "clock", Severity::warning, said, "synchronize both clocks (systemd-timesyncd, chrony)");
        else
            add(findings_, "clock", Severity::ok, "clock within " + std::to_string(size) + " s of public_url's Date");
    }

    void check_vary(const std::string& area, const transport::Response& response, const std::string& path) {
        auto vary = response.header("vary");
        if (!vary || lower(*vary).find("accept") == std::string::npos)
            add(findings_, area, Severity::warning,
                "GET " + path + " through public_url lacks Vary: Accept (fedblog sends it): a cache further on may "
                "serve JSON and HTML to the wrong clients",
                "do not remove or override Vary in the proxy");
    }

    // One document as JSON and as HTML. `json_first` picks the order, so that a cache keyed without Accept shows
    // itself by serving the first representation to the second request.
    std::optional<nlohmann::json> both_representations(const std::string& area, const std::string& url, bool json_first) {
        const std::string path = url.substr(ids_.origin().size());
        std::optional<nlohmann::json> document;
        for (int round = 0; round < 2; ++round) {
            const bool json = (round == 0) == json_first;
            const std::string accept = json ? activity_json : browser_accept;
            auto response = get(url, accept);
            if (!response) {
                transport_fault(area, url, response.error());
                return std::nullopt;
            }
            if (response->status != 200) {
                not_served(area, path, accept, response->status);
                return std::nullopt;
            }
            const std::string type(response->header("content-type").value_or(""));
            check_vary(area, *response, path);
            if (json && !is_activity_type(type)) {
                add(findings_, area, Severity::fault,
                    "GET " + path + " with Accept: application/activity+json gets " + (type.empty() ? "no type" : type) +
                        (is_html_type(type) ? ": a cache serves HTML to ActivityPub clients" : ""),
                    "make the cache key include Accept (nginx: proxy_cache_key \"$scheme$host$request_uri$http_accept\") "
                    "or do not cache these paths");
                return std::nullopt;
            }
            if (!json && !is_html_type(type)) {
                add(findings_, area, Severity::fault,
                    "GET " + path + " from a browser gets " + (type.empty() ? "no type" : type) +
                        (is_activity_type(type) ? ": a cache serves ActivityPub JSON to browsers" : ""),
                    "make the cache key include Accept (nginx: proxy_cache_key \"$scheme$host$request_uri$http_accept\") "
                    "or do not cache these paths");
                return std::nullopt;
            }
            if (json) {
                document = nlohmann::json::parse(response->body, nullptr, false);
                if (document->is_discarded() || !document->is_object()) {
                    add(findings_, area, Severity::fault, "GET " + path + " as JSON does not return a JSON object");
                    return std::nullopt;
                }
            }
        }
        return document;
    }

    bool webfinger() {
        const std::string path = "/.well-known/webfinger?resource=" + ids_.acct();
        auto response = get(ids_.origin() + path, "application/jrd+json, application/json");
        if (!response) {
            transport_fault("webfinger", ids_.origin() + path, response.error());
            return false;
        }
        check_clock(*response);
        if (response->status != 200) {
            not_served("webfinger", path, "application/jrd+json", response->status);
            return false;
        }
        nlohmann::json jrd = nlohmann::json::parse(response->body, nullptr, false);
        std::string self;
        if (jrd.is_object() && jrd["links"].is_array())
            for (const auto& link : jrd["links"])
                if (link.is_object() && link.value("rel", "") == "self" && link["href"].is_string())
                    self = link["href"].get<std::string>();
        if (self != ids_.actor()) {
            add(findings_, "webfinger", Severity::fault,
                "WebFinger for " + ids_.acct() + " names the actor \"" + self + "\", not " + ids_.actor(),
                "run fedblog doctor with the config file fedblog serve uses (public_url and handle must match)");
            return false;
        }
        add(findings_, "webfinger", Severity::ok, ids_.acct() + " resolves to " + ids_.actor());
        return true;
    }

    void actor() {
        auto document = both_representations("actor", ids_.actor(), true);
        if (!document) return;
        const std::string id = (*document)["id"].is_string() ? (*document)["id"].get<std::string>() : "";
        if (id != ids_.actor()) {
            add(findings_, "actor", Severity::fault, "the actor's id is \"" + id + "\", not " + ids_.actor(),
                "the running serve has another public_url: use one config file for serve and doctor");
            return;
        }
        const nlohmann::json& key = (*document)["publicKey"];
        const std::string published = key.is_object() && key["publicKeyPem"].is_string() ? key["publicKeyPem"].get<std::string>() : "";
        if (key_ && published != key_->public_pem()) {
            add(findings_, "key", Severity::fault,
                "the actor served publishes another public key than " + settings_.data_dir + "/actor.key's",
                "restart fedblog serve (after `keys rotate` it signs with the old key until then), and check that "
                "serve and doctor use the same data_dir");
            return;
        }
        add(findings_, "actor", Severity::ok, ids_.actor() + " serves the actor to servers and the profile to browsers");
    }

    void post(const std::string& slug) {
        // HTML first here (the actor went JSON first): each order catches a cache that ignores Accept.
        auto document = both_representations("post", ids_.post(slug), false);
        if (!document) return;
        const std::string id = (*document)["id"].is_string() ? (*document)["id"].get<std::string>() : "";
        if (id != ids_.post(slug)) {
            add(findings_, "post", Severity::fault, "the post's id is \"" + id + "\", not " + ids_.post(slug),
                "use one config file for serve and doctor");
            return;
        }
        add(findings_, "post", Severity::ok, ids_.post(slug) + " serves the post as ActivityPub JSON and as HTML");
    }

    void inbox() {
        const std::string path = ids_.inbox().substr(ids_.origin().size());
        auto response = post_signed(ids_.inbox(), doctor_activity());
        if (!response) {
            transport_fault("inbox", ids_.inbox(), response.error());
            return;
        }
        if (response->status == 202) {
            add(findings_, "inbox", Severity::ok, "a POST signed with the blog's key through public_url is verified and accepted");
            return;
        }
        auto [reason, detail] = refusal_of(response->body);
        const std::string said = "a signed POST to " + path + " through public_url gets " +
                                 std::to_string(response->status) + (reason.empty() ? "" : " " + reason) + (detail.empty() ? "" : " (" + detail + ")");
        if (response->status == 404 || response->status == 405 || response->status / 100 == 5) {
            if (reason.starts_with("key_")) {
                key_fault(said);
                return;
            }
            auto itself = direct(path, activity_json, doctor_activity());
            if (itself && itself->status == 202)
                add(findings_, "inbox", Severity::fault, said + ", but fedblog accepts it directly: the proxy does not pass POSTs to the inbox",
                    proxy_pass_fix);
            else
                add(findings_, "inbox", Severity::fault, said, proxy_pass_fix);
            return;
        }
        if (reason == "missing_signature") {
            add(findings_, "inbox", Severity::fault, said + ": the Signature header is dropped on the way",
                "let the proxy (and any WAF or CDN before it) pass every request header; nginx does unless told not to "
                "(proxy_pass_request_headers off, proxy_set_header Signature \"\")");
        } else if (reason == "date_missing" || (reason == "missing_header" && lower(detail).find("date") != std::string::npos)) {
            add(findings_, "inbox", Severity::fault, said + ": the Date header is dropped on the way",
                "let the proxy pass the request's Date header (do not clear or override it)");
        } else if (reason == "missing_header") {
            add(findings_, "inbox", Severity::fault, said + ": a signed header is dropped on the way",
                "let the proxy pass every request header unchanged");
        } else if (reason.starts_with("date_") || reason == "signature_expired") {
            add(findings_, "clock", Severity::fault, said + ": fedblog's clock disagrees with the signature's time",
                "synchronize the clocks (systemd-timesyncd, chrony)");
        } else if (reason.starts_with("digest_")) {
            add(findings_, "inbox", Severity::fault, said + ": the body or its Digest header changed on the way",
                "let the proxy pass the body untouched (no rewriting filters on these paths)");
        } else if (reason.starts_with("key_")) {
            key_fault(said);
        } else if (reason == "bad_signature") {
            auto itself = direct(path, activity_json, doctor_activity());
            const bool confirmed = itself && itself->status == 202;
            add(findings_, "inbox", Severity::fault,
                said + (confirmed ? ", yet fedblog accepts the same signed POST sent straight to it: "
                                  : ": the key is the right one, so ") +
                    "the proxy rewrites the Host header (or the path) that the signature covers; fedblog sees another "
                    "Host than " + ids_.authority(),
                "nginx: proxy_set_header Host $host; and proxy_pass http://127.0.0.1:8080; with no path after the port");
        } else {
            add(findings_, "inbox", Severity::fault, said);
        }
    }

    void key_fault(const std::string& said) {
        add(findings_, "inbox", Severity::fault,
            said + ": fedblog fetches its own key from " + ids_.key_id() + " to check the signature, like any server's, "
            "and that failed",
            "from the server itself, public_url must resolve to an address that reaches the proxy (hairpin NAT, or an "
            "/etc/hosts line naming the host 127.0.1.1, which the address guard refuses)");
    }

    const Settings& settings_;
    const DoctorOptions& options_;
    const keys::KeyPair* key_;
    activitypub::Ids ids_;
    Findings& findings_;
    asio::io_context io_;
    transport::HttpClient client_;
};

}  // namespace

void probe_from_outside(const Settings& settings, const DoctorOptions& options, const keys::KeyPair* key,
                        const StoreFacts& facts, Findings& findings) {
    Probe(settings, options, key, findings).run(facts);
}

}  // namespace fedblog::server::doctor
