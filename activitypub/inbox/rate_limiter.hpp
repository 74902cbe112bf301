#pragma once
// A token bucket per key (a remote host, or a client address): `burst` requests at once, then `per_minute`
// over time. Memory stays bounded: at most `max_keys` buckets, the least recently used dropped first. A
// bucket untouched for burst / rate has refilled anyway, so dropping the idle ones forgets nothing that
// matters; a flood keeps its own bucket at the front.
#include <chrono>
#include <cstddef>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace fedblog::activitypub::inbox {

struct RateLimits {
    unsigned per_minute = 0;  // 0: no limit
    unsigned burst = 0;       // requests a full bucket holds (at least 1 when per_minute is set)
    std::size_t max_keys = 10'000;
};

class RateLimiter {
public:
    using Clock = std::function<std::chrono::steady_clock::time_point()>;
    struct Decision {
        bool allowed = true;
        std::chrono::seconds retry_after{0};  // when refused: until the bucket holds one request again
        bool first_refusal = false;           // the first refusal since this key was last allowed (log it)
    };

    explicit RateLimiter(RateLimits limits, Clock clock = [] { return std::chrono::steady_clock::now(); });

    // Takes one request from `key`'s bucket, or says how long to wait.
    Decision take(std::string_view key);
    // New limits (SIGHUP); buckets are kept, and hold at most the new burst.
    void set_limits(RateLimits limits);
    std::size_t size() const;

private:
    struct Bucket {
        std::string key;
        double tokens;
        std::chrono::steady_clock::time_point refilled;
        bool refusing = false;
    };
    mutable std::mutex mutex_;
    RateLimits limits_;
    Clock clock_;
    std::list<Bucket> recent_;  // most recently used first
    std::unordered_map<std::string_view, std::list<Bucket>::iterator> index_;  // views into recent_'s keys
};

}  // namespace fedblog::activitypub::inbox
