#pragma once
// The delivery workers: they take due jobs from the queue in SQLite, POST each one signed at send time, and
// store what happened (done, retry later, dead), so a restart resumes exactly where the queue stands.
//   - At most `concurrency` deliveries in flight, at most `per_host` to one host (connections are reused per
//     host by the transport's pool).
//   - Failures are retried on the retry policy's schedule; 410 from an inbox removes the followers behind it;
//     a host failing on 7 different days with no success between is parked (one probe a day) until it answers
//     or sends us a signed activity.
//   - Jobs queued by this process wake the workers at once (wake()); jobs queued by another one
//     (`fedblog publish`) are found by polling.
// Runs on its own executor: request handling never waits for it.
#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>

#include "activitypub/delivery/retry_policy.hpp"
#include "activitypub/remote/signed_post.hpp"
#include "common/histogram.hpp"
#include "store/database.hpp"
#include "store/deliveries.hpp"

namespace fedblog::activitypub::delivery {

struct EngineOptions {
    int concurrency = 32;
    int per_host = 4;
    std::chrono::milliseconds poll_interval{1000};
    RetrySchedule schedule;
    int unavailable_after_days = 7;
    std::chrono::seconds probe_interval{std::chrono::hours(24)};
    // Jobs answered 2xx are marked done together, at most this long after the first of them, or at once when
    // group_commit_jobs have gathered (0: 4 × concurrency), a free slot has no claimed job to take, or no request
    // is left under way (the end of a fan-out, a lone delivery: no answer is coming to share the commit): one WAL
    // commit for many deliveries. The claims of the next jobs ride in the same commit. Each commit rewrites the
    // table and state-index pages around its jobs, so the fewer commits the less is written: with 100 hosts
    // (and the former per-host index), batches of 128 wrote 50 MB of WAL for 10,000 deliveries, batches of 16 123 MB.
    std::chrono::milliseconds group_commit_interval{50};
    int group_commit_jobs = 0;
};

struct EngineCounters {
    std::atomic<std::uint64_t> delivered{0};
    std::atomic<std::uint64_t> retried{0};
    std::atomic<std::uint64_t> dead{0};
    DurationHistogram latency;  // of each attempt that got an answer or a network error
};

class DeliveryEngine {
public:
    using Clock = std::function<std::int64_t()>;
    DeliveryEngine(boost::asio::any_io_executor executor, store::Database& db, remote::SignedPoster& poster,
                   EngineOptions options, Clock clock);
    ~DeliveryEngine();

    // Releases claims a previous process left behind, then starts working. Call once.
    void start();
    // Thread-safe: jobs were queued; look now rather than at the next poll.
    void wake();
    // Thread-safe: no new deliveries start; those in flight finish on their own.
    void stop();

    // Jobs started whose outcome is not recorded yet (requests under way, and 2xx answers awaiting their commit).
    int in_flight() const;
    // Requests under way: what the concurrency limits bound.
    int requests_in_flight() const;
    const EngineCounters& counters() const;

private:
    struct State;
    std::shared_ptr<State> state_;
};

}  // namespace fedblog::activitypub::delivery
