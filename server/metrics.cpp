#include "server/metrics.hpp"

#include <boost/beast/http/field.hpp>
#include <cstdio>
#include <mutex>

#include "common/time.hpp"
#include "common/version.hpp"
#include "store/columns.hpp"

namespace fedblog::server {

namespace beast_http = boost::beast::http;

namespace {

// Index 0 is for requests that could not be read; the last is every path no route knows.
constexpr std::array<std::string_view, 31> routes = {
    "(unread)",
    "/",
    "/posts/:slug",
    "/posts/:slug/activity",
    "/posts/:slug/replies",
    "/posts/:slug/likes",
    "/posts/:slug/shares",
    "/users/:handle",
    "/users/:handle/inbox",
    "/users/:handle/outbox",
    "/users/:handle/followers",
    "/users/:handle/following",
    "/@:handle",
    "/inbox",
    "/tags/:tag",
    "/feed.xml",
    "/style.css",
    "/healthz",
    "/metrics",
    "/.well-known/webfinger",
    "/.well-known/host-meta",
    "/.well-known/host-meta.json",
    "/.well-known/nodeinfo",
    "/nodeinfo/2.1",
    "/media/*",
    "/api/posts/:slug/comments",
    "/embed/:slug",
    "/embed.js",
    "/authorize_interaction",
    "/favicon.ico",
    "other",
};

// Activity types counted under their own name; a sender's invention counts as "other".
constexpr std::array<std::string_view, 17> known_types = {
    "Follow", "Undo",  "Accept", "Reject", "Create",    "Update", "Delete",   "Like",  "Announce",
    "Move",   "Block", "Flag",   "Add",    "Remove",    "EmojiReact", "QuoteRequest", "",
};

std::vector<std::string_view> split_path(std::string_view path) {
    std::vector<std::string_view> segments;
    path.remove_prefix(1);
    while (!path.empty()) {
        auto slash = path.find('/');
        segments.push_back(path.substr(0, slash));
        if (slash == std::string_view::npos) break;
        path.remove_prefix(slash + 1);
        if (path.empty()) segments.emplace_back();  // a trailing slash
    }
    return segments;
}

std::size_t route_index(std::string_view target) {
    std::string_view path = target.substr(0, target.find('?'));
    if (!path.starts_with('/')) return routes.size() - 1;
    auto s = split_path(path);
    auto is = [&](std::string_view route) -> std::size_t {
        for (std::size_t i = 0; i < routes.size(); ++i)
            if (routes[i] == route) return i;
        return routes.size() - 1;
    };
    if (s.empty()) return is("/");
    if (s.size() == 1) {
        if (s[0].starts_with('@') && s[0].size() > 1) return is("/@:handle");
        std::string one = "/" + std::string(s[0]);
        return is(one);  // "/inbox", "/feed.xml", ... or "other"
    }
    if (s[0] == "posts" && s.size() == 2) return is("/posts/:slug");
    if (s[0] == "posts" && s.size() == 3) return is("/posts/:slug/" + std::string(s[2]));
    if (s[0] == "users" && s.size() == 2) return is("/users/:handle");
    if (s[0] == "users" && s.size() == 3) return is("/users/:handle/" + std::string(s[2]));
    if (s[0] == "tags" && s.size() == 2) return is("/tags/:tag");
    if (s[0] == "media") return is("/media/*");
    if (s[0] == "embed" && s.size() == 2) return is("/embed/:slug");
    if (s[0] == "api" && s.size() == 4 && s[1] == "posts" && s[3] == "comments") return is("/api/posts/:slug/comments");
    if (s.size() == 2 && (s[0] == ".well-known" || s[0] == "nodeinfo"))
        return is("/" + std::string(s[0]) + "/" + std::string(s[1]));
    return routes.size() - 1;
}

// A label value as the exposition format wants it: backslash, quote and newline escaped.
std::string label(std::string_view value) {
    std::string out;
    for (char c : value) {
        if (c == '\\' || c == '"') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out;
}

void header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
}

std::string number(double value) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.6g", value);
    return buffer;
}

// Rows of (label value, count) from one grouped query.
std::vector<std::pair<std::string, std::int64_t>> grouped(store::Database& db, const char* sql) {
    std::lock_guard lock(db.mutex());
    auto& query = db.prepared(sql);
    store::columns::ResetOnExit done(query);
    std::vector<std::pair<std::string, std::int64_t>> rows;
    while (query.executeStep()) rows.emplace_back(query.getColumn(0).getString(), query.getColumn(1).getInt64());
    return rows;
}

// Every expected label value appears, with 0 when the query found none, so a series never vanishes.
void gauge_by(std::string& out, std::string_view name, std::string_view label_name,
              std::initializer_list<std::string_view> expected, const std::vector<std::pair<std::string, std::int64_t>>& rows) {
    for (std::string_view value : expected) {
        std::int64_t count = 0;
        for (const auto& [key, n] : rows)
            if (key == value) count = n;
        out += std::string(name) + "{" + std::string(label_name) + "=\"" + std::string(value) + "\"} " +
               std::to_string(count) + "\n";
    }
}

}  // namespace

std::string_view route_of(std::string_view target) { return routes[route_index(target)]; }

Metrics::Metrics()
    : requests_(std::make_unique<std::array<std::array<std::atomic<std::uint64_t>, status_count>, route_count>>()),
      started_(now_seconds()) {
    static_assert(routes.size() <= route_count);
}

void Metrics::count_response(const http::Request& request, const http::Response& response) {
    unsigned status = static_cast<unsigned>(response.result());
    if (status < first_status || status >= first_status + status_count) return;
    std::size_t route = request.target().empty() ? 0 : route_index(request.target());
    (*requests_)[route][status - first_status].fetch_add(1, std::memory_order_relaxed);
}

void Metrics::count_refused_connection(std::string_view limit) {
    (limit == "max_connections" ? refused_overall_ : refused_per_client_).fetch_add(1, std::memory_order_relaxed);
}

void Metrics::count_inbox(std::string_view type, std::string_view outcome) {
    std::string_view type_label = "other";
    for (std::string_view known : known_types)
        if (type == known) type_label = known.empty() ? "(unreadable)" : known;
    // Outcomes are the inbox's own reason words; anything else (there should be nothing) is folded.
    bool word = !outcome.empty() && outcome.size() <= 40;
    for (char c : outcome) word = word && ((c >= 'a' && c <= 'z') || c == '_');
    std::string_view outcome_label = outcome.empty() ? "accepted" : word ? outcome : "other";
    {
        std::shared_lock lock(inbox_mutex_);
        for (auto& series : inbox_)
            if (series.type == type_label && series.outcome == outcome_label) {
                series.count.fetch_add(1, std::memory_order_relaxed);
                return;
            }
    }
    std::unique_lock lock(inbox_mutex_);
    for (auto& series : inbox_)
        if (series.type == type_label && series.outcome == outcome_label) {
            series.count.fetch_add(1, std::memory_order_relaxed);
            return;
        }
    auto& added = inbox_.emplace_back();
    added.type = type_label;
    added.outcome = outcome_label;
    added.count = 1;
}

std::string Metrics::render(store::Database& db, const activitypub::delivery::EngineCounters* deliveries) const {
    std::string out;
    out.reserve(8192);
    header(out, "fedblog_build_info", "gauge", "The running version, as a label; always 1.");
    out += "fedblog_build_info{version=\"" + label(version) + "\"} 1\n";
    header(out, "fedblog_start_time_seconds", "gauge", "When this process started, in Unix time.");
    out += "fedblog_start_time_seconds " + std::to_string(started_) + "\n";

    header(out, "fedblog_http_requests_total", "counter",
           "HTTP responses written, by route pattern and status (route \"(unread)\": requests refused before routing).");
    for (std::size_t route = 0; route < routes.size(); ++route)
        for (unsigned i = 0; i < status_count; ++i) {
            std::uint64_t n = (*requests_)[route][i].load(std::memory_order_relaxed);
            if (n == 0) continue;
            out += "fedblog_http_requests_total{route=\"" + label(routes[route]) + "\",status=\"" +
                   std::to_string(first_status + i) + "\"} " + std::to_string(n) + "\n";
        }

    header(out, "fedblog_connections_refused_total", "counter",
           "Connections closed at accept, by the setting they were over.");
    out += "fedblog_connections_refused_total{limit=\"max_connections\"} " +
           std::to_string(refused_overall_.load(std::memory_order_relaxed)) + "\n";
    out += "fedblog_connections_refused_total{limit=\"max_connections_per_client\"} " +
           std::to_string(refused_per_client_.load(std::memory_order_relaxed)) + "\n";

    header(out, "fedblog_inbox_activities_total", "counter",
           "Inbox POSTs, by activity type and outcome (the reason the inbox answered with).");
    {
        std::shared_lock lock(inbox_mutex_);
        for (const auto& series : inbox_)
            out += "fedblog_inbox_activities_total{type=\"" + label(series.type) + "\",outcome=\"" +
                   label(series.outcome) + "\"} " + std::to_string(series.count.load(std::memory_order_relaxed)) + "\n";
    }

    header(out, "fedblog_deliveries_total", "counter",
           "Delivery attempts by this process, by outcome: succeeded, retried (failed, tried again later), "
           "failed (given up: refused, gone, or out of retries).");
    std::uint64_t succeeded = deliveries ? deliveries->delivered.load() : 0;
    std::uint64_t retried = deliveries ? deliveries->retried.load() : 0;
    std::uint64_t failed = deliveries ? deliveries->dead.load() : 0;
    out += "fedblog_deliveries_total{outcome=\"succeeded\"} " + std::to_string(succeeded) + "\n";
    out += "fedblog_deliveries_total{outcome=\"retried\"} " + std::to_string(retried) + "\n";
    out += "fedblog_deliveries_total{outcome=\"failed\"} " + std::to_string(failed) + "\n";

    header(out, "fedblog_delivery_duration_seconds", "histogram", "Time from sending a delivery to its answer.");
    std::uint64_t cumulative = 0;
    const auto& bounds = DurationHistogram::bounds;
    for (std::size_t i = 0; i <= bounds.size(); ++i) {
        cumulative += deliveries ? deliveries->latency.bucket(i) : 0;
        std::string le = i < bounds.size() ? number(bounds[i]) : "+Inf";
        out += "fedblog_delivery_duration_seconds_bucket{le=\"" + le + "\"} " + std::to_string(cumulative) + "\n";
    }
    out += "fedblog_delivery_duration_seconds_sum " + number(deliveries ? deliveries->latency.sum_seconds() : 0) + "\n";
    out += "fedblog_delivery_duration_seconds_count " + std::to_string(cumulative) + "\n";

    header(out, "fedblog_deliveries_queued", "gauge",
           "Deliveries in the queue, by state: pending (waiting or in flight) and dead (given up, kept for "
           "`fedblog deliveries retry`).");
    gauge_by(out, "fedblog_deliveries_queued", "state", {"pending", "dead"},
             grouped(db, "SELECT state, count(*) FROM deliveries WHERE state != 'done' GROUP BY state"));
    header(out, "fedblog_followers", "gauge", "Followers, by state: accepted, or pending the owner's approval.");
    gauge_by(out, "fedblog_followers", "state", {"accepted", "pending"},
             grouped(db, "SELECT state, count(*) FROM followers GROUP BY state"));
    header(out, "fedblog_comments", "gauge", "Comments, by state: approved, held for approval, hidden, or deleted.");
    gauge_by(out, "fedblog_comments", "state", {"approved", "held", "hidden", "deleted"},
             grouped(db, "SELECT CASE WHEN deleted IS NULL THEN state ELSE 'deleted' END AS s, count(*) "
                         "FROM comments GROUP BY s"));
    header(out, "fedblog_posts", "gauge", "Posts, by state: published, or deleted (a Tombstone).");
    gauge_by(out, "fedblog_posts", "state", {"published", "deleted"},
             grouped(db, "SELECT CASE WHEN deleted IS NULL THEN 'published' ELSE 'deleted' END AS s, count(*) "
                         "FROM posts GROUP BY s"));
    return out;
}

std::function<http::Response(const http::Request&, const Peer&)> metrics_endpoint(const Metrics& metrics,
                                                                                  store::Database& db,
                                                                                  DeliveryCounters deliveries,
                                                                                  AddressSet allowed,
                                                                                  AddressSet trusted_proxies) {
    return [&metrics, &db, deliveries = std::move(deliveries), allowed = std::move(allowed),
            trusted = std::move(trusted_proxies)](const http::Request& request, const Peer& peer) {
        bool relayed_by_stranger = request.find("X-Forwarded-For") != request.end() &&
                                   !trusted.contains(peer.address);
        if (relayed_by_stranger || !allowed.contains(peer.client))
            return http::error(request, http::Status::forbidden,
                               "metrics are served only to the addresses in metrics_allowed",
                               http::Representation::html);
        if (request.method() != beast_http::verb::get && request.method() != beast_http::verb::head) {
            http::Response response =
                http::error(request, http::Status::method_not_allowed, "only GET and HEAD are allowed here",
                            http::Representation::html);
            response.set(beast_http::field::allow, "GET, HEAD");
            return response;
        }
        http::Response response = http::make_response(request, http::Status::ok,
                                                      metrics.render(db, deliveries ? deliveries() : nullptr),
                                                      "text/plain; version=0.0.4; charset=utf-8");
        response.set(beast_http::field::cache_control, "no-store");
        return response;
    };
}

}  // namespace fedblog::server
