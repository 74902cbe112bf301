// Keep-alive reuse, stale connections, and what every request carries.
#include <gtest/gtest.h>

#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>
#include <future>
#include <optional>
#include <vector>

#include "common/version.hpp"
#include "tests/activitypub/transport/support.hpp"

namespace fedblog::transport::test {
namespace {

TestServer::Handler replies(TestReply reply) {
    return [reply](const TestRequest&) { return reply; };
}

TEST(Pool, SequentialRequestsShareOneConnection) {
    TestServer server(remote_test_identity(), replies(TestReply{}));
    Harness harness;
    auto target = url("https", "remote.test", server.port());
    EXPECT_TRUE(harness.get(target));
    EXPECT_TRUE(harness.get(target));
    Request post;
    post.method = "POST";
    post.url = target;
    post.body = "{}";
    EXPECT_TRUE(harness.fetch(post));
    EXPECT_EQ(server.requests().size(), 3u);
    EXPECT_EQ(server.accepted(), 1u);
}

TEST(Pool, ConnectionAnnouncedClosedIsNotReused) {
    TestReply closing;
    closing.keep_alive = false;
    TestServer server(remote_test_identity(), replies(closing));
    Harness harness;
    auto target = url("https", "remote.test", server.port());
    EXPECT_TRUE(harness.get(target));
    EXPECT_TRUE(harness.get(target));
    EXPECT_EQ(server.accepted(), 2u);
}

TEST(Pool, NoReuseAfterTheIdleTimeout) {
    TestServer server(remote_test_identity(), replies(TestReply{}));
    auto options = loopback_options();
    options.idle_timeout = std::chrono::seconds(0);
    Harness harness(options);
    auto target = url("https", "remote.test", server.port());
    EXPECT_TRUE(harness.get(target));
    EXPECT_TRUE(harness.get(target));
    EXPECT_EQ(server.accepted(), 2u);
}

// The server announces keep-alive, then closes the connection after its first reply.
TestServer::Handler stale_after_first_reply() {
    return [count = 0](const TestRequest&) mutable {
        TestReply reply;
        reply.close_after = count++ == 0;
        return reply;
    };
}

TEST(Pool, StaleConnectionIsRetriedOnceForGet) {
    TestServer server(remote_test_identity(), stale_after_first_reply());
    Harness harness;
    auto target = url("https", "remote.test", server.port());
    ASSERT_TRUE(harness.get(target));
    auto second = harness.get(target);
    ASSERT_TRUE(second) << second.error().detail;
    EXPECT_EQ(server.accepted(), 2u);
    EXPECT_EQ(server.requests().size(), 2u);
}

TEST(Pool, StaleConnectionIsNotRetriedForPost) {
    TestServer server(remote_test_identity(), stale_after_first_reply());
    Harness harness;
    auto target = url("https", "remote.test", server.port());
    ASSERT_TRUE(harness.get(target));
    Request post;
    post.method = "POST";
    post.url = target;
    post.body = "{}";
    auto result = harness.fetch(post);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().kind, ErrorKind::network) << result.error().detail;
    EXPECT_EQ(server.accepted(), 1u);
}

TEST(Pool, EveryRequestNamesFedblogAndTheBlog) {
    TestServer server(remote_test_identity(), replies(TestReply{}));
    Harness harness;
    ASSERT_TRUE(harness.get(url("https", "remote.test", server.port())));
    ASSERT_EQ(server.requests().size(), 1u);
    EXPECT_EQ(server.requests().front()["User-Agent"], std::string("fedblog/") + version + " (+https://blog.example)");
}

// Rounds of simultaneous fetches on two threads: pooled connections move between threads and strands.
TEST(Pool, ConcurrentFetchesFromSeveralThreads) {
    TestServer server(remote_test_identity(), replies(TestReply{}));
    boost::asio::thread_pool threads(2);
    HttpClient client(threads.get_executor(), loopback_options());
    Request request;
    request.url = url("https", "remote.test", server.port());
    constexpr std::size_t rounds = 3, per_round = 8;
    for (std::size_t round = 0; round < rounds; ++round) {
        std::vector<std::optional<Result>> results(per_round);
        std::vector<std::future<void>> done;
        for (auto& result : results)
            done.push_back(
                boost::asio::co_spawn(threads, Harness::store(client, request, result), boost::asio::use_future));
        for (auto& each : done) each.get();
        for (const auto& result : results) EXPECT_TRUE(result && *result);
    }
    EXPECT_EQ(server.requests().size(), rounds * per_round);
    EXPECT_LT(server.accepted(), rounds * per_round);  // later rounds reused what earlier ones left idle
}

}  // namespace
}  // namespace fedblog::transport::test
