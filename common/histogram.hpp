#pragma once
// A Prometheus-style histogram of durations with fixed buckets, safe to observe from any thread without a lock.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>

namespace fedblog {

class DurationHistogram {
public:
    // Upper bounds in seconds: from a fast loopback delivery to a slow server near the client's deadline.
    static constexpr std::array<double, 10> bounds = {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    void observe(std::chrono::steady_clock::duration elapsed) {
        auto micros = std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count();
        double seconds = static_cast<double>(micros) / 1e6;
        std::size_t bucket = 0;
        while (bucket < bounds.size() && seconds > bounds[bucket]) ++bucket;
        buckets_[bucket].fetch_add(1, std::memory_order_relaxed);  // the last one is +Inf
        sum_micros_.fetch_add(static_cast<std::uint64_t>(micros), std::memory_order_relaxed);
    }

    // Observations in bucket i alone (not cumulative); i == bounds.size() is above the last bound.
    std::uint64_t bucket(std::size_t i) const { return buckets_[i].load(std::memory_order_relaxed); }
    double sum_seconds() const { return static_cast<double>(sum_micros_.load(std::memory_order_relaxed)) / 1e6; }

private:
    std::array<std::atomic<std::uint64_t>, bounds.size() + 1> buckets_{};
    std::atomic<std::uint64_t> sum_micros_{0};
};

}  // namespace fedblog
