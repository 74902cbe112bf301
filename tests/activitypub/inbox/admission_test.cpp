// The inbox's admission step: the token bucket per host (with a clock the test moves), the key a request is
// counted under, and the bound on activities in flight.
#include <gtest/gtest.h>

#include "activitypub/inbox/admission.hpp"
#include "activitypub/inbox/rate_limiter.hpp"
#include "keys/cavage.hpp"
#include "keys/key_pair.hpp"
#include "keys/rfc9421.hpp"

namespace fedblog::activitypub::inbox {
namespace {

using namespace std::chrono_literals;

struct FakeClock {
    std::chrono::steady_clock::time_point now{std::chrono::hours(1000)};
    RateLimiter::Clock get() {
        return [this] { return now; };
    }
};

TEST(RateLimiter, BurstThenRefusedWithTheWaitForOneToken) {
    FakeClock clock;
    RateLimiter limiter({.per_minute = 60, .burst = 3}, clock.get());
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.take("host:a.example").allowed) << i;
    auto refused = limiter.take("host:a.example");
    EXPECT_FALSE(refused.allowed);
    EXPECT_EQ(refused.retry_after, 1s);  // 60 a minute: one a second
    EXPECT_TRUE(refused.first_refusal);
    EXPECT_FALSE(limiter.take("host:a.example").first_refusal);  // the same episode: logged once
}

TEST(RateLimiter, RefillsAtTheRateAndNeverBeyondTheBurst) {
    FakeClock clock;
    RateLimiter limiter({.per_minute = 6, .burst = 2}, clock.get());  // one token every 10 s
    EXPECT_TRUE(limiter.take("k").allowed);
    EXPECT_TRUE(limiter.take("k").allowed);
    auto refused = limiter.take("k");
    EXPECT_FALSE(refused.allowed);
    EXPECT_EQ(refused.retry_after, 10s);
    clock.now += 4s;
    EXPECT_EQ(limiter.take("k").retry_after, 6s);
    clock.now += 6s;
    EXPECT_TRUE(limiter.take("k").allowed);
    EXPECT_FALSE(limiter.take("k").allowed);
    clock.now += 1h;  // a long pause refills to the burst, no more
    EXPECT_TRUE(limiter.take("k").allowed);
    EXPECT_TRUE(limiter.take("k").allowed);
    auto again = limiter.take("k");
    EXPECT_FALSE(again.allowed);
    EXPECT_TRUE(again.first_refusal);  // allowed in between: a new episode
}

TEST(RateLimiter, KeysHaveBucketsOfTheirOwn) {
    FakeClock clock;
    RateLimiter limiter({.per_minute = 1, .burst = 1}, clock.get());
    EXPECT_TRUE(limiter.take("host:a.example").allowed);
    EXPECT_FALSE(limiter.take("host:a.example").allowed);
    EXPECT_TRUE(limiter.take("host:b.example").allowed);
    EXPECT_EQ(limiter.take("host:a.example").retry_after, 60s);
}

TEST(RateLimiter, ZeroRateMeansNoLimitAndNoMemory) {
    FakeClock clock;
    RateLimiter limiter({.per_minute = 0, .burst = 0}, clock.get());
    for (int i = 0; i < 1000; ++i) EXPECT_TRUE(limiter.take("host:a.example").allowed);
    EXPECT_EQ(limiter.size(), 0u);
}

TEST(RateLimiter, TheTableIsCappedAndDropsTheLeastRecentlyUsed) {
    FakeClock clock;
    RateLimiter limiter({.per_minute = 1, .burst = 1, .max_keys = 3}, clock.get());
    EXPECT_TRUE(limiter.take("flood").allowed);
    for (int i = 0; i < 100; ++i) {
        limiter.take("other-" + std::to_string(i));
        EXPECT_FALSE(limiter.take("flood").allowed) << i;  // in use, so never the one dropped
        EXPECT_LE(limiter.size(), 3u);
    }
    EXPECT_TRUE(limiter.take("other-0").allowed);  // dropped long ago: a fresh bucket
}

TEST(RateLimiter, NewLimitsApplyToExistingBuckets) {
    FakeClock clock;
    RateLimiter limiter({.per_minute = 60, .burst = 10}, clock.get());
    EXPECT_TRUE(limiter.take("k").allowed);
    limiter.set_limits({.per_minute = 60, .burst = 1});
    EXPECT_TRUE(limiter.take("k").allowed);  // the bucket holds at most the new burst: one
    EXPECT_FALSE(limiter.take("k").allowed);
    limiter.set_limits({});
    EXPECT_TRUE(limiter.take("k").allowed);
    EXPECT_EQ(limiter.size(), 0u);
}

keys::HttpMessage post(std::vector<std::pair<std::string, std::string>> headers) {
    keys::HttpMessage message{"POST", "https", "blog.example", "/inbox", std::move(headers), "{}"};
    return message;
}

TEST(RateKey, TheHostOfTheCavageKeyIdWithoutVerifying) {
    auto key = keys::KeyPair::generate_rsa();
    auto message = post({{"host", "blog.example"}, {"content-type", "application/activity+json"}});
    keys::sign_request(message, key, "https://Mastodon.Example:8443/users/alice#main-key",
                       keys::default_covered(message), 1'700'000'000);
    EXPECT_EQ(rate_key(message, "203.0.113.7"), "host:mastodon.example");
    message.body = "{\"tampered\":true}";  // not verified here: the claim alone decides the key
    EXPECT_EQ(rate_key(message, "203.0.113.7"), "host:mastodon.example");
}

TEST(RateKey, TheHostOfTheRfc9421KeyId) {
    auto key = keys::KeyPair::generate_rsa();
    auto message = post({{"host", "blog.example"}});
    auto error = keys::rfc9421::sign_request(message, key, {.key_id = "https://fedify.example/users/bob#key", .created = 1'700'000'000});
    ASSERT_FALSE(error);
    EXPECT_EQ(rate_key(message, "203.0.113.7"), "host:fedify.example");
}

TEST(RateKey, TheClientAddressWithoutAReadableKeyId) {
    EXPECT_EQ(rate_key(post({}), "203.0.113.7"), "address:203.0.113.7");
    EXPECT_EQ(rate_key(post({{"signature", "garbage"}}), "203.0.113.7"), "address:203.0.113.7");
    EXPECT_EQ(rate_key(post({{"signature", "keyId=\"urn:x\",signature=\"AAAA\""}}), "2001:db8::1"), "address:2001:db8::1");
    EXPECT_EQ(rate_key(post({{"signature-input", "sig1=(\"@method\")"}, {"signature", "sig1=:AAAA:"}}), "198.51.100.2"),
              "address:198.51.100.2");  // no keyid parameter
}

TEST(InFlightGate, AdmitsUpToTheLimitAndFreesOnRelease) {
    InFlightGate gate;
    {
        auto first = gate.try_enter(2);
        auto second = gate.try_enter(2);
        EXPECT_TRUE(first);
        EXPECT_TRUE(second);
        EXPECT_FALSE(gate.try_enter(2));
        EXPECT_EQ(gate.in_flight(), 2u);
        auto moved = std::move(first);
        EXPECT_EQ(gate.in_flight(), 2u);
    }
    EXPECT_EQ(gate.in_flight(), 0u);
    EXPECT_TRUE(gate.try_enter(2));
    std::vector<InFlightGate::Ticket> many;
    for (int i = 0; i < 1000; ++i) many.push_back(gate.try_enter(0));  // 0: no bound
    EXPECT_EQ(gate.in_flight(), 1000u);
}

}  // namespace
}  // namespace fedblog::activitypub::inbox
