#include "activitypub/transport/http_client.hpp"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/verb.hpp>
#include <cctype>

#include "activitypub/transport/connection_pool.hpp"
#include "activitypub/transport/connector.hpp"
#include "activitypub/transport/exchange.hpp"
#include "activitypub/transport/host_slots.hpp"
#include "activitypub/transport/remote_url.hpp"
#include "common/log.hpp"
#include "common/version.hpp"

namespace fedblog::transport {

namespace asio = boost::asio;
namespace http = boost::beast::http;

namespace {

std::string lower_case(std::string_view text) {
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c); });
    return lower;
}

bool is_redirect(unsigned status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// CR, LF or NUL in a field would let a remote-controlled value smuggle extra headers into the request.
bool is_safe_field(std::string_view text) {
    return text.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

Expected<WireRequest> to_wire(const OutgoingRequest& outgoing, http::verb verb) {
    WireRequest request{verb, outgoing.target, 11};
    for (const auto& [name, value] : outgoing.headers) {
        if (name.empty() || !is_safe_field(name) || !is_safe_field(value))
            return Error{ErrorKind::invalid_request, "header field \"" + name + "\" holds a line break or NUL"};
        request.insert(name, value);
    }
    request.body() = {outgoing.body.data(), outgoing.body.size()};  // a view: Request::body outlives the send
    request.prepare_payload();
    return request;
}

Response to_response(WireResponse& wire, std::string url) {
    Response response;
    response.status = wire.result_int();
    for (const auto& field : wire) response.headers.emplace_back(lower_case(field.name_string()), field.value());
    response.body = std::move(wire.body());
    response.url = std::move(url);
    return response;
}

}  // namespace

std::optional<std::string_view> find_header(const Headers& headers, std::string_view name) {
    auto same_name = [name](const auto& field) {
        return std::equal(field.first.begin(), field.first.end(), name.begin(), name.end(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        });
    };
    auto found = std::find_if(headers.begin(), headers.end(), same_name);
    if (found == headers.end()) return std::nullopt;
    return found->second;
}

void set_header(Headers& headers, std::string name, std::string value) {
    for (auto& [existing_name, existing_value] : headers)
        if (existing_name == name) {
            existing_value = std::move(value);
            return;
        }
    headers.emplace_back(std::move(name), std::move(value));
}

ClientOptions ClientOptions::from(const Settings& settings) {
    ClientOptions options;
    options.public_url = settings.public_url;
    options.address_policy.allow_private_addresses = settings.allow_private_addresses;
    options.allow_plain_http = settings.allow_plain_http;
    options.max_fetches_per_host = settings.fetch_per_host;
    return options;
}

struct HttpClient::State {
    State(asio::any_io_executor e, ClientOptions o)
        : executor(std::move(e)),
          options(std::move(o)),
          connector(options.address_policy, options.static_hosts, options.extra_ca_pem),
          pool(options.max_idle_connections_per_origin, options.idle_timeout),
          fetch_slots(std::make_shared<HostSlots>(options.max_fetches_per_host)),
          user_agent(std::string(software_name) + "/" + version + " (+" + options.public_url + ")") {}

    asio::any_io_executor executor;
    const ClientOptions options;
    Connector connector;
    ConnectionPool pool;
    std::shared_ptr<HostSlots> fetch_slots;
    const std::string user_agent;

    asio::awaitable<Result> fetch(Request request) {
        auto verb = http::string_to_verb(request.method);
        if (verb == http::verb::unknown)
            co_return Error{ErrorKind::invalid_request, "unknown method " + request.method};
        auto url = parse_remote_url(request.url);
        if (!url) co_return url.error();
        Budget budget(request.limits.value_or(options.limits));
        // Safe methods only: they are the ones that may follow redirects and be sent twice.
        bool safe = verb == http::verb::get || verb == http::verb::head;
        // One place among the first host's fetches for the whole fetch, redirects included (they mostly stay on
        // the host, and a place per hop could leave a fetch holding one host while waiting for another).
        HostSlots::Slot slot;
        if (safe) {
            slot = co_await fetch_slots->acquire(url->host, budget.deadline);
            if (!slot)
                co_return Error{ErrorKind::timeout, request.url + ": no turn among the fetches to " + url->host +
                                                        " before the deadline"};
        }

        for (unsigned redirects = 0;; ++redirects) {
            if (!url->tls && !options.allow_plain_http)
                co_return Error{ErrorKind::plain_http_refused, "plain http refused: " + url->text};
            auto wire = to_wire(outgoing_request(request, *url), verb);
            if (!wire) co_return wire.error();
            auto sent = co_await send(*url, *wire, budget, safe);
            if (!sent) co_return sent.error();

            auto location = sent->find(http::field::location);
            if (!safe || !is_redirect(sent->result_int()) || location == sent->end())
                co_return to_response(*sent, url->text);
            if (redirects == budget.limits.max_redirects)
                co_return Error{ErrorKind::too_many_redirects,
                                request.url + ": more than " + std::to_string(redirects) + " redirects"};
            auto next = resolve_location(*url, location->value());
            if (!next) co_return next.error();
            if (url->tls && !next->tls)
                co_return Error{ErrorKind::insecure_redirect, url->text + " redirects to " + next->text};
            url = std::move(next);
        }
    }

    // The hop's request as it will go out, after the caller's hook (signing) saw it.
    OutgoingRequest outgoing_request(const Request& request, const RemoteUrl& url) const {
        OutgoingRequest outgoing{request.method, url.text, std::string(url.scheme()), url.authority, url.target, {},
                                 request.shared_body ? std::string_view(*request.shared_body) : request.body};
        outgoing.headers = {{"host", url.authority}, {"user-agent", user_agent}};
        for (const auto& [name, value] : request.headers) {
            auto lower_name = lower_case(name);
            if (lower_name != "host") set_header(outgoing.headers, std::move(lower_name), value);
        }
        if (request.before_send) request.before_send(outgoing);
        return outgoing;
    }

    // One hop: on a pooled connection when there is one, else (or when that one turns out stale and the
    // request may be sent twice) on a new one.
    asio::awaitable<Expected<WireResponse>> send(const RemoteUrl& url, const WireRequest& request, const Budget& budget,
                                                 bool may_resend) {
        auto origin = url.origin();
        if (auto pooled = pool.take(origin)) {
            auto strand = pooled->executor();
            auto exchanged =
                co_await asio::co_spawn(strand, round_trip(pooled, url, request, budget), asio::use_awaitable);
            if (!(exchanged.nothing_received && may_resend))
                co_return finish(origin, url, std::move(pooled), exchanged, true);
            log::debug("stale keep-alive connection, retrying", {{"origin", origin}});
            discard(std::move(pooled));
        }
        std::unique_ptr<Connection> fresh;
        auto exchanged = co_await asio::co_spawn(asio::make_strand(executor), round_trip(fresh, url, request, budget),
                                                 asio::use_awaitable);
        co_return finish(origin, url, std::move(fresh), exchanged, false);
    }

    // Runs on the connection's strand; opens the connection first when none was pooled.
    asio::awaitable<Exchange> round_trip(std::unique_ptr<Connection>& connection, const RemoteUrl& url,
                                         const WireRequest& request, const Budget& budget) {
        if (!connection) {
            auto opened = co_await connector.open(url, budget);
            if (!opened) {
                Exchange failed;
                failed.error = opened.error();
                co_return failed;
            }
            connection = std::move(*opened);
        }
        auto exchanged = co_await exchange(*connection, request, url.host, budget);
        // Any session the server sends came before its response: connections waiting on this one's need not wait.
        connection->lead.release(!exchanged.error);
        co_return exchanged;
    }

    Expected<WireResponse> finish(const std::string& origin, const RemoteUrl& url,
                                  std::unique_ptr<Connection> connection, Exchange& exchanged, bool reused) {
        if (log::enabled(log::Level::debug))
            log::debug("outbound request", {{"url", url.text},
                                            {"status", exchanged.error ? 0u : exchanged.response.result_int()},
                                            {"reused", reused ? "yes" : "no"},
                                            {"error", exchanged.error ? exchanged.error->detail : ""}});
        if (connection) {
            if (exchanged.reusable)
                pool.put(origin, std::move(connection));
            else
                discard(std::move(connection));
        }
        if (exchanged.error) return std::move(*exchanged.error);
        return std::move(exchanged.response);
    }
};

HttpClient::HttpClient(asio::any_io_executor executor, ClientOptions options)
    : state_(std::make_shared<State>(std::move(executor), std::move(options))) {}

HttpClient::~HttpClient() = default;

asio::awaitable<Result> HttpClient::fetch(Request request) {
    auto state = state_;  // keeps the pool and TLS context alive until this fetch is over
    co_return co_await state->fetch(std::move(request));
}

}  // namespace fedblog::transport
