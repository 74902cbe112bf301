// GET /metrics over real sockets: a valid Prometheus exposition whose counters follow what the server did,
// served only to the clients the operator allows. And the misconfigured-proxy hints a signed POST gets.
#include "server/metrics.hpp"

#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "common/version.hpp"
#include "keys/cavage.hpp"
#include "tests/server/server_fixture.hpp"
#include "tests/support/fake_instance.hpp"

using namespace fedblog;
using fedblog::testing::FakeInstance;
using nlohmann::json;

namespace {

// Checks the text exposition format line by line; returns every sample as "name{labels}" → value.
std::map<std::string, double> parse_exposition(const std::string& text) {
    static const std::regex help(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) \S.*)");
    static const std::regex type(R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped))");
    static const std::regex sample(
        R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:\\.|[^"\\])*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:\\.|[^"\\])*")*\})? (-?[0-9][0-9.e+-]*|\+Inf))");
    std::map<std::string, double> samples;
    std::set<std::string> helped;
    std::map<std::string, std::string> types;
    std::istringstream in(text);
    std::string line;
    EXPECT_TRUE(text.ends_with("\n"));
    while (std::getline(in, line)) {
        std::smatch m;
        if (std::regex_match(line, m, help)) {
            EXPECT_TRUE(helped.insert(m[1]).second) << "HELP twice: " << line;
        } else if (std::regex_match(line, m, type)) {
            EXPECT_TRUE(helped.contains(m[1])) << "TYPE before HELP: " << line;
            EXPECT_TRUE(types.emplace(m[1], m[2]).second) << "TYPE twice: " << line;
        } else if (std::regex_match(line, m, sample)) {
            std::string name = m[1];
            std::string family = name;
            for (const char* suffix : {"_bucket", "_sum", "_count"})
                if (!types.contains(family) && family.ends_with(suffix))
                    family = family.substr(0, family.size() - std::string(suffix).size());
            EXPECT_TRUE(types.contains(family)) << "sample without TYPE: " << line;
            if (types[family] == "counter") {
                EXPECT_TRUE(name.ends_with("_total")) << line;
            }
            EXPECT_FALSE(samples.contains(name + std::string(m[2]))) << "series twice: " << line;
            samples[name + std::string(m[2])] = m[3] == "+Inf" ? INFINITY : std::stod(m[3]);
        } else {
            ADD_FAILURE() << "not exposition format: \"" << line << "\"";
        }
    }
    return samples;
}

class MetricsTest : public fedblog::testing::ServerFixture {
protected:
    std::map<std::string, double> scrape(const std::string& from = {}) {
        auto reply = fedblog::testing::HttpClient(port, from).get("/metrics");
        EXPECT_EQ(reply.result_int(), 200) << reply.body();
        EXPECT_EQ(reply[boost::beast::http::field::content_type], "text/plain; version=0.0.4; charset=utf-8");
        return parse_exposition(reply.body());
    }
};

TEST(RouteOf, NamesPatternsNeverRawPaths) {
    EXPECT_EQ(server::route_of("/"), "/");
    EXPECT_EQ(server::route_of("/posts/bonjour?x=1"), "/posts/:slug");
    EXPECT_EQ(server::route_of("/posts/bonjour/replies"), "/posts/:slug/replies");
    EXPECT_EQ(server::route_of("/posts/bonjour/whatever"), "other");
    EXPECT_EQ(server::route_of("/users/blog/inbox"), "/users/:handle/inbox");
    EXPECT_EQ(server::route_of("/@blog"), "/@:handle");
    EXPECT_EQ(server::route_of("/.well-known/webfinger?resource=acct:a@b"), "/.well-known/webfinger");
    EXPECT_EQ(server::route_of("/media/a/b/c.png"), "/media/*");
    EXPECT_EQ(server::route_of("/api/posts/x/comments"), "/api/posts/:slug/comments");
    EXPECT_EQ(server::route_of("/wp-login.php"), "other");
    EXPECT_EQ(server::route_of("*"), "other");
}

TEST_F(MetricsTest, TheExpositionIsValidAndCountersFollowRequests) {
    write_post("bonjour.md", "title: Bonjour\ndate: 2026-11-01\n", "Premier billet.\n");
    start();
    auto before = scrape();
    EXPECT_EQ(before["fedblog_followers{state=\"accepted\"}"], 0);
    EXPECT_EQ(before["fedblog_posts{state=\"published\"}"], 1);
    EXPECT_EQ(before["fedblog_comments{state=\"held\"}"], 0);
    EXPECT_EQ(before["fedblog_deliveries_queued{state=\"pending\"}"], 0);
    EXPECT_EQ(before["fedblog_build_info{version=\"" + std::string(fedblog::version) + "\"}"], 1);
    auto client = this->client();
    client.get("/posts/bonjour");
    client.get("/posts/bonjour");
    client.get_activity("/posts/bonjour");
    client.get("/posts/nope");
    client.get("/wp-login.php");
    fedblog::testing::HttpClient(port).raw("BROKEN\r\n\r\n");  // refused before routing: 400
    auto after = scrape();
    const std::string ok = "fedblog_http_requests_total{route=\"/posts/:slug\",status=\"200\"}";
    EXPECT_EQ(after[ok] - before[ok], 3);
    EXPECT_EQ(after["fedblog_http_requests_total{route=\"/posts/:slug\",status=\"404\"}"], 1);
    EXPECT_EQ(after["fedblog_http_requests_total{route=\"other\",status=\"404\"}"], 1);
    EXPECT_EQ(after["fedblog_http_requests_total{route=\"(unread)\",status=\"400\"}"], 1);
    EXPECT_EQ(after["fedblog_http_requests_total{route=\"/metrics\",status=\"200\"}"], 1);  // the first scrape
    EXPECT_EQ(after["fedblog_delivery_duration_seconds_count"], 0);  // no delivery workers in this server
}

TEST_F(MetricsTest, OnlyAllowedClientsReadThem) {
    settings.metrics_allowed = {"127.0.0.7", "10.0.0.0/8"};
    settings.trusted_proxies = {"127.0.0.1"};
    start();
    EXPECT_EQ(client().get("/metrics").result_int(), 403);  // loopback, but not allowed
    scrape("127.0.0.7");
    // From the trusted proxy, judged by the client it names; from anyone else, its header is not believed.
    EXPECT_EQ(client().get("/metrics", {{"X-Forwarded-For", "10.1.2.3"}}).result_int(), 200);
    EXPECT_EQ(client().get("/metrics", {{"X-Forwarded-For", "10.1.2.3, 198.51.100.1"}}).result_int(), 403);
    EXPECT_EQ(fedblog::testing::HttpClient(port, "127.0.0.8").get("/metrics", {{"X-Forwarded-For", "10.1.2.3"}}).result_int(),
              403);
    // Relayed by a proxy that is not trusted: refused even from an allowed peer, its client is unknown.
    EXPECT_EQ(fedblog::testing::HttpClient(port, "127.0.0.7").get("/metrics", {{"X-Forwarded-For", "127.0.0.7"}}).result_int(),
              403);
    EXPECT_EQ(client().request(boost::beast::http::verb::post, "/metrics", {{"X-Forwarded-For", "10.1.2.3"}}).result_int(),
              405);
}

class FederatedMetricsTest : public fedblog::testing::ServerFixture {
protected:
    FederatedMetricsTest() : remote(ca, {"remote.test"}) {
        auto tuning = fedblog::testing::loopback_federation(ca.certificate_pem(), {"remote.test"});
        tuning.schedule.time_scale = 0.0005;
        federation_tuning = tuning;
    }

    // A Follow signed for `authority` and `target` as the signer saw them, sent with that Host.
    fedblog::testing::Reply signed_follow(const std::string& actor, const std::string& authority,
                                          const std::string& target) {
        json follow = {{"@context", "https://www.w3.org/ns/activitystreams"},
                       {"id", actor + "#follows/" + std::to_string(++sent)},
                       {"type", "Follow"},
                       {"actor", actor},
                       {"object", url("/users/blog")}};
        std::string body = follow.dump();
        keys::HttpMessage message;
        message.method = "POST";
        message.scheme = "http";
        message.authority = authority;
        message.target = target;
        message.headers = {{"host", authority}, {"content-type", "application/activity+json"}};
        message.body = body;
        keys::sign_request(message, remote.key(), actor + "#main-key", keys::default_covered(message), now_seconds());
        return client().request(boost::beast::http::verb::post, target,
                                fedblog::testing::Headers(message.headers.begin(), message.headers.end()), body);
    }

    fedblog::testing::TestCa ca;
    FakeInstance remote;
    int sent = 0;
};

TEST_F(FederatedMetricsTest, InboxAndDeliveryCountersMove) {
    start();
    remote.trust_blog_key(url("/users/blog") + "#main-key", app->key().public_pem());
    std::string alice = remote.add_actor("alice");
    auto authority = "localhost:" + std::to_string(port);
    ASSERT_EQ(signed_follow(alice, authority, "/users/blog/inbox").result_int(), 202);
    ASSERT_TRUE(FakeInstance::wait_for([&] { return !remote.deliveries().empty(); }));
    ASSERT_TRUE(FakeInstance::wait_for([&] { return federation->deliveries().counters().delivered.load() == 1; }));
    auto reply = client().get("/metrics");
    auto samples = parse_exposition(reply.body());
    EXPECT_EQ(samples["fedblog_inbox_activities_total{type=\"Follow\",outcome=\"followed\"}"], 1) << reply.body();
    EXPECT_EQ(samples["fedblog_followers{state=\"accepted\"}"], 1);
    EXPECT_EQ(samples["fedblog_deliveries_total{outcome=\"succeeded\"}"], 1);
    EXPECT_EQ(samples["fedblog_delivery_duration_seconds_count"], 1);
    EXPECT_EQ(samples["fedblog_delivery_duration_seconds_bucket{le=\"+Inf\"}"], 1);
    EXPECT_GT(samples["fedblog_delivery_duration_seconds_sum"], 0);
    EXPECT_EQ(samples["fedblog_deliveries_queued{state=\"pending\"}"], 0);
    // An unsigned POST is counted too, under what the inbox said.
    client().request(boost::beast::http::verb::post, "/inbox", {{"Content-Type", "application/activity+json"}}, "{]");
    samples = parse_exposition(client().get("/metrics").body());
    EXPECT_EQ(samples["fedblog_inbox_activities_total{type=\"(unreadable)\",outcome=\"malformed_json\"}"], 1);
}

TEST_F(FederatedMetricsTest, AProxyRewritingHostIsNamedInTheRefusal) {
    start();
    std::string alice = remote.add_actor("alice");
    // Signed for the public name, delivered with the upstream's address as Host: what nginx does by default.
    auto reply = signed_follow(alice, "127.0.0.1:" + std::to_string(port), "/users/blog/inbox");
    // The signature covers the Host the signer used and it verifies, but that Host is not public_url's: a
    // request meant for another server, refused without the proxy hint (421). The hint is for failed signatures.
    EXPECT_EQ(reply.result_int(), 421) << reply.body();
    EXPECT_NE(reply.body().find("wrong_host"), std::string::npos) << reply.body();
    EXPECT_EQ(reply.body().find("rewrote Host"), std::string::npos) << reply.body();

    // Now the real failure: signed for localhost:<port>, arriving as Host 127.0.0.1:<port>.
    json follow = {{"@context", "https://www.w3.org/ns/activitystreams"},
                   {"id", alice + "#follows/rewritten"},
                   {"type", "Follow"},
                   {"actor", alice},
                   {"object", url("/users/blog")}};
    std::string body = follow.dump();
    keys::HttpMessage message;
    message.method = "POST";
    message.scheme = "http";
    message.authority = "localhost:" + std::to_string(port);
    message.target = "/users/blog/inbox";
    message.headers = {{"host", message.authority}, {"content-type", "application/activity+json"}};
    message.body = body;
    keys::sign_request(message, remote.key(), alice + "#main-key", keys::default_covered(message), now_seconds());
    fedblog::testing::Headers headers(message.headers.begin(), message.headers.end());
    headers[0].second = "127.0.0.1:" + std::to_string(port);
    auto refused = client().request(boost::beast::http::verb::post, "/users/blog/inbox", headers, body);
    EXPECT_EQ(refused.result_int(), 401);
    EXPECT_NE(refused.body().find("rewrote Host"), std::string::npos) << refused.body();
    EXPECT_NE(refused.body().find("proxy_set_header Host $http_host"), std::string::npos) << refused.body();
}

TEST_F(FederatedMetricsTest, ASignedPostThatLostItsPathPrefixIsNamed) {
    start();
    std::string alice = remote.add_actor("alice");
    auto authority = "localhost:" + std::to_string(port);
    auto stripped = signed_follow(alice, authority, "/blog/inbox");  // location /users/ { proxy_pass http://up/; }
    EXPECT_EQ(stripped.result_int(), 404);
    EXPECT_NE(stripped.body().find("stripped a path prefix"), std::string::npos) << stripped.body();
    auto root = signed_follow(alice, authority, "/");  // location /inbox { proxy_pass http://up/; }
    EXPECT_NE(root.body().find("stripped a path prefix"), std::string::npos) << root.body();
    auto added = signed_follow(alice, authority, "/fedblog/inbox");
    EXPECT_NE(added.body().find("added a path prefix"), std::string::npos) << added.body();
    // Another account's inbox, or an unsigned POST: the sender's mistake, answered as before.
    EXPECT_EQ(signed_follow(alice, authority, "/users/someone/inbox").body().find("prefix"), std::string::npos);
    auto unsigned_post = client().request(boost::beast::http::verb::post, "/blog/inbox", {}, "{}");
    EXPECT_EQ(unsigned_post.result_int(), 405);
}

}  // namespace
