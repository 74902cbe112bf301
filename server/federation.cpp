#include "server/federation.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/http/field.hpp>
#include <charconv>

#include "activitypub/delivery/publication.hpp"
#include "activitypub/inbox/inbox.hpp"
#include "activitypub/inbox/replies.hpp"
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
#include "store/meta.hpp"
#include "store/posts.hpp"

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

// What the inbox takes from the settings; serve's SIGHUP hands it new ones.
inbox::InboxOptions inbox_options(const Settings& settings) {
    return inbox::InboxOptions{.manually_approves_followers = settings.manually_approves_followers,
                               .blocked_domains = settings.blocked_domains,
                               .comments = inbox::CommentPolicy::from(settings),
                               .require_https = !settings.allow_plain_http,
                               .rate_per_host = {.per_minute = settings.inbox_rate_per_host,
                                                 .burst = settings.inbox_burst_per_host},
                               .max_in_flight = settings.inbox_max_in_flight};
}

}  // namespace

struct Federation::Parts {
    Parts(App& app, FederationTuning tuning)
        : app(app),
          tuning(tuning),
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
                inbox_options(app.settings()),
                now_seconds, [this] { engine.wake(); }),
          public_scheme(ids.origin().substr(0, ids.origin().find(':'))),
          housekeeping_timer(io),
          backfill_timer(io),
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

    comments::Walker walker() {
        return comments::Walker{
            fetcher, app.database(), ids.origin(),
            [this](const std::string& url) { return inbox::find_thread_place(app.database(), ids, url).has_value(); },
            [this](const std::string& url) { return inbox.is_blocked(url); }};
    }

    asio::awaitable<BackfillReport> backfill_post(store::Post post) {
        const comments::Walker conversation = walker();
        co_return co_await server::backfill_post(conversation, ids, post, tuning.backfill_limits,
                                                      inbox::CommentPolicy::from(app.settings()), now_seconds);
    }

    // Every `backfill_every`, the conversations of recent posts; the last run's time is kept in the store, so
    // restarts neither skip nor repeat it.
    void schedule_backfill() {
        if (tuning.backfill_every.count() <= 0) return;
        std::chrono::seconds delay = tuning.backfill_every;  // when the store cannot tell: a full period
        try {
            std::int64_t last = 0;  // never: now
            if (auto stored = store::get_meta(app.database(), backfill_meta_key))
                std::from_chars(stored->data(), stored->data() + stored->size(), last);
            delay = std::chrono::seconds(std::max<std::int64_t>(0, last + tuning.backfill_every.count() - now_seconds()));
            if (last == 0) delay = std::chrono::seconds(0);
        } catch (const std::exception& e) {
            log::warn("backfill schedule unreadable", {{"error", e.what()}});
        }
        backfill_timer.expires_after(delay);
        backfill_timer.async_wait([this](boost::system::error_code ec) {
            if (ec) return;
            asio::co_spawn(io, backfill_recent(), [this](std::exception_ptr failure) {
                try {
                    if (failure) std::rethrow_exception(failure);
                } catch (const std::exception& e) {
                    log::warn("backfill failed", {{"error", e.what()}});
                }
                schedule_backfill();
            });
        });
    }

    asio::awaitable<void> backfill_recent() {
        const std::int64_t now = now_seconds();
        store::set_meta(app.database(), backfill_meta_key, std::to_string(now));
        for (const auto& post : store::Posts(app.database()).all()) {
            if (post.is_deleted() || post.published < now - tuning.backfill_recent.count()) continue;
            BackfillReport report = co_await backfill_post(post);
            if (report.added || report.held || report.private_messages || !report.bounds.empty())
                log::info("comments backfilled", {{"post", report.slug},
                                                  {"added", report.added},
                                                  {"held", report.held},
                                                  {"private", report.private_messages},
                                                  {"fetches", report.fetches},
                                                  {"bounds", report.bounds}});
        }
    }

    static constexpr const char* backfill_meta_key = "comments_backfilled_at";

    App& app;
    FederationTuning tuning;
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
    asio::steady_timer backfill_timer;
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
    asio::post(parts_->io, [parts = parts_.get()] {
        parts->housekeeping();
        parts->schedule_backfill();
    });
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
            http::Response refusal = http::error(request, static_cast<http::Status>(answer.status), message,
                                                 http::Representation::activity_json);
            if (answer.retry_after) refusal.set(beast_http::field::retry_after, std::to_string(answer.retry_after));
            co_return refusal;
        }
        http::Response response = http::make_response(request, static_cast<http::Status>(answer.status),
                                                      answer.reason + "\n", "text/plain; charset=utf-8");
        co_return response;
    };
}

void Federation::wake_deliveries() { parts_->engine.wake(); }

void Federation::apply_settings(const Settings& settings) { parts_->inbox.set_options(inbox_options(settings)); }

const delivery::DeliveryEngine& Federation::deliveries() const { return parts_->engine; }

std::optional<BackfillReport> Federation::backfill(const std::string& slug) {
    auto post = store::Posts(parts_->app.database()).find_by_slug(slug);
    if (!post || post->is_deleted()) return std::nullopt;
    auto done = asio::co_spawn(parts_->io, parts_->backfill_post(*post), asio::use_future);
    // Not started (the command line): this thread runs the event loop until the walk is over.
    if (parts_->threads.empty())
        while (done.wait_for(std::chrono::seconds(0)) != std::future_status::ready)
            if (parts_->io.run_one() == 0) throw std::runtime_error("the federation's event loop has stopped");
    return done.get();
}

}  // namespace fedblog::server
