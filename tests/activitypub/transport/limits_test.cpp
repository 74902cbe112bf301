// Size limits and deadlines: a peer can neither flood the client nor hold it.
#include <gtest/gtest.h>

#include <chrono>

#include "tests/activitypub/transport/support.hpp"

namespace fedblog::transport::test {
namespace {

using namespace std::chrono_literals;

TestServer::Handler body_of(std::size_t size, bool chunked) {
    return [size, chunked](const TestRequest&) {
        TestReply reply;
        reply.body.assign(size, 'x');
        reply.chunked = chunked;
        return reply;
    };
}

TEST(Limits, BodyOverTheCapIsTooLarge) {
    TestServer server(remote_test_identity(), body_of(2 * 1024 * 1024, false));
    Harness harness;
    auto result = harness.get(url("https", "remote.test", server.port()));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().kind, ErrorKind::too_large) << result.error().detail;
}

TEST(Limits, ChunkedBodyIsCappedWhileReading) {
    TestServer server(remote_test_identity(), body_of(2 * 1024 * 1024, true));
    Harness harness;
    auto result = harness.get(url("https", "remote.test", server.port()));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().kind, ErrorKind::too_large) << result.error().detail;
}

TEST(Limits, PerRequestBodyCap) {
    TestServer server(remote_test_identity(), body_of(16, false));
    Harness harness;
    Request request;
    request.url = url("https", "remote.test", server.port());
    request.limits = Limits{};
    request.limits->max_body_bytes = 16;
    EXPECT_TRUE(harness.fetch(request));
    request.limits->max_body_bytes = 15;
    EXPECT_EQ(harness.fetch(request).error().kind, ErrorKind::too_large);
}

TEST(Limits, HeadersOverTheCapAreTooLarge) {
    TestServer server(remote_test_identity(), [](const TestRequest&) {
        TestReply reply;
        reply.headers = {{"X-Padding", std::string(40 * 1024, 'p')}};
        return reply;
    });
    Harness harness;
    auto result = harness.get(url("https", "remote.test", server.port()));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().kind, ErrorKind::too_large) << result.error().detail;
}

// Generous bounds: the point is that the client gives up at all, not when exactly.
Request with_total_timeout(std::string target, std::chrono::milliseconds total) {
    Request request;
    request.url = std::move(target);
    request.limits = Limits{};
    request.limits->total_timeout = total;
    return request;
}

TEST(Limits, SilentServerTimesOutDuringTheHandshake) {
    TestServer silent(std::nullopt, nullptr);
    Harness harness;
    auto started = std::chrono::steady_clock::now();
    auto result = harness.fetch(with_total_timeout(url("https", "remote.test", silent.port()), 500ms));
    auto elapsed = std::chrono::steady_clock::now() - started;
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().kind, ErrorKind::timeout) << result.error().detail;
    EXPECT_LT(elapsed, 5s);
    EXPECT_EQ(silent.accepted(), 1u);
}

TEST(Limits, ServerThatNeverAnswersTimesOut) {
    TestServer server(remote_test_identity(), [](const TestRequest&) {
        TestReply reply;
        reply.never_answer = true;
        return reply;
    });
    Harness harness;
    auto started = std::chrono::steady_clock::now();
    auto result = harness.fetch(with_total_timeout(url("https", "remote.test", server.port()), 500ms));
    auto elapsed = std::chrono::steady_clock::now() - started;
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().kind, ErrorKind::timeout) << result.error().detail;
    EXPECT_LT(elapsed, 5s);
    EXPECT_EQ(server.requests().size(), 1u);
}

TEST(Limits, GarbageIsAMalformedResponse) {
    TestServer server(remote_test_identity(), [](const TestRequest&) {
        TestReply reply;
        reply.raw = "HELLO THERE\r\n\r\n";
        return reply;
    });
    Harness harness;
    auto result = harness.get(url("https", "remote.test", server.port()));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().kind, ErrorKind::malformed_response) << result.error().detail;
}

TEST(Limits, NobodyListeningIsAConnectError) {
    unsigned short closed_port;
    {
        boost::asio::io_context io;
        boost::asio::ip::tcp::acceptor probe(io, {loopback(), 0});
        closed_port = probe.local_endpoint().port();
    }
    Harness harness;
    auto result = harness.get(url("https", "remote.test", closed_port));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().kind, ErrorKind::connect) << result.error().detail;
}

}  // namespace
}  // namespace fedblog::transport::test
