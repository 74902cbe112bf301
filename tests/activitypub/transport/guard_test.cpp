// The SSRF guard at connect time, and what redirects may and may not do.
#include <gtest/gtest.h>

#include "tests/activitypub/transport/support.hpp"

namespace fedblog::transport::test {
namespace {

TestReply ok(std::string body = "ok") {
    TestReply reply;
    reply.body = std::move(body);
    return reply;
}

TestReply redirect(unsigned status, std::string location) {
    TestReply reply;
    reply.status = status;
    reply.headers = {{"Location", std::move(location)}};
    return reply;
}

ClientOptions guarded_options() {
    auto options = loopback_options();
    options.address_policy.always_allowed.clear();
    return options;
}

TEST(Guard, RefusesLoopbackLiteral) {
    TestServer server(trusted_ca().issue({"127.0.0.1"}), [](const TestRequest&) { return ok(); });
    Harness harness(guarded_options());
    auto result = harness.get(url("https", "127.0.0.1", server.port()));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().kind, ErrorKind::refused_address) << result.error().detail;
    EXPECT_EQ(server.accepted(), 0u);
}

TEST(Guard, RefusesANameThatResolvesToLoopback) {
    TestServer server(remote_test_identity(), [](const TestRequest&) { return ok(); });
    Harness harness(guarded_options());
    auto result = harness.get(url("https", "remote.test", server.port()));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().kind, ErrorKind::refused_address);
    EXPECT_NE(result.error().detail.find("127.0.0.1"), std::string::npos) << result.error().detail;
    EXPECT_EQ(server.accepted(), 0u);
}

TEST(Guard, RefusesWhatTheSystemResolverSaysIsLocal) {
    Harness harness(guarded_options());
    auto result = harness.get("https://localhost:1/");  // from /etc/hosts: loopback, never connected to
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().kind, ErrorKind::refused_address) << result.error().detail;
}

TEST(Guard, ChecksEveryResolvedAddress) {
    auto options = loopback_options();  // 127.0.0.1 allowed, nothing else private
    options.static_hosts["remote.test"] = {boost::asio::ip::make_address("127.0.0.2"),
                                           boost::asio::ip::make_address("10.0.0.1")};
    Harness harness(options);
    auto result = harness.get("https://remote.test/");
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().kind, ErrorKind::refused_address);
}

TEST(Guard, AllowPrivateAddressesForDevelopment) {
    TestServer server(remote_test_identity(), [](const TestRequest&) { return ok(); });
    auto options = guarded_options();
    options.address_policy.allow_private_addresses = true;
    Harness harness(options);
    auto result = harness.get(url("https", "remote.test", server.port()));
    ASSERT_TRUE(result) << result.error().detail;
    EXPECT_EQ(result->body, "ok");
}

TEST(Guard, RefusesARedirectToAPrivateAddress) {
    unsigned short port = 0;
    TestServer server(remote_test_identity(), [&port](const TestRequest& request) {
        if (request.target() == "/by-name") return redirect(302, url("https", "internal.test", port, "/admin"));
        return redirect(302, url("https", "127.0.0.2", port, "/admin"));
    });
    port = server.port();
    Harness harness;  // 127.0.0.1 allowed, internal.test is 127.0.0.2

    auto by_name = harness.get(url("https", "remote.test", port, "/by-name"));
    ASSERT_FALSE(by_name);
    EXPECT_EQ(by_name.error().kind, ErrorKind::refused_address) << by_name.error().detail;

    auto by_address = harness.get(url("https", "remote.test", port, "/by-address"));
    ASSERT_FALSE(by_address);
    EXPECT_EQ(by_address.error().kind, ErrorKind::refused_address) << by_address.error().detail;
    EXPECT_EQ(server.requests().size(), 2u);
}

TEST(Guard, RefusesARedirectFromHttpsToHttp) {
    TestServer plain(std::nullopt, [](const TestRequest&) { return ok(); });
    TestServer server(remote_test_identity(),
                      [&plain](const TestRequest&) { return redirect(301, url("http", "remote.test", plain.port())); });
    auto options = loopback_options();
    options.allow_plain_http = true;  // even then
    Harness harness(options);
    auto result = harness.get(url("https", "remote.test", server.port()));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().kind, ErrorKind::insecure_redirect);
    EXPECT_EQ(plain.accepted(), 0u);
}

// /hop/N redirects to /hop/N+1 (relative Location, all five redirect statuses) until N == last.
TestServer::Handler hops(int last) {
    return [last](const TestRequest& request) {
        int hop = std::stoi(std::string(request.target().substr(std::string_view("/hop/").size())));
        if (hop == last) return ok("arrived");
        static const unsigned statuses[] = {301, 302, 303, 307, 308};
        return redirect(statuses[hop % 5], "/hop/" + std::to_string(hop + 1));
    };
}

TEST(Guard, FollowsRedirectsUpToTheLimit) {
    TestServer server(remote_test_identity(), hops(3));
    Harness harness;
    auto result = harness.get(url("https", "remote.test", server.port(), "/hop/0"));
    ASSERT_TRUE(result) << result.error().detail;
    EXPECT_EQ(result->body, "arrived");
    EXPECT_EQ(result->url, url("https", "remote.test", server.port(), "/hop/3"));
}

TEST(Guard, StopsAfterTooManyRedirects) {
    TestServer server(remote_test_identity(), hops(100));
    Harness harness;
    auto result = harness.get(url("https", "remote.test", server.port(), "/hop/0"));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().kind, ErrorKind::too_many_redirects);
    EXPECT_EQ(server.requests().size(), 4u);  // the request and three redirects

    Request strict;
    strict.url = url("https", "remote.test", server.port(), "/hop/0");
    strict.limits = Limits{};
    strict.limits->max_redirects = 0;
    EXPECT_EQ(harness.fetch(strict).error().kind, ErrorKind::too_many_redirects);
}

TEST(Guard, PostIsNotRedirected) {
    TestServer server(remote_test_identity(), [](const TestRequest&) { return redirect(302, "/elsewhere"); });
    Harness harness;
    Request post;
    post.method = "POST";
    post.url = url("https", "remote.test", server.port(), "/inbox");
    post.headers = {{"Content-Type", "application/activity+json"}};
    post.body = R"({"type":"Follow"})";
    auto result = harness.fetch(post);
    ASSERT_TRUE(result) << result.error().detail;
    EXPECT_EQ(result->status, 302u);
    ASSERT_EQ(server.requests().size(), 1u);
    EXPECT_EQ(server.requests().front().body(), R"({"type":"Follow"})");
    EXPECT_EQ(server.requests().front()["Content-Length"], "17");
}

TEST(Guard, SigningHookSeesEachHopAsSent) {
    TestServer server(remote_test_identity(), hops(1));
    Harness harness;
    std::vector<std::string> signed_urls;
    Request request;
    request.url = url("https", "remote.test", server.port(), "/hop/0");
    request.headers = {{"Accept", "application/activity+json"}};
    request.before_send = [&signed_urls](OutgoingRequest& outgoing) {
        signed_urls.push_back(outgoing.url);
        EXPECT_EQ(outgoing.method, "GET");
        EXPECT_EQ(outgoing.scheme, "https");
        EXPECT_EQ(find_header(outgoing.headers, "host"), outgoing.authority);
        EXPECT_EQ(find_header(outgoing.headers, "accept"), "application/activity+json");
        EXPECT_FALSE(find_header(outgoing.headers, "signature"));  // each hop starts from the caller's headers
        set_header(outgoing.headers, "signature", "signed " + outgoing.target);
    };
    auto result = harness.fetch(request);
    ASSERT_TRUE(result) << result.error().detail;
    EXPECT_EQ(signed_urls, (std::vector<std::string>{url("https", "remote.test", server.port(), "/hop/0"),
                                                     url("https", "remote.test", server.port(), "/hop/1")}));
    auto received = server.requests();
    ASSERT_EQ(received.size(), 2u);
    for (const auto& hop : received) EXPECT_EQ(hop["Signature"], "signed " + std::string(hop.target()));
}

}  // namespace
}  // namespace fedblog::transport::test
