#include "activitypub/delivery/retry_policy.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "common/time.hpp"

namespace fedblog::activitypub::delivery {
namespace {

using transport::ErrorKind;

constexpr std::int64_t now = 1'763'632'800;  // 2025-11-20T10:00:00Z
constexpr std::int64_t day = 24 * 60 * 60;
const double almost_one = std::nextafter(1.0, 0.0);

transport::Result response(unsigned status, transport::Headers headers = {}) {
    transport::Response r;
    r.status = status;
    r.headers = std::move(headers);
    r.url = "https://m.example/inbox";
    return r;
}

transport::Result failure(ErrorKind kind, std::string detail = "m.example: it broke") {
    return transport::Error{kind, std::move(detail)};
}

std::optional<std::int64_t> retry_after(unsigned status, std::string value) {
    return classify(response(status, {{"retry-after", std::move(value)}}), now).retry_after;
}

// Stable ctest names, whatever the parameters print as.
const auto row_name = [](const auto& info) { return "row" + std::to_string(info.index); };

// classify: statuses

struct StatusCase {
    unsigned status;
    Verdict verdict;
};

class Status : public ::testing::TestWithParam<StatusCase> {};

TEST_P(Status, HasItsVerdict) {
    const Outcome outcome = classify(response(GetParam().status), now);
    EXPECT_EQ(outcome.verdict, GetParam().verdict);
    EXPECT_EQ(outcome.reason, "HTTP " + std::to_string(GetParam().status));
    EXPECT_FALSE(outcome.retry_after);
}

INSTANTIATE_TEST_SUITE_P(
    MastodonRules, Status,
    ::testing::Values(StatusCase{200, Verdict::delivered}, StatusCase{201, Verdict::delivered},
                      StatusCase{202, Verdict::delivered}, StatusCase{204, Verdict::delivered},
                      StatusCase{299, Verdict::delivered},
                      // A POST is never replayed at a redirect target.
                      StatusCase{301, Verdict::permanent}, StatusCase{302, Verdict::permanent},
                      StatusCase{303, Verdict::permanent}, StatusCase{307, Verdict::permanent},
                      StatusCase{308, Verdict::permanent}, StatusCase{400, Verdict::permanent},
                      StatusCase{401, Verdict::retry}, StatusCase{403, Verdict::permanent},
                      StatusCase{404, Verdict::permanent}, StatusCase{405, Verdict::permanent},
                      StatusCase{408, Verdict::retry}, StatusCase{409, Verdict::permanent},
                      StatusCase{410, Verdict::gone}, StatusCase{413, Verdict::permanent},
                      StatusCase{422, Verdict::permanent}, StatusCase{429, Verdict::retry},
                      StatusCase{451, Verdict::permanent}, StatusCase{499, Verdict::permanent},
                      StatusCase{500, Verdict::retry}, StatusCase{501, Verdict::permanent},
                      StatusCase{502, Verdict::retry}, StatusCase{503, Verdict::retry},
                      StatusCase{504, Verdict::retry}, StatusCase{599, Verdict::retry},
                      // Outside HTTP's classes: a broken server, retried like malformed_response.
                      StatusCase{0, Verdict::retry}, StatusCase{101, Verdict::retry},
                      StatusCase{600, Verdict::retry}),
    row_name);

// classify: transport errors

struct ErrorCase {
    ErrorKind kind;
    Verdict verdict;
};

class TransportError : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(TransportError, HasItsVerdict) {
    const Outcome outcome = classify(failure(GetParam().kind), now);
    EXPECT_EQ(outcome.verdict, GetParam().verdict);
    EXPECT_EQ(outcome.reason, std::string{to_string(GetParam().kind)} + ": m.example: it broke");
    EXPECT_FALSE(outcome.retry_after);
}

INSTANTIATE_TEST_SUITE_P(
    EveryKind, TransportError,
    ::testing::Values(ErrorCase{ErrorKind::invalid_request, Verdict::permanent},
                      ErrorCase{ErrorKind::plain_http_refused, Verdict::permanent},
                      ErrorCase{ErrorKind::dns, Verdict::retry}, ErrorCase{ErrorKind::refused_address, Verdict::retry},
                      ErrorCase{ErrorKind::connect, Verdict::retry}, ErrorCase{ErrorKind::tls, Verdict::retry},
                      ErrorCase{ErrorKind::timeout, Verdict::retry}, ErrorCase{ErrorKind::too_large, Verdict::retry},
                      ErrorCase{ErrorKind::too_many_redirects, Verdict::retry},
                      ErrorCase{ErrorKind::insecure_redirect, Verdict::retry},
                      ErrorCase{ErrorKind::malformed_response, Verdict::retry},
                      ErrorCase{ErrorKind::network, Verdict::retry}),
    row_name);

TEST(Classify, ErrorWithoutDetailIsJustTheKind) {
    EXPECT_EQ(classify(failure(ErrorKind::timeout, ""), now).reason, "timeout");
}

// classify: Retry-After

TEST(RetryAfter, DelaySecondsOn429And503) {
    EXPECT_EQ(retry_after(429, "120"), 120);
    EXPECT_EQ(retry_after(503, "120"), 120);
    EXPECT_EQ(retry_after(503, "0"), 0);
    EXPECT_EQ(retry_after(503, " 30\t"), 30);
    EXPECT_EQ(retry_after(503, "0042"), 42);
}

TEST(RetryAfter, HttpDateIsRelativeToNow) {
    EXPECT_EQ(retry_after(503, format_http_date(now + 90)), 90);
    EXPECT_EQ(retry_after(429, "Thu, 20 Nov 2025 10:05:00 GMT"), 300);
    EXPECT_EQ(retry_after(429, format_http_date(now)), 0);
    EXPECT_EQ(retry_after(429, "Fri, 21 Nov 2025 00:00:00 GMT"), 14 * 60 * 60);
}

TEST(RetryAfter, IgnoredOnOtherStatuses) {
    for (unsigned status : {200u, 202u, 301u, 401u, 408u, 410u, 500u, 502u, 504u})
        EXPECT_FALSE(retry_after(status, "120")) << status;
}

TEST(RetryAfter, GarbageNegativeAndPastAreIgnored) {
    for (const char* value : {"", "  ", "soon", "-5", "+5", "1.5", "12abc", "1e3", "0x10",
                              "Thu, 20 Nov 2025 10:05:00 UTC",      // not GMT
                              "Thursday, 20-Nov-25 10:05:00 GMT",   // RFC 850, obsolete
                              "Thu Nov 20 10:05:00 2025",           // asctime, obsolete
                              "Thu, 20 Nov 2025 10:05 GMT",         // no seconds
                              "Thu, 31 Feb 2025 10:05:00 GMT",      // no such day
                              "Thu, 20 Nov 2025 25:05:00 GMT",      // no such hour
                              "Thu, 20 Nov 2025 -1:05:00 GMT",      // sign in a digit field
                              "Thu, 20 Nov 2025 10:05:00 GMT junk",
                              "Thu, 20 Nov 2025 09:59:59 GMT"})  // a second ago
        EXPECT_FALSE(retry_after(503, value)) << '"' << value << '"';
}

TEST(RetryAfter, CappedAtOneDay) {
    EXPECT_EQ(retry_after(429, "86400"), day);
    EXPECT_EQ(retry_after(429, "86401"), day);
    EXPECT_EQ(retry_after(429, "31536000"), day);
    EXPECT_EQ(retry_after(429, "99999999999999999999999999"), day);  // past int64, still delay-seconds
    EXPECT_EQ(retry_after(503, format_http_date(now + 3 * day)), day);
}

TEST(RetryAfter, FirstFieldNameCaseAsReceived) {
    // The transport lower-cases names; the first of several fields counts.
    EXPECT_EQ(classify(response(503, {{"retry-after", "7"}, {"retry-after", "9"}}), now).retry_after, 7);
    EXPECT_FALSE(classify(response(503, {{"x-retry-after", "7"}}), now).retry_after);
}

// next_delay

TEST(NextDelay, SidekiqFormulaWithoutJitter) {
    const RetrySchedule schedule;
    EXPECT_EQ(next_delay(1, schedule, 0.0), 1 + 15);
    EXPECT_EQ(next_delay(2, schedule, 0.0), 16 + 15);
    EXPECT_EQ(next_delay(3, schedule, 0.0), 81 + 15);
    EXPECT_EQ(next_delay(10, schedule, 0.0), 10'000 + 15);
    EXPECT_EQ(next_delay(15, schedule, 0.0), 50'625 + 15);
}

TEST(NextDelay, AttemptBelowOneCountsAsOne) {
    EXPECT_EQ(next_delay(0, {}, 0.0), 16);
    EXPECT_EQ(next_delay(-3, {}, 0.0), 16);
}

TEST(NextDelay, MonotonicInAttempt) {
    const RetrySchedule schedule;
    for (double unit : {0.0, 0.5, almost_one}) {
        std::int64_t previous = 0;
        for (int attempt = 1; attempt < schedule.max_attempts; ++attempt) {
            const auto delay = next_delay(attempt, schedule, unit);
            ASSERT_TRUE(delay) << attempt;
            EXPECT_GT(*delay, previous) << "attempt " << attempt << ", unit " << unit;
            previous = *delay;
        }
    }
}

TEST(NextDelay, JitterStaysInItsRange) {
    const RetrySchedule schedule;
    for (int attempt = 1; attempt < schedule.max_attempts; ++attempt) {
        const std::int64_t base = std::int64_t{attempt} * attempt * attempt * attempt + 15;
        const std::int64_t span = 10 * (attempt + 1);
        for (double unit : {0.0, 0.01, 0.25, 0.5, 0.75, 0.999, almost_one}) {
            const std::int64_t jitter = *next_delay(attempt, schedule, unit) - base;
            EXPECT_GE(jitter, 0) << attempt << " " << unit;
            EXPECT_LT(jitter, span) << attempt << " " << unit;
        }
        EXPECT_EQ(*next_delay(attempt, schedule, almost_one) - base, span - 1) << attempt;
        EXPECT_EQ(*next_delay(attempt, schedule, 0.5) - base, span / 2) << attempt;
    }
}

TEST(NextDelay, RandomUnitOutsideItsRangeIsClamped) {
    const RetrySchedule schedule;
    EXPECT_EQ(next_delay(3, schedule, -0.5), 96);
    EXPECT_EQ(next_delay(3, schedule, std::numeric_limits<double>::quiet_NaN()), 96);
    EXPECT_EQ(next_delay(3, schedule, 1.0), 96 + 39);
    EXPECT_EQ(next_delay(3, schedule, 7.0), 96 + 39);
}

TEST(NextDelay, TimeScaleShrinksOurScheduleOnly) {
    const RetrySchedule fast{.max_attempts = 16, .time_scale = 0.001};
    EXPECT_EQ(next_delay(15, fast, 0.0), 51);  // 50.64 s, rounded
    EXPECT_EQ(next_delay(1, fast, 0.0), 0);
    EXPECT_EQ(next_delay(1, fast, 0.0, 3600), 3600);  // the server's Retry-After is not shrunk
    const RetrySchedule instant{.max_attempts = 16, .time_scale = 0.0};
    EXPECT_EQ(next_delay(15, instant, almost_one), 0);
    EXPECT_EQ(next_delay(15, instant, almost_one, 2), 2);
    EXPECT_EQ(next_delay(15, RetrySchedule{.max_attempts = 16, .time_scale = -1.0}, 0.0), 0);
    EXPECT_EQ(next_delay(2, RetrySchedule{.max_attempts = 16, .time_scale = 2.0}, 0.0), 62);
}

TEST(NextDelay, LargerRetryAfterWins) {
    const RetrySchedule schedule;
    EXPECT_EQ(next_delay(1, schedule, 0.0, 3600), 3600);
    EXPECT_EQ(next_delay(1, schedule, 0.0, 17), 17);
    EXPECT_EQ(next_delay(1, schedule, 0.0, 16), 16);
    EXPECT_EQ(next_delay(1, schedule, 0.0, 5), 16);
    EXPECT_EQ(next_delay(1, schedule, 0.0, 0), 16);
    EXPECT_EQ(next_delay(1, schedule, 0.0, -100), 16);
    EXPECT_EQ(next_delay(1, schedule, almost_one, 20), 35);  // jitter counts before the comparison
    EXPECT_EQ(next_delay(15, schedule, 0.0, 60), 50'640);
}

TEST(NextDelay, DeadAtMaxAttempts) {
    const RetrySchedule schedule;
    EXPECT_TRUE(next_delay(15, schedule, 0.0));
    EXPECT_FALSE(next_delay(16, schedule, 0.0));
    EXPECT_FALSE(next_delay(17, schedule, 0.0, 60));
    const RetrySchedule three{.max_attempts = 3};
    EXPECT_TRUE(next_delay(2, three, 0.0));
    EXPECT_FALSE(next_delay(3, three, 0.0));
    EXPECT_FALSE(next_delay(1, RetrySchedule{.max_attempts = 1}, 0.0));
}

TEST(NextDelay, HugeAttemptDoesNotOverflow) {
    const RetrySchedule endless{.max_attempts = std::numeric_limits<int>::max()};
    const auto delay = next_delay(std::numeric_limits<int>::max() - 1, endless, almost_one);
    ASSERT_TRUE(delay);
    EXPECT_GT(*delay, 0);
    EXPECT_LE(*delay, 366 * day);
}

// Mastodon's 16 retries take 2–3 days in all; so must ours, whatever the jitter.
TEST(NextDelay, WholeScheduleTakesTwoToThreeDays) {
    const RetrySchedule schedule;
    for (double unit : {0.0, almost_one}) {
        std::int64_t total = 0;
        int retries = 0;
        while (const auto delay = next_delay(retries + 1, schedule, unit)) {
            total += *delay;
            ++retries;
        }
        EXPECT_EQ(retries, schedule.max_attempts - 1);
        EXPECT_GE(total, 2 * day) << unit;
        EXPECT_LE(total, static_cast<std::int64_t>(3.1 * day)) << unit;
    }
}

}  // namespace
}  // namespace fedblog::activitypub::delivery
