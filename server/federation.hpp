#pragma once
// The server's federation side, wired together: the outbound HTTP client, remote keys, the inbox and the
// delivery workers, on an io_context and threads of their own, so a slow remote server or a large fan-out
// never holds up a page or an inbox answer.
#include <memory>
#include <thread>
#include <vector>

#include "activitypub/delivery/engine.hpp"
#include "activitypub/transport/http_client.hpp"
#include "server/app.hpp"
#include "server/comment_backfill.hpp"
#include "server/metrics.hpp"
#include "server/router.hpp"

namespace fedblog::server {

struct FederationTuning {
    activitypub::delivery::RetrySchedule schedule;       // tests shrink it
    std::chrono::milliseconds poll_interval{1000};       // how soon jobs queued by another process are seen
    transport::ClientOptions client;                     // filled from the settings when public_url is empty
    unsigned threads = 0;                                // 0: the settings' threads
    // Conversations of the posts published within `backfill_recent` are walked every `backfill_every`
    // (0: never on its own; `fedblog comments backfill` still works), each post within `backfill_limits`.
    std::chrono::seconds backfill_every{std::chrono::hours(6)};
    std::chrono::seconds backfill_recent{std::chrono::days(30)};
    activitypub::comments::WalkLimits backfill_limits{.max_depth = 8,
                                                      .max_fetches = 200,
                                                      .max_replies = 200,
                                                      .max_pages = 8,
                                                      .time_budget = std::chrono::seconds(60)};
};

class Federation {
public:
    // `metrics`, when given, counts inbox activities; it must outlive the Federation.
    explicit Federation(App& app, FederationTuning tuning = {}, Metrics* metrics = nullptr);
    ~Federation();
    Federation(const Federation&) = delete;
    Federation& operator=(const Federation&) = delete;

    // Starts the delivery workers (resuming what a previous process left) and the threads.
    void start();
    // Stops taking new deliveries, lets those in flight end within `grace`, then stops the threads.
    void stop(std::chrono::seconds grace);

    // What the router calls for POST /inbox and /users/<handle>/inbox.
    InboxEndpoint inbox_endpoint();
    // New jobs are in the queue: start them now.
    void wake_deliveries();
    // The inbox's share of new settings (blocked domains, follower approval, comment moderation, admission).
    void apply_settings(const Settings& settings);
    const activitypub::delivery::DeliveryEngine& deliveries() const;
    // Walks the post's conversations now and imports the replies never delivered: on the federation's
    // threads once started, else on the caller's. Nothing when there is no such live post.
    std::optional<BackfillReport> backfill(const std::string& slug);

private:
    struct Parts;
    std::unique_ptr<Parts> parts_;
};

}  // namespace fedblog::server
