#include "activitypub/inbox/rate_limiter.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>

namespace fedblog::activitypub::inbox {

RateLimiter::RateLimiter(RateLimits limits, Clock clock) : limits_(limits), clock_(std::move(clock)) {}

void RateLimiter::set_limits(RateLimits limits) {
    std::lock_guard lock(mutex_);
    limits_ = limits;
    if (limits_.per_minute == 0) {
        index_.clear();
        recent_.clear();
    }
}

std::size_t RateLimiter::size() const {
    std::lock_guard lock(mutex_);
    return recent_.size();
}

RateLimiter::Decision RateLimiter::take(std::string_view key) {
    std::lock_guard lock(mutex_);
    if (limits_.per_minute == 0) return {};
    const double capacity = std::max(1u, limits_.burst);
    const double per_second = limits_.per_minute / 60.0;
    const auto now = clock_();

    auto found = index_.find(key);
    if (found != index_.end()) {
        recent_.splice(recent_.begin(), recent_, found->second);
    } else {
        while (recent_.size() >= std::max<std::size_t>(1, limits_.max_keys)) {
            index_.erase(recent_.back().key);
            recent_.pop_back();
        }
        recent_.push_front(Bucket{std::string(key), capacity, now, false});
        index_.emplace(recent_.front().key, recent_.begin());
    }
    Bucket& bucket = recent_.front();
    const double elapsed = std::chrono::duration<double>(now - bucket.refilled).count();
    if (elapsed > 0) bucket.tokens = std::min(capacity, bucket.tokens + elapsed * per_second);
    bucket.tokens = std::min(capacity, bucket.tokens);
    bucket.refilled = std::max(bucket.refilled, now);
    if (bucket.tokens >= 1.0) {
        bucket.tokens -= 1.0;
        bucket.refusing = false;
        return {};
    }
    const auto wait = static_cast<std::int64_t>(std::ceil((1.0 - bucket.tokens) / per_second));
    const bool first = !std::exchange(bucket.refusing, true);
    return {false, std::chrono::seconds(std::max<std::int64_t>(1, wait)), first};
}

}  // namespace fedblog::activitypub::inbox
