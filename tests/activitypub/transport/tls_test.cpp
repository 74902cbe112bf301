// TLS trust and host names, and which URLs the client accepts at all.
#include <openssl/ssl.h>

#include <atomic>
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

// Counts the records a TLS server reads once its handshake is done, by their headers: application data (in TLS
// 1.3 every record is application data outside, the client's Finished too, hence "once done").
void count_application_records(int write_p, int, int content_type, const void* buf, size_t len, SSL* ssl,
                               void* counter) {
    if (write_p || content_type != SSL3_RT_HEADER || len == 0 || !SSL_is_init_finished(ssl)) return;
    if (static_cast<const unsigned char*>(buf)[0] == SSL3_RT_APPLICATION_DATA)
        ++*static_cast<std::atomic<int>*>(counter);
}

class RequestRecords : public ::testing::TestWithParam<int> {};

// A delivery (a 12 KB signed POST) goes out as one TLS record, one write: Asio's TLS stream encrypts one buffer per
// write, and Beast's header fields and body used to make two records, two sends and two wakeups of the receiver.
TEST_P(RequestRecords, ARequestUnder16KbIsOneTlsRecord) {
    std::atomic<int> records{0};
    const int version = GetParam();
    TestServer server(remote_test_identity(), hello(), [&records, version](SSL_CTX* context) {
        SSL_CTX_set_min_proto_version(context, version);
        SSL_CTX_set_max_proto_version(context, version);
        SSL_CTX_set_msg_callback(context, count_application_records);
        SSL_CTX_set_msg_callback_arg(context, &records);
    });
    Harness harness;
    Request request;
    request.method = "POST";
    request.url = url("https", "remote.test", server.port(), "/users/alice/inbox");
    request.headers = {{"Content-Type", "application/activity+json"}, {"Digest", std::string(60, 'd')}};
    request.body = std::string(12 * 1024, 'x');
    auto result = harness.fetch(request);
    ASSERT_TRUE(result) << result.error().detail;
    EXPECT_EQ(result->status, 200u);
    auto requests = server.requests();
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(requests.front().body(), request.body);  // whole, in order
    EXPECT_EQ(records.load(), 1);

    // A bigger body takes the records TLS needs (16 KB of data each), and arrives whole.
    records = 0;
    request.body = std::string(40 * 1024, 'y');
    result = harness.fetch(request);
    ASSERT_TRUE(result) << result.error().detail;
    requests = server.requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(requests.back().body(), request.body);
    EXPECT_EQ(records.load(), 3);
}

INSTANTIATE_TEST_SUITE_P(Tls, RequestRecords, ::testing::Values(TLS1_2_VERSION, TLS1_3_VERSION),
                         [](const auto& info) { return info.param == TLS1_3_VERSION ? "Tls13" : "Tls12"; });

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
