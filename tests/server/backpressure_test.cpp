// Back-pressure on the inbox and on fetches, over real sockets against a TLS fake instance: a host over its
// rate gets 429 with Retry-After while another host is still served; a full inbox answers 503 at once; fetches
// to one host stay within their bound however many activities ask for them; and a burst of activities from an
// actor the blog never saw costs that actor's server one key fetch and one actor fetch.
#include <gtest/gtest.h>

#include <future>
#include <thread>
#include <vector>

#include "tests/server/server_fixture.hpp"
#include "tests/support/fake_instance.hpp"

using namespace fedblog;
using fedblog::testing::FakeInstance;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

class BackpressureTest : public fedblog::testing::ServerFixture {
protected:
    BackpressureTest() : remote(ca, {"remote.test", "other.test"}) {
        auto tuning = fedblog::testing::loopback_federation(ca.certificate_pem(), remote.hosts());
        tuning.backfill_every = std::chrono::seconds(0);
        federation_tuning = tuning;
    }

    void start_blog() {
        federation_tuning->client.max_fetches_per_host = settings.fetch_per_host;
        start();
        remote.trust_blog_key(url("/users/blog") + "#main-key", app->key().public_pem());
    }

    // A Like of the blog's actor: accepted (and ignored) once its signature checks out.
    json like(const std::string& actor, const std::string& id) const {
        return {{"@context", "https://www.w3.org/ns/activitystreams"},
                {"id", actor + "/likes/" + id},
                {"type", "Like"},
                {"actor", actor},
                {"object", url("/users/blog")}};
    }

    fedblog::testing::Reply send(const std::string& actor, const std::string& key_id, const std::string& id) {
        return remote.post_signed(port, "/users/blog/inbox", like(actor, id), key_id);
    }

    // Sends every (actor, key) pair's activity at once, each on its own connection; the statuses in order.
    std::vector<unsigned> send_all(const std::vector<std::pair<std::string, std::string>>& senders,
                                   const std::string& prefix) {
        std::vector<std::future<unsigned>> replies;
        for (std::size_t i = 0; i < senders.size(); ++i)
            replies.push_back(std::async(std::launch::async, [this, &senders, &prefix, i] {
                return send(senders[i].first, senders[i].second, prefix + std::to_string(i)).result_int();
            }));
        std::vector<unsigned> statuses;
        for (auto& reply : replies) statuses.push_back(reply.get());
        return statuses;
    }

    fedblog::testing::TestCa ca;
    FakeInstance remote;
};

TEST_F(BackpressureTest, AHostOverItsRateGets429WithRetryAfterWhileAnotherIsServed) {
    settings.inbox_rate_per_host = 1;  // one a minute after the burst: nothing refills during the test
    settings.inbox_burst_per_host = 3;
    start_blog();
    std::string alice = remote.add_actor("alice");
    std::string bob = remote.add_actor("bob", "other.test");
    for (int i = 0; i < 3; ++i) ASSERT_EQ(send(alice, alice + "#main-key", std::to_string(i)).result_int(), 202) << i;

    auto refused = send(alice, alice + "#main-key", "over");
    EXPECT_EQ(refused.result_int(), 429);
    int retry_after = std::stoi(std::string(refused[boost::beast::http::field::retry_after]));
    EXPECT_GE(retry_after, 1);
    EXPECT_LE(retry_after, 60);
    EXPECT_NE(refused.body().find("rate_limited"), std::string::npos) << refused.body();
    EXPECT_NE(refused.body().find("remote.test"), std::string::npos) << refused.body();
    // Counted against the keyId's host before any verification: a forgery naming that host is refused too,
    // without a key fetch.
    std::size_t fetches = remote.fetched_paths().size();
    auto forged = remote.post_signed(port, "/users/blog/inbox", like(alice, "forged"), alice + "#other-key");
    EXPECT_EQ(forged.result_int(), 429);
    EXPECT_EQ(remote.fetched_paths().size(), fetches);

    EXPECT_EQ(send(bob, bob + "#main-key", "0").result_int(), 202);  // another host has a bucket of its own

    auto metrics = client().get("/metrics").body();
    EXPECT_NE(metrics.find("outcome=\"rate_limited\"} 2"), std::string::npos) << metrics;
}

TEST_F(BackpressureTest, AFullInboxAnswers503AtOnceAndTakesMoreOnceFree) {
    settings.inbox_max_in_flight = 2;
    start_blog();
    remote.set_fetch_delay(1500ms);  // each activity waits for its signer's key: they stay in flight
    std::string alice = remote.add_actor("alice");
    std::string carol = remote.add_actor("carol");
    auto first = std::async(std::launch::async, [&] { return send(alice, alice + "#main-key", "a").result_int(); });
    auto second = std::async(std::launch::async, [&] { return send(carol, carol + "#main-key", "c").result_int(); });
    ASSERT_TRUE(FakeInstance::wait_for([&] {
        return remote.fetch_count(alice) == 1 && remote.fetch_count(carol) == 1;
    }));

    std::string dave = remote.add_actor("dave");
    auto busy = send(dave, dave + "#main-key", "d");
    // At once, not after the slow fetches: the two in flight are still waiting for their keys.
    EXPECT_EQ(first.wait_for(0s), std::future_status::timeout);
    EXPECT_EQ(second.wait_for(0s), std::future_status::timeout);
    EXPECT_EQ(busy.result_int(), 503);
    EXPECT_EQ(std::string(busy[boost::beast::http::field::retry_after]), "5");
    EXPECT_NE(busy.body().find("inbox_busy"), std::string::npos) << busy.body();
    EXPECT_EQ(remote.fetch_count(dave), 0u);  // refused before any work

    EXPECT_EQ(first.get(), 202u);
    EXPECT_EQ(second.get(), 202u);
    EXPECT_EQ(send(dave, dave + "#main-key", "d").result_int(), 202);  // places free again
}

TEST_F(BackpressureTest, FetchesToOneHostStayWithinTheBound) {
    settings.fetch_per_host = 3;
    start_blog();
    remote.set_fetch_delay(300ms);
    std::vector<std::pair<std::string, std::string>> senders;
    for (int i = 0; i < 12; ++i) {  // twelve actors never seen: twelve key fetches, on two hosts
        std::string actor = remote.add_actor("user" + std::to_string(i), i % 2 ? "other.test" : "remote.test");
        senders.emplace_back(actor, actor + "#main-key");
    }
    for (unsigned status : send_all(senders, "bound")) EXPECT_EQ(status, 202u);
    EXPECT_EQ(remote.fetched_paths().size(), 12u);
    EXPECT_LE(remote.max_concurrent_requests("remote.test"), 3u);
    EXPECT_LE(remote.max_concurrent_requests("other.test"), 3u);
    EXPECT_GE(remote.max_concurrent_requests("remote.test"), 2u);  // they did overlap, up to the bound
}

TEST_F(BackpressureTest, ABurstFromANewActorCostsOneKeyFetchAndOneActorFetch) {
    start_blog();
    remote.set_fetch_delay(500ms);  // the burst arrives while the first fetch is still out
    std::string erin = remote.add_actor("erin");
    std::string key_id = remote.add_actor_with_key_document("erin");
    // 240 activities from 48 connections at once, five each in turn.
    std::vector<std::future<std::size_t>> senders;
    for (int sender = 0; sender < 48; ++sender)
        senders.push_back(std::async(std::launch::async, [&, sender] {
            std::size_t accepted = 0;
            for (int i = 0; i < 5; ++i)
                accepted += send(erin, key_id, "burst" + std::to_string(sender) + "-" + std::to_string(i)).result_int() == 202;
            return accepted;
        }));
    std::size_t accepted = 0;
    for (auto& sender : senders) accepted += sender.get();
    EXPECT_EQ(accepted, 240u);
    EXPECT_EQ(remote.fetch_count(key_id), 1u);
    EXPECT_EQ(remote.fetch_count(erin), 1u);
    EXPECT_EQ(remote.fetched_paths().size(), 2u);
}

}  // namespace
