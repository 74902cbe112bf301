#include "activitypub/delivery/retry_policy.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string_view>
#include <system_error>

#include "common/time.hpp"
#include "keys/signature_policy.hpp"

namespace fedblog::activitypub::delivery {
namespace {

constexpr std::int64_t max_retry_after = 24 * 60 * 60;  // a peer cannot park our queue for longer
constexpr double max_delay = 365.0 * 24 * 60 * 60;     // keeps a huge max_attempts from overflowing

bool all_digits(std::string_view text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Retry-After as seconds from now: delay-seconds or an HTTP-date.
std::optional<std::int64_t> parse_retry_after(std::string_view value, std::int64_t now) {
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    if (all_digits(value)) {
        std::int64_t seconds = 0;
        const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
        if (ec == std::errc::result_out_of_range) return max_retry_after;  // valid, just absurdly long
        return std::min(seconds, max_retry_after);
    }
    const auto date = keys::parse_imf_fixdate(value);  // the obsolete HTTP date forms only cost our schedule
    if (!date || *date < now) return std::nullopt;
    return std::min(*date - now, max_retry_after);
}

Verdict verdict_for(unsigned status) {
    if (status >= 200 && status < 300) return Verdict::delivered;
    if (status == 410) return Verdict::gone;
    if (status == 401 || status == 408 || status == 429) return Verdict::retry;
    if (status >= 300 && status < 500) return Verdict::permanent;
    if (status == 501) return Verdict::permanent;  // the inbox will never implement POST overnight
    // 5xx, and anything outside HTTP's classes, which the transport would call malformed_response.
    return Verdict::retry;
}

Verdict verdict_for(transport::ErrorKind kind) {
    switch (kind) {
        case transport::ErrorKind::invalid_request:
        case transport::ErrorKind::plain_http_refused:
            return Verdict::permanent;  // decided before any network I/O: a replay fails identically
        default:
            return Verdict::retry;  // DNS, TLS, addresses and servers get fixed within the retry window
    }
}

}  // namespace

Outcome classify(const transport::Result& result, std::int64_t now) {
    if (!result) {
        const transport::Error& error = result.error();
        std::string reason{transport::to_string(error.kind)};
        if (!error.detail.empty()) reason += ": " + error.detail;
        return {verdict_for(error.kind), std::move(reason), std::nullopt};
    }
    Outcome outcome{verdict_for(result->status), "HTTP " + std::to_string(result->status), std::nullopt};
    if (result->status == 429 || result->status == 503)
        if (const auto value = result->header("retry-after")) outcome.retry_after = parse_retry_after(*value, now);
    return outcome;
}

std::optional<std::int64_t> next_delay(int attempt, const RetrySchedule& schedule, double random_unit,
                                       std::optional<std::int64_t> retry_after) {
    if (attempt >= schedule.max_attempts) return std::nullopt;
    const double n = std::max(attempt, 1);
    const double jitter_span = 10 * (n + 1);
    const double unit = random_unit >= 0 ? random_unit : 0;  // NaN too
    const double jitter = std::min(std::floor(unit * jitter_span), jitter_span - 1);
    double seconds = n * n * n * n + 15 + jitter;
    seconds *= schedule.time_scale > 0 ? schedule.time_scale : 0;
    // The server's own request is honoured as given: the scale only shrinks our schedule.
    if (retry_after) seconds = std::max(seconds, static_cast<double>(*retry_after));
    return std::llround(std::min(seconds, max_delay));
}

}  // namespace fedblog::activitypub::delivery
