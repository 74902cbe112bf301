#include "activitypub/delivery/retry_policy.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <string_view>
#include <system_error>

#include "common/time.hpp"

namespace fedblog::activitypub::delivery {
namespace {

constexpr std::int64_t max_retry_after = 24 * 60 * 60;  // a peer cannot park our queue for longer
constexpr double max_delay = 365.0 * 24 * 60 * 60;     // keeps a huge max_attempts from overflowing

bool all_digits(std::string_view text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// RFC 9110 IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), rewritten as RFC 3339 for parse_date_time, which
// checks the ranges. The obsolete RFC 850 and asctime forms are not read: failing to parse only costs the
// server our own schedule.
std::optional<std::int64_t> parse_imf_fixdate(std::string_view text) {
    static constexpr std::array<std::string_view, 7> days{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    static constexpr std::array<std::string_view, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    if (text.size() != 29 || text.substr(3, 2) != ", " || text[7] != ' ' || text[11] != ' ' || text[16] != ' ' ||
        text[19] != ':' || text[22] != ':' || text.substr(25) != " GMT")
        return std::nullopt;
    const std::string_view day = text.substr(5, 2), year = text.substr(12, 4);
    if (std::find(days.begin(), days.end(), text.substr(0, 3)) == days.end() || !all_digits(day) ||
        !all_digits(year) || !all_digits(text.substr(17, 2)) || !all_digits(text.substr(20, 2)) ||
        !all_digits(text.substr(23, 2)))
        return std::nullopt;
    const auto month = std::find(months.begin(), months.end(), text.substr(8, 3));
    if (month == months.end()) return std::nullopt;
    const int month_number = static_cast<int>(month - months.begin()) + 1;
    std::string rfc3339;
    rfc3339.append(year).append(month_number < 10 ? "-0" : "-").append(std::to_string(month_number));
    rfc3339.append("-").append(day).append("T").append(text.substr(17, 8)).append("Z");
    return parse_date_time(rfc3339);
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
    const auto date = parse_imf_fixdate(value);
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
