#pragma once
// GET /metrics in the Prometheus text exposition format (version 0.0.4). Counters are atomics bumped on the
// request path; gauges (followers, comments, queued deliveries) are read from SQLite when scraped, so they
// are right even when another process (`fedblog publish`, an admin command) changed the data.
#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "activitypub/delivery/engine.hpp"
#include "http/message.hpp"
#include "server/forwarded.hpp"
#include "server/http_server.hpp"
#include "store/database.hpp"

namespace fedblog::server {

// The label a request is counted under: its route's pattern ("/posts/:slug"), never the raw path, so the
// number of series stays fixed whatever clients ask for.
std::string_view route_of(std::string_view target);

class Metrics {
public:
    Metrics();

    // Every response the server writes (an HttpServer ResponseObserver).
    void count_response(const http::Request& request, const http::Response& response);
    // A connection closed at accept for being over `limit` (an HttpServer RefusalObserver).
    void count_refused_connection(std::string_view limit);
    // One inbox POST: the activity's type as sent (unknown types count as "other") and the inbox's reason.
    void count_inbox(std::string_view type, std::string_view outcome);

    // The whole exposition. `deliveries` may be null (no delivery workers in this process).
    std::string render(store::Database& db, const activitypub::delivery::EngineCounters* deliveries) const;

private:
    static constexpr std::size_t route_count = 32;
    static constexpr unsigned first_status = 100, status_count = 500;  // 100..599
    std::unique_ptr<std::array<std::array<std::atomic<std::uint64_t>, status_count>, route_count>> requests_;

    // Inbox counters by (type, outcome): found under a shared lock, created once under an exclusive one.
    struct InboxSeries {
        std::string type, outcome;
        std::atomic<std::uint64_t> count{0};
    };
    std::atomic<std::uint64_t> refused_overall_{0}, refused_per_client_{0};

    mutable std::shared_mutex inbox_mutex_;
    std::deque<InboxSeries> inbox_;
    std::int64_t started_ = 0;
};

// The /metrics handler: the exposition for clients in `allowed`, 403 for anyone else. A request relayed by a
// proxy that is not trusted (it carries X-Forwarded-For, but the peer is not in trusted_proxies) is refused
// even from loopback: its real client is unknown.
using DeliveryCounters = std::function<const activitypub::delivery::EngineCounters*()>;
std::function<http::Response(const http::Request&, const Peer&)> metrics_endpoint(const Metrics& metrics,
                                                                                  store::Database& db,
                                                                                  DeliveryCounters deliveries,
                                                                                  AddressSet allowed,
                                                                                  AddressSet trusted_proxies);

}  // namespace fedblog::server
