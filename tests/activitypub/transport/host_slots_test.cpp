// Fetches to one host are bounded (others wait their turn within their own deadline); other hosts and
// deliveries (POST) are not held up by it.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <optional>
#include <vector>

#include "tests/activitypub/transport/support.hpp"

namespace fedblog::transport::test {
namespace {

using namespace std::chrono_literals;

// Runs every request at once on the harness's io_context; results in request order.
std::vector<Result> all_at_once(Harness& harness, const std::vector<Request>& requests) {
    std::vector<std::optional<Result>> results(requests.size());
    for (std::size_t i = 0; i < requests.size(); ++i)
        boost::asio::co_spawn(harness.io(), Harness::store(harness.client(), requests[i], results[i]), Harness::rethrow);
    harness.io().restart();
    harness.io().run();
    std::vector<Result> done;
    for (auto& result : results) done.push_back(std::move(*result));
    return done;
}

Request get(const std::string& target) {
    Request request;
    request.url = target;
    return request;
}

TestServer::Handler slow(std::chrono::milliseconds delay) {
    return [delay](const TestRequest&) {
        TestReply reply;
        reply.delay = delay;
        return reply;
    };
}

TEST(FetchSlots, AtMostTheBoundPerHostAndEveryFetchServed) {
    TestServer server(trusted_ca().issue({"remote.test", "other.test"}), slow(150ms));
    auto options = loopback_options();
    options.max_fetches_per_host = 3;
    Harness harness(options);
    std::vector<Request> requests;
    for (int i = 0; i < 10; ++i) {
        requests.push_back(get(url("https", "remote.test", server.port(), "/a/" + std::to_string(i))));
        requests.push_back(get(url("https", "other.test", server.port(), "/b/" + std::to_string(i))));
    }
    for (const auto& result : all_at_once(harness, requests)) {
        ASSERT_TRUE(result) << result.error().detail;
        EXPECT_EQ(result->status, 200u);
    }
    EXPECT_EQ(server.requests().size(), 20u);
    EXPECT_EQ(server.max_concurrent("remote.test"), 3u);
    EXPECT_EQ(server.max_concurrent("other.test"), 3u);
    EXPECT_GT(server.max_concurrent(), 3u);  // the bound is per host: both hosts were served side by side
}

TEST(FetchSlots, PostsAreNotCounted) {
    TestServer server(remote_test_identity(), slow(150ms));
    auto options = loopback_options();
    options.max_fetches_per_host = 1;
    Harness harness(options);
    std::vector<Request> requests;
    for (int i = 0; i < 4; ++i) {
        Request post = get(url("https", "remote.test", server.port(), "/inbox"));
        post.method = "POST";
        post.body = "{}";
        requests.push_back(post);
    }
    for (const auto& result : all_at_once(harness, requests)) ASSERT_TRUE(result) << result.error().detail;
    EXPECT_EQ(server.max_concurrent("remote.test"), 4u);
}

TEST(FetchSlots, AWaitingFetchStillEndsAtItsDeadline) {
    TestServer server(remote_test_identity(), [](const TestRequest& request) {
        TestReply reply;
        reply.never_answer = request.target() == "/stuck";
        return reply;
    });
    auto options = loopback_options();
    options.max_fetches_per_host = 1;
    options.limits.total_timeout = 400ms;
    options.limits.response_timeout = 400ms;
    Harness harness(options);
    Request waiting = get(url("https", "remote.test", server.port(), "/waiting"));
    waiting.limits = options.limits;
    waiting.limits->total_timeout = 150ms;  // well before the stuck fetch gives its place up
    auto start = std::chrono::steady_clock::now();
    auto results = all_at_once(harness, {get(url("https", "remote.test", server.port(), "/stuck")), waiting});
    EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
    ASSERT_FALSE(results[0]);
    EXPECT_EQ(results[0].error().kind, ErrorKind::timeout);
    ASSERT_FALSE(results[1]);
    EXPECT_EQ(results[1].error().kind, ErrorKind::timeout);
    EXPECT_NE(results[1].error().detail.find("no turn"), std::string::npos) << results[1].error().detail;
    EXPECT_EQ(server.requests().size(), 1u);  // the waiting fetch never reached the server
    // Its place is free again afterwards.
    auto later = harness.get(url("https", "remote.test", server.port(), "/later"));
    ASSERT_TRUE(later) << later.error().detail;
}

}  // namespace
}  // namespace fedblog::transport::test
