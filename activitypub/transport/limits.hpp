#pragma once
// How long and how much one fetch may take: per-phase timeouts, each cut short by one overall deadline.
#include <algorithm>
#include <chrono>
#include <cstddef>

namespace fedblog::transport {

struct Limits {
    std::chrono::milliseconds connect_timeout{5'000};  // DNS, then TCP connect (Mastodon: 5 s)
    std::chrono::milliseconds tls_handshake_timeout{5'000};
    std::chrono::milliseconds response_timeout{10'000};  // from sending the request to the response headers
    std::chrono::milliseconds total_timeout{10'000};     // the whole fetch, every hop included
    std::size_t max_header_bytes = 32 * 1024;
    std::size_t max_body_bytes = 1024 * 1024;  // Mastodon's cap on a fetched document
    unsigned max_redirects = 3;
};

// The limits of one fetch, with its deadline fixed when it starts.
struct Budget {
    using Clock = std::chrono::steady_clock;

    explicit Budget(const Limits& l) : limits(l), deadline(Clock::now() + l.total_timeout) {}

    // When a phase that may take `phase` must be over.
    Clock::time_point within(Clock::duration phase) const { return std::min(Clock::now() + phase, deadline); }

    Limits limits;
    Clock::time_point deadline;
};

}  // namespace fedblog::transport
