#include "activitypub/transport/remote_url.hpp"

#include <gtest/gtest.h>

namespace fedblog::transport {
namespace {

TEST(RemoteUrl, TakesAnHttpsUrlApart) {
    auto url = parse_remote_url("https://Remote.Test/users/alice?page=1#main-key");
    ASSERT_TRUE(url) << url.error().detail;
    EXPECT_EQ(url->text, "https://Remote.Test/users/alice?page=1#main-key");
    EXPECT_TRUE(url->tls);
    EXPECT_EQ(url->host, "remote.test");
    EXPECT_FALSE(url->literal_address);
    EXPECT_EQ(url->port, 443);
    EXPECT_EQ(url->authority, "remote.test");
    EXPECT_EQ(url->target, "/users/alice?page=1");
    EXPECT_EQ(url->origin(), "https://remote.test");
}

TEST(RemoteUrl, KeepsANonDefaultPortInTheAuthority) {
    auto url = parse_remote_url("http://remote.test:8080");
    ASSERT_TRUE(url);
    EXPECT_FALSE(url->tls);
    EXPECT_EQ(url->port, 8080);
    EXPECT_EQ(url->authority, "remote.test:8080");
    EXPECT_EQ(url->target, "/");
    EXPECT_EQ(parse_remote_url("http://remote.test:80/")->authority, "remote.test");
}

TEST(RemoteUrl, IpLiteralsNeedNoDns) {
    auto v4 = parse_remote_url("https://127.0.0.1:8443/x");
    ASSERT_TRUE(v4);
    ASSERT_TRUE(v4->literal_address);
    EXPECT_EQ(v4->literal_address->to_string(), "127.0.0.1");
    EXPECT_EQ(v4->authority, "127.0.0.1:8443");

    auto v6 = parse_remote_url("https://[::1]/x");
    ASSERT_TRUE(v6);
    EXPECT_EQ(v6->host, "::1");
    EXPECT_EQ(v6->authority, "[::1]");
    EXPECT_TRUE(v6->literal_address && v6->literal_address->is_v6());
}

TEST(RemoteUrl, RefusesWhatIsNotAnAbsoluteHttpUrl) {
    for (const char* text : {"ftp://remote.test/", "/users/alice", "remote.test/users",
                             "https://user:secret@remote.test/", "https:///no-host", "https://remote.test:0/",
                             "https://exa%20mple.test/", "https://ex ample.test/", "mailto:alice@remote.test"}) {
        auto url = parse_remote_url(text);
        ASSERT_FALSE(url) << text;
        EXPECT_EQ(url.error().kind, ErrorKind::invalid_request) << text;
    }
}

TEST(RemoteUrl, ResolvesRedirectLocations) {
    auto base = parse_remote_url("https://remote.test/users/alice");
    ASSERT_TRUE(base);
    EXPECT_EQ(resolve_location(*base, "/u/alice")->text, "https://remote.test/u/alice");
    EXPECT_EQ(resolve_location(*base, "bob")->text, "https://remote.test/users/bob");
    EXPECT_EQ(resolve_location(*base, "//other.test/x")->text, "https://other.test/x");
    auto elsewhere = resolve_location(*base, "http://other.test:8080/y");
    ASSERT_TRUE(elsewhere);
    EXPECT_FALSE(elsewhere->tls);
    EXPECT_EQ(elsewhere->authority, "other.test:8080");

    auto broken = resolve_location(*base, "https://[not-an-address/");
    ASSERT_FALSE(broken);
    EXPECT_EQ(broken.error().kind, ErrorKind::malformed_response);
}

}  // namespace
}  // namespace fedblog::transport
