#include "server/federation.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http/field.hpp>

#include "activitypub/delivery/publication.hpp"
#include "activitypub/inbox/inbox.hpp"
#include "activitypub/remote/document_fetcher.hpp"
#include "activitypub/remote/key_directory.hpp"
#include "activitypub/remote/signed_fetch.hpp"
#include "activitypub/remote/signed_post.hpp"
#include "common/log.hpp"
#include "common/time.hpp"
#include "keys/signature_policy.hpp"
#include "server/proxy_check.hpp"
#include "store/deliveries.hpp"
#include "store/followers.hpp"
#include "store/hosts.hpp"

namespace fedblog::server {

namespace asio = boost::asio;
namespace beast_http = boost::beast::http;
using namespace fedblog::activitypub;

namespace {

transport::ClientOptions client_options(const Settings& settings, transport::ClientOptions given) {
    transport::ClientOptions options = given.public_url.empty() ? transport::ClientOptions::from(settings) : given;
    // Every delivery slot of a host keeps its connection: fewer, and each TLS handshake would be paid again.
    options.max_idle_connections_per_origin =
        std::max<std::size_t>(options.max_idle_connections_per_origin, settings.delivery_per_host);
    return options;
}

const char* scheme_name(keys::SignatureScheme scheme) {
    return scheme == keys::SignatureScheme::rfc9421 ? "rfc9421" : "cavage";
}

keys::HttpMessage message_of(const http::Request& request, const std::string& public_scheme) {
    keys::HttpMessage message;
    message.method = std::string(request.method_string());
    // TLS ends at the reverse proxy: the signature covers the public URL, whose scheme the settings know.
    message.scheme = public_scheme;
    message.authority = std::string(request[beast_http::field::host]);
    message.target = std::string(request.target());
    for (const auto& field : request) {
        std::string name(field.name_string());
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        message.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    message.body = request.body();
    return message;
}

}  // namespace

struct Federation::Parts {
    Parts(App& app, FederationTuning tuning)
        : app(app),
          ids(app.settings().public_url, app.settings().handle),
          work(asio::make_work_guard(io)),
          client(io.get_executor(), client_options(app.settings(), tuning.client)),
          sign_get(remote::cavage_signer(app.key(), ids.key_id(), now_seconds)),
          keys(client, app.database(), sign_get,
               remote::KeyDirectory::Options{.require_https = !app.settings().allow_plain_http}, now_seconds),
          fetcher(client, sign_get),
          schemes(app.settings().signature_scheme == "rfc9421" ? keys::SignatureScheme::rfc9421
                                                              : keys::SignatureScheme::cavage,
                  [&db = app.database()](const std::string& host, keys::SignatureScheme scheme) {
                      store::Hosts(db).set_signature_scheme(host, scheme_name(scheme));
                  }),
          poster(client, app.key(), ids.key_id(), now_seconds, schemes),
          engine(io.get_executor(), app.database(), poster,
                 delivery::EngineOptions{.concurrency = static_cast<int>(app.settings().delivery_concurrency),
                                         .per_host = static_cast<int>(app.settings().delivery_per_host),
                                         .poll_interval = tuning.poll_interval,
                                         .schedule = tuning.schedule},
                 now_seconds),
          inbox(app.database(), ids, keys, fetcher,
                inbox::InboxOptions{.manually_approves_followers = app.settings().manually_approves_followers,
                                    .blocked_domains = app.settings().blocked_domains,
                                    .require_https = !app.settings().allow_plain_http,
                                    .replies = {.comments_close_after_days = app.settings().comments_close_after_days}},
                now_seconds, [this] { engine.wake(); }),
          public_scheme(ids.origin().substr(0, ids.origin().find(':'))),
          housekeeping_timer(io),
          thread_count(tuning.threads ? tuning.threads
                                      : app.settings().threads ? app.settings().threads
                                                               : std::max(1u, std::thread::hardware_concurrency())) {
        for (const auto& [host, scheme] : store::Hosts(app.database()).signature_schemes())
            schemes.recall(host, scheme == "rfc9421" ? keys::SignatureScheme::rfc9421 : keys::SignatureScheme::cavage);
    }

    // Hourly: forget activity ids older than any redelivery (Mastodon retries for about 3 days) and
    // finished deliveries older than a week, so neither table grows without end.
    void housekeeping() {
        try {
            const std::int64_t now = now_seconds();
            int seen = store::SeenActivities(app.database()).forget_before(now - 14 * 86400);
            int done = store::Deliveries(app.database()).forget_done_before(now - 7 * 86400);
            if (delivery::announce_comments_closed_by_age(app.database(), app.settings(), ids, now) > 0)
                engine.wake();
            if (seen || done) log::info("housekeeping", {{"seen_ids_forgotten", seen}, {"deliveries_forgotten", done}});
        } catch (const std::exception& e) {
            log::warn("housekeeping failed", {{"error", e.what()}});
        }
        housekeeping_timer.expires_after(std::chrono::hours(1));
        housekeeping_timer.async_wait([this](boost::system::error_code ec) {
            if (!ec) housekeeping();
        });
    }

    App& app;
    Ids ids;
    asio::io_context io;
    asio::executor_work_guard<asio::io_context::executor_type> work;
    transport::HttpClient client;
    transport::BeforeSend sign_get;
    remote::KeyDirectory keys;
    remote::DocumentFetcher fetcher;
    remote::SchemeMemory schemes;
    remote::SignedPoster poster;
    delivery::DeliveryEngine engine;
    inbox::Inbox inbox;
    std::string public_scheme;
    asio::steady_timer housekeeping_timer;
    unsigned thread_count;
    std::vector<std::thread> threads;
    Metrics* metrics = nullptr;
};

Federation::Federation(App& app, FederationTuning tuning, Metrics* metrics)
    : parts_(std::make_unique<Parts>(app, std::move(tuning))) {
    parts_->metrics = metrics;
}

Federation::~Federation() { stop(std::chrono::seconds(0)); }

void Federation::start() {
    parts_->engine.start();
    asio::post(parts_->io, [parts = parts_.get()] { parts->housekeeping(); });
    for (unsigned i = 0; i < parts_->thread_count; ++i) parts_->threads.emplace_back([parts = parts_.get()] {
        parts->io.run();
    });
}

void Federation::stop(std::chrono::seconds grace) {
    if (parts_->threads.empty()) return;
    parts_->engine.stop();
    auto deadline = std::chrono::steady_clock::now() + grace;
    while (parts_->engine.in_flight() > 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (parts_->engine.in_flight() > 0)
        log::info("deliveries still in flight at shutdown; they resume at the next start",
                  {{"jobs", parts_->engine.in_flight()}});
    parts_->work.reset();
    parts_->io.stop();
    for (auto& thread : parts_->threads) thread.join();
    parts_->threads.clear();
}

InboxEndpoint Federation::inbox_endpoint() {
    return [parts = parts_.get()](const http::Request& request, const Peer& peer) -> asio::awaitable<http::Response> {
        inbox::InboxRequest incoming{message_of(request, parts->public_scheme),
                                     std::string(request[beast_http::field::content_type]), peer.client};
        inbox::InboxAnswer answer = co_await parts->inbox.receive(incoming);
        if (parts->metrics) parts->metrics->count_inbox(answer.activity_type, answer.reason);
        if (answer.status >= 400) {
            std::string message = answer.reason + ": " + answer.detail;
            // A bad signature is most often a proxy that rewrote Host: say so rather than only "bad signature".
            if (answer.status == 401 && is_signed(request))
                if (auto hint = host_rewritten_hint(request, parts->ids)) {
                    warn_misconfigured_proxy(*hint, peer, request.target());
                    message += " (" + *hint + ")";
                }
            co_return http::error(request, static_cast<http::Status>(answer.status), message,
                                  http::Representation::activity_json);
        }
        http::Response response = http::make_response(request, static_cast<http::Status>(answer.status),
                                                      answer.reason + "\n", "text/plain; charset=utf-8");
        co_return response;
    };
}

void Federation::wake_deliveries() { parts_->engine.wake(); }

const delivery::DeliveryEngine& Federation::deliveries() const { return parts_->engine; }

}  // namespace fedblog::server
