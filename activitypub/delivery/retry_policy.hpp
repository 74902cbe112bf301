#pragma once
// What to do after a delivery attempt, as pure functions: the worker feeds in the transport result and the
// clock, and stores what comes out. The rules follow Mastodon's DeliveryWorker (docs/mastodon.md §9), since
// that is what the fediverse expects of a sender.
#include <cstdint>
#include <optional>
#include <string>

#include "activitypub/transport/http_client.hpp"

namespace fedblog::activitypub::delivery {

enum class Verdict { delivered, retry, permanent, gone };

struct Outcome {
    Verdict verdict;
    std::string reason;                       // short, for logs and `fedblog deliveries`: "HTTP 503", "timeout: ..."
    std::optional<std::int64_t> retry_after;  // seconds the server asked us to wait (Retry-After), when it did
};

// 2xx delivered. 410 gone (the follower is removed). 401, 408, 429, 5xx except 501, and transport errors retry,
// except invalid_request and plain_http_refused, which fail the same way every time and are permanent.
// Other 4xx, 501 and 3xx (a POST is never replayed at a redirect target) are permanent.
// Retry-After is read on 429 and 503: delay-seconds or an IMF-fixdate (relative to `now`, Unix seconds);
// garbage, negative or past ignored; capped at 1 day.
Outcome classify(const transport::Result& result, std::int64_t now);

struct RetrySchedule {
    int max_attempts = 16;    // attempts in all, about 2 days (Mastodon: 16 retries with more jitter, 2–3 days)
    double time_scale = 1.0;  // tests shrink the schedule; 1.0 in production
};

// Seconds to wait after failed attempt number `attempt` (1-based): attempt⁴ + 15 + jitter in [0, 10·(attempt+1))
// from `random_unit` in [0, 1), like Sidekiq, scaled by time_scale; a Retry-After larger than that wins, unscaled.
// Nothing when `attempt` >= max_attempts: the job is dead.
std::optional<std::int64_t> next_delay(int attempt, const RetrySchedule& schedule, double random_unit,
                                       std::optional<std::int64_t> retry_after = std::nullopt);

}  // namespace fedblog::activitypub::delivery
