// TLS trust and host names, and which URLs the client accepts at all.
#include <gtest/gtest.h>

#include "tests/activitypub/transport/support.hpp"

namespace fedblog::transport::test {
namespace {

TestServer::Handler hello() {
    return [](const TestRequest&) {
        TestReply reply;
        reply.headers = {{"Content-Type", "application/activity+json"}};
        reply.body = "hello";
        return reply;
    };
}

TEST(Tls, GetsFromATrustedServerByName) {
    TestServer server(remote_test_identity(), hello());
    Harness harness;
    auto requested = url("https", "remote.test", server.port(), "/users/alice?page=1#main-key");
    auto result = harness.get(requested);
    ASSERT_TRUE(result) << result.error().detail;
    EXPECT_EQ(result->status, 200u);
    EXPECT_EQ(result->body, "hello");
    EXPECT_EQ(result->header("content-type"), "application/activity+json");
    EXPECT_EQ(result->url, requested);

    auto requests = server.requests();
    ASSERT_EQ(requests.size(), 1u);
    const auto& received = requests.front();
    EXPECT_EQ(received.target(), "/users/alice?page=1");
    EXPECT_EQ(received["Host"], "remote.test:" + std::to_string(server.port()));
    EXPECT_EQ(server.server_names(), std::vector<std::string>{"remote.test"});  // SNI
}

TEST(Tls, UntrustedCertificateIsATlsError) {
    testing::TestCa stranger("some other CA");
    TestServer server(stranger.issue({"remote.test"}), hello());
    Harness harness;
    auto result = harness.get(url("https", "remote.test", server.port()));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().kind, ErrorKind::tls) << result.error().detail;
    EXPECT_TRUE(server.requests().empty());
}

TEST(Tls, CertificateForAnotherHostIsATlsError) {
    TestServer server(trusted_ca().issue({"other.test"}), hello());
    Harness harness;
    auto result = harness.get(url("https", "remote.test", server.port()));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().kind, ErrorKind::tls);
    EXPECT_NE(result.error().detail.find("mismatch"), std::string::npos) << result.error().detail;
    EXPECT_TRUE(server.requests().empty());
}

TEST(Tls, CertificateForAnIpLiteral) {
    TestServer server(trusted_ca().issue({"127.0.0.1"}), hello());
    Harness harness;
    auto result = harness.get(url("https", "127.0.0.1", server.port()));
    ASSERT_TRUE(result) << result.error().detail;
    EXPECT_TRUE(server.server_names().empty());  // no SNI for IP literals
}

TEST(Tls, PlainHttpIsRefusedByDefault) {
    TestServer server(std::nullopt, hello());
    Harness harness;
    auto result = harness.get(url("http", "remote.test", server.port()));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().kind, ErrorKind::plain_http_refused);
    EXPECT_EQ(server.accepted(), 0u);
}

TEST(Tls, PlainHttpWhenAllowedForDevelopment) {
    TestServer server(std::nullopt, hello());
    auto options = loopback_options();
    options.allow_plain_http = true;
    Harness harness(options);
    auto result = harness.get(url("http", "remote.test", server.port()));
    ASSERT_TRUE(result) << result.error().detail;
    EXPECT_EQ(result->body, "hello");
}

TEST(Tls, UnusableRequestsAreRefusedBeforeConnecting) {
    TestServer server(remote_test_identity(), hello());
    Harness harness;
    EXPECT_EQ(harness.get("ftp://remote.test/").error().kind, ErrorKind::invalid_request);

    Request unknown_method;
    unknown_method.method = "BREW";
    unknown_method.url = url("https", "remote.test", server.port());
    EXPECT_EQ(harness.fetch(unknown_method).error().kind, ErrorKind::invalid_request);

    Request injected;
    injected.url = url("https", "remote.test", server.port());
    injected.headers = {{"Accept", "application/activity+json\r\nX-Injected: yes"}};
    EXPECT_EQ(harness.fetch(injected).error().kind, ErrorKind::invalid_request);
    EXPECT_EQ(server.accepted(), 0u);
}

}  // namespace
}  // namespace fedblog::transport::test
