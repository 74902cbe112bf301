// fedblog doctor against a real `fedblog serve`: straight, behind a faithful proxy, and behind proxies broken on
// purpose (Host rewritten, a path prefix stripped, Signature or Date dropped, a cache ignoring Accept, a skewed
// Date, untrusted TLS). Each fault must be named.
#include <gtest/gtest.h>

#include <memory>

#include "common/time.hpp"
#include "server/doctor.hpp"
#include "store/deliveries.hpp"
#include "tests/support/rewriting_proxy.hpp"
#include "tests/support/serve_process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_ca.hpp"
#include "tests/support/tls_test_server.hpp"

using namespace fedblog;
using namespace fedblog::testing;

namespace {

const std::string samples = std::string(FEDBLOG_SOURCE_DIR) + "/content";

class Doctor : public ::testing::Test {
protected:
    // Starts fedblog behind a proxy with these rules (public_url is the proxy's), or alone when `proxied` is false.
    void start(std::optional<RewritingProxy::Rules> rules) {
        if (rules) proxy = std::make_unique<RewritingProxy>(fedblog_port, *rules);
        public_url = "http://127.0.0.1:" + std::to_string(proxy ? proxy->port() : fedblog_port);
        serve = std::make_unique<ServeProcess>(fedblog_port, settings(), dir / "serve.log");
        ASSERT_TRUE(serve->up()) << serve->log();
    }

    std::vector<std::string> settings() const {
        return {"--data-dir",  (dir / "data").string(), "--content-dir", samples, "--public-url", public_url,
                "--allow-private-addresses", "--allow-plain-http", "--log-level", "warn"};
    }

    CommandOutput doctor() const {
        std::string arguments = "doctor --listen 127.0.0.1:" + std::to_string(fedblog_port);
        for (const auto& word : settings()) arguments += " '" + word + "'";
        return run_fedblog_command(arguments);
    }

    TempDir dir;
    unsigned short fedblog_port = free_loopback_port();
    std::string public_url;
    std::unique_ptr<RewritingProxy> proxy;
    std::unique_ptr<ServeProcess> serve;
};

RewritingProxy::Rules on_request(std::function<void(RewritingProxy::Request&)> rewrite) {
    RewritingProxy::Rules rules;
    rules.request = std::move(rewrite);
    return rules;
}

RewritingProxy::Rules on_response(std::function<void(RewritingProxy::Response&)> rewrite) {
    RewritingProxy::Rules rules;
    rules.response = std::move(rewrite);
    return rules;
}

bool says(const CommandOutput& result, const std::string& needle) {
    return result.output.find(needle) != std::string::npos;
}

}  // namespace

TEST_F(Doctor, AllGoodAgainstARealServer) {
    start(std::nullopt);
    CommandOutput result = doctor();
    EXPECT_EQ(result.status, 0) << result.output;
    for (const char* area : {"key", "database", "serve", "deliveries", "clock", "webfinger", "actor", "post", "inbox"})
        EXPECT_TRUE(says(result, std::string("ok     ") + area)) << area << "\n" << result.output;
    EXPECT_TRUE(says(result, "0 warnings, 0 faults")) << result.output;
}

TEST_F(Doctor, AllGoodBehindAFaithfulProxy) {
    start(RewritingProxy::Rules{});
    CommandOutput result = doctor();
    EXPECT_EQ(result.status, 0) << result.output;
    EXPECT_TRUE(says(result, "is verified and accepted")) << result.output;
}

TEST_F(Doctor, NamesAHostRewrittenByTheProxy) {
    // nginx's default without `proxy_set_header Host $host`: the upstream's address as Host.
    const std::string upstream = "127.0.0.1:" + std::to_string(fedblog_port);
    start(on_request([upstream](RewritingProxy::Request& r) { r.set("Host", upstream); }));
    CommandOutput result = doctor();
    EXPECT_EQ(result.status, 2) << result.output;
    EXPECT_TRUE(says(result, "FAULT  inbox")) << result.output;
    EXPECT_TRUE(says(result, "rewrites the Host header")) << result.output;
    EXPECT_TRUE(says(result, "fedblog accepts the same signed POST sent straight to it")) << result.output;
    EXPECT_TRUE(says(result, "proxy_set_header Host $host")) << result.output;
}

TEST_F(Doctor, NamesADroppedSignatureHeader) {
    start(on_request([](RewritingProxy::Request& r) { r.erase("Signature"); }));
    CommandOutput result = doctor();
    EXPECT_EQ(result.status, 2) << result.output;
    EXPECT_TRUE(says(result, "missing_signature")) << result.output;
    EXPECT_TRUE(says(result, "the Signature header is dropped on the way")) << result.output;
}

TEST_F(Doctor, NamesADroppedDateHeader) {
    start(on_request([](RewritingProxy::Request& r) { r.erase("Date"); }));
    CommandOutput result = doctor();
    EXPECT_EQ(result.status, 2) << result.output;
    EXPECT_TRUE(says(result, "the Date header is dropped on the way")) << result.output;
}

TEST_F(Doctor, NamesAStrippedPathPrefix) {
    // `location /users/ { proxy_pass http://127.0.0.1:8080/; }`: the URI part replaces the location's prefix.
    start(on_request([](RewritingProxy::Request& r) {
        std::string target(r.target());
        if (target.starts_with("/users/")) r.target(target.substr(6));
    }));
    CommandOutput result = doctor();
    EXPECT_EQ(result.status, 2) << result.output;
    EXPECT_TRUE(says(result, "FAULT  actor")) << result.output;
    EXPECT_TRUE(says(result, "GET /users/blog through public_url answers 404, but fedblog answers it directly")) << result.output;
    EXPECT_TRUE(says(result, "a path prefix stripped")) << result.output;
    EXPECT_TRUE(says(result, "with nothing after the port")) << result.output;
}

TEST_F(Doctor, NamesACacheThatIgnoresAccept) {
    RewritingProxy::Rules cache;
    cache.cache_ignoring_accept = true;
    start(cache);
    CommandOutput result = doctor();
    EXPECT_EQ(result.status, 2) << result.output;
    // The actor is asked as JSON first, the post as HTML first: each order shows one way of being wrong.
    EXPECT_TRUE(says(result, "a cache serves ActivityPub JSON to browsers")) << result.output;
    EXPECT_TRUE(says(result, "a cache serves HTML to ActivityPub clients")) << result.output;
    EXPECT_TRUE(says(result, "proxy_cache_key")) << result.output;
}

TEST_F(Doctor, NamesAClockFarFromPublicUrlsDate) {
    start(on_response([](RewritingProxy::Response& r) {
        r.set("Date", format_http_date(now_seconds() + 2400));
    }));
    CommandOutput result = doctor();
    EXPECT_EQ(result.status, 2) << result.output;
    EXPECT_TRUE(says(result, "FAULT  clock")) << result.output;
    EXPECT_TRUE(says(result, "signatures are refused beyond one hour")) << result.output;
}

TEST_F(Doctor, NamesAWarningForAPendingDeliveryWaitingLong) {
    start(std::nullopt);
    serve->stop();
    {
        // A delivery queued a day ago for a host that never answers (nothing listens on port 1).
        store::Database db(dir / "data" / "fedblog.db");
        store::Deliveries(db).enqueue("https://blog.example/a", "{}", {{"http://127.0.0.1:1/inbox", "127.0.0.1:1"}},
                                      now_seconds() - 86400);
    }
    serve = std::make_unique<ServeProcess>(fedblog_port, settings(), dir / "serve2.log");
    ASSERT_TRUE(serve->up());
    CommandOutput result = doctor();
    EXPECT_EQ(result.status, 1) << result.output;
    EXPECT_TRUE(says(result, "WARN   deliveries")) << result.output;
    EXPECT_TRUE(says(result, "the oldest pending delivery (to 127.0.0.1:1) has waited 24 h")) << result.output;
}

TEST(DoctorTls, NamesACertificateOtherServersWouldRefuse) {
    TempDir dir;
    TestCa unknown_ca("a CA nobody trusts");
    TestServer proxy(unknown_ca.issue({"localhost"}), [](const TestRequest&) { return TestReply{}; });
    Settings settings;
    settings.data_dir = (dir / "data").string();
    settings.content_dir = samples;
    settings.public_url = "https://localhost:" + std::to_string(proxy.port());
    settings.allow_private_addresses = true;  // loopback, for the test
    ASSERT_EQ(run_fedblog_command("publish --data-dir " + settings.data_dir + " --content-dir " + samples).status, 0);
    server::DoctorReport report = server::run_doctor(settings, server::DoctorOptions::from(settings));
    EXPECT_EQ(report.exit_status(), 2);
    ASSERT_TRUE(report.has(server::Severity::fault, "tls")) << server::format_report(report);
    const std::string text = server::format_report(report);
    EXPECT_NE(text.find("TLS with localhost fails"), std::string::npos) << text;
    EXPECT_NE(text.find("fullchain.pem"), std::string::npos) << text;
}
