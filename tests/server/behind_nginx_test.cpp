// The operator's path end to end: the shipped deploy/nginx/fedblog.conf run in a real nginx with TLS from a
// test CA, fedblog behind it as https://blog.test:<port>, and the test suite's remote instance behind the
// same nginx as https://remote.test:<port> (both names resolve to 127.0.0.1 for fedblog's client). The
// remote follows, receives the signed Accept and the Create, replies, edits, gets the owner's answer, deletes
// and unfollows, all across the proxy; X-Forwarded-For is believed only from the trusted proxy; a proxy that
// rewrites Host is named in the log with its fix. Skipped, saying so, when nginx is not installed.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "common/log.hpp"
#include "common/time.hpp"
#include "keys/cavage.hpp"
#include "server/admin_commands.hpp"
#include "server/app.hpp"
#include "server/federation.hpp"
#include "server/metrics.hpp"
#include "server/router.hpp"
#include "store/comments.hpp"
#include "tests/support/fake_instance.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/nginx_process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/tls_client.hpp"

using namespace fedblog;
using fedblog::testing::FakeInstance;
using fedblog::testing::NginxProcess;
using fedblog::testing::Reply;
using fedblog::testing::TlsClient;
using nlohmann::json;
namespace beast_http = boost::beast::http;

namespace {

std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// Replaces every `from` with `to`; the shipped file must contain `from`, or the test no longer tests it.
void replace_all(std::string& text, const std::string& from, const std::string& to) {
    std::size_t at = text.find(from);
    if (at == std::string::npos) throw std::runtime_error("the nginx config no longer contains \"" + from + "\"");
    for (; at != std::string::npos; at = text.find(from, at + to.size())) text.replace(at, from.size(), to);
}

std::string without_lines_containing(const std::string& text, const std::string& needle) {
    std::istringstream in(text);
    std::string out;
    for (std::string line; std::getline(in, line);)
        if (line.find(needle) == std::string::npos) out += line + "\n";
    return out;
}

// Where fedblog's log lines go during a test: fd 2 is pointed at a file, then put back.
class CapturedStderr {
public:
    explicit CapturedStderr(std::filesystem::path file) : file_(std::move(file)) {
        log::flush();
        saved_ = ::dup(STDERR_FILENO);
        int fd = ::open(file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ::dup2(fd, STDERR_FILENO);
        ::close(fd);
    }
    ~CapturedStderr() {
        log::flush();
        ::dup2(saved_, STDERR_FILENO);
        ::close(saved_);
    }
    std::string text() const {
        log::flush();
        return read_text(file_);
    }

private:
    std::filesystem::path file_;
    int saved_ = -1;
};

class BehindNginxTest : public ::testing::Test {
protected:
    BehindNginxTest() : remote(ca, {"remote.test"}) {}

    void SetUp() override {
        if (NginxProcess::binary().empty())
            GTEST_SKIP() << "nginx is not installed (deploy/install-deps.sh installs it): the end-to-end test "
                            "through a real reverse proxy did not run";
        std::filesystem::create_directories(dir / "content");
        settings.data_dir = (dir / "data").string();
        settings.content_dir = (dir / "content").string();
        settings.listen = "127.0.0.1:0";
        settings.threads = 2;
        settings.trusted_proxies = {"127.0.0.1"};
        settings.metrics_allowed = {"127.0.0.5"};
        log_capture = std::make_unique<CapturedStderr>(dir / "fedblog.log");
    }

    void TearDown() override {
        nginx.reset();
        if (server) server->stop();
        if (thread.joinable()) thread.join();
        if (federation) federation->stop(std::chrono::seconds(0));
        log_capture.reset();
    }

    // fedblog, then nginx in front of it with `site_config` (deploy/nginx/fedblog.conf, as shipped unless a
    // test breaks it on purpose) and a server block of its own for the remote instance.
    void start(const std::function<std::string(std::string)>& break_config = {}) {
        // fedblog binds first, so the ports picked for nginx cannot be the one the kernel gives it.
        server = std::make_unique<server::HttpServer>(
            "127.0.0.1", 0, server::ServerLimits::from(settings),
            [this](const http::Request& request, const server::Peer& peer) { return (*router)(request, peer); },
            [this](const http::Request& request, const http::Response& response) {
                metrics.count_response(request, response);
            });
        do proxy_port = NginxProcess::free_port();
        while (proxy_port == server->port() || proxy_port == remote.port());
        do http_port = NginxProcess::free_port();
        while (http_port == server->port() || http_port == remote.port());
        remote.set_public_port(proxy_port);
        authority = "blog.test:" + std::to_string(proxy_port);
        settings.public_url = "https://" + authority;

        app = std::make_unique<server::App>(settings);
        app->sync_content();
        app->announce_profile(app->key().public_pem());
        site = std::make_unique<server::SiteHolder>(app->build_site());
        server::FederationTuning tuning;
        tuning.client.public_url = settings.public_url;
        tuning.client.extra_ca_pem = ca.certificate_pem();
        for (const char* host : {"blog.test", "remote.test"})
            tuning.client.static_hosts[host] = {boost::asio::ip::make_address("127.0.0.1")};
        tuning.client.address_policy.always_allowed = {boost::asio::ip::make_address("127.0.0.1")};
        tuning.schedule.time_scale = 0.0005;
        tuning.poll_interval = std::chrono::milliseconds(100);
        tuning.threads = 2;
        federation = std::make_unique<server::Federation>(*app, tuning, &metrics);
        router = std::make_unique<server::Router>(*site, app->reader(), federation->inbox_endpoint());
        router->serve_metrics(server::metrics_endpoint(
            metrics, app->database(), [this] { return &federation->deliveries().counters(); },
            server::AddressSet::parse(settings.metrics_allowed), server::AddressSet::parse(settings.trusted_proxies)));
        federation->start();
        thread = std::thread([this] { server->run(false); });
        remote.trust_blog_key(actor() + "#main-key", app->key().public_pem());

        std::string site_config = adapted(read_text(std::string(FEDBLOG_SOURCE_DIR) + "/deploy/nginx/fedblog.conf"));
        if (break_config) site_config = break_config(site_config);
        nginx = std::make_unique<NginxProcess>(dir / "nginx", site_config + remote_server_block(), proxy_port);
    }

    // The shipped file with this test's names, ports and paths in place of the operator's.
    std::string adapted(std::string config) const {
        auto certificate = ca.issue({"blog.test", "remote.test"});
        std::filesystem::create_directories(dir / "nginx");
        std::ofstream(dir / "nginx/cert.pem") << certificate.certificate_pem;
        std::ofstream(dir / "nginx/key.pem") << certificate.private_key_pem;
        std::ofstream(dir / "nginx/ca.pem") << ca.certificate_pem();
        replace_all(config, "blog.example", "blog.test");
        config = without_lines_containing(config, "listen [::]:");  // loopback IPv4 only
        replace_all(config, "listen 443 ssl http2;", "listen 127.0.0.1:" + std::to_string(proxy_port) + " ssl http2;");
        replace_all(config, "listen 80;", "listen 127.0.0.1:" + std::to_string(http_port) + ";");
        replace_all(config, "server 127.0.0.1:8080;", "server 127.0.0.1:" + std::to_string(server->port()) + ";");
        replace_all(config, "/etc/letsencrypt/live/blog.test/fullchain.pem", (dir / "nginx/cert.pem").string());
        replace_all(config, "/etc/letsencrypt/live/blog.test/privkey.pem", (dir / "nginx/key.pem").string());
        replace_all(config, "/var/cache/nginx/fedblog", (dir / "nginx/cache").string());
        replace_all(config, "/var/www/letsencrypt", (dir / "nginx/acme").string());
        return config;
    }

    // The remote instance behind the same nginx, verified by nginx against the test CA.
    std::string remote_server_block() const {
        return "server {\n  listen 127.0.0.1:" + std::to_string(proxy_port) + " ssl;\n  server_name remote.test;\n" +
               "  ssl_certificate " + (dir / "nginx/cert.pem").string() + ";\n  ssl_certificate_key " +
               (dir / "nginx/key.pem").string() + ";\n  location / {\n    proxy_pass https://127.0.0.1:" +
               std::to_string(remote.port()) + ";\n    proxy_set_header Host $http_host;\n" +
               "    proxy_ssl_server_name on;\n    proxy_ssl_name remote.test;\n    proxy_ssl_verify on;\n" +
               "    proxy_ssl_trusted_certificate " + (dir / "nginx/ca.pem").string() + ";\n  }\n}\n";
    }

    std::string actor() const { return settings.public_url + "/users/blog"; }
    std::string url(const std::string& path) const { return settings.public_url + path; }
    TlsClient blog(std::string local_address = {}) const {
        return TlsClient(proxy_port, authority, ca.certificate_pem(), std::move(local_address));
    }

    // What a remote server sends: signed for https://blog.test:<port><target>, through nginx.
    Reply send(const json& activity, const std::string& signer, const std::string& target = "/users/blog/inbox") {
        std::string body = activity.dump();
        keys::HttpMessage message;
        message.method = "POST";
        message.scheme = "https";
        message.authority = authority;
        message.target = target;
        message.headers = {{"host", authority}, {"content-type", "application/activity+json"}};
        message.body = body;
        keys::sign_request(message, remote.key(), signer + "#main-key", keys::default_covered(message), now_seconds());
        return blog().request(beast_http::verb::post, target,
                              fedblog::testing::Headers(message.headers.begin(), message.headers.end()), body);
    }

    std::vector<fedblog::testing::ReceivedDelivery> received(const std::string& type) const {
        std::vector<fedblog::testing::ReceivedDelivery> found;
        for (const auto& delivery : remote.deliveries())
            if (delivery.body.value("type", "") == type) found.push_back(delivery);
        return found;
    }

    void write_post(const std::string& file, const std::string& front_matter, const std::string& body) const {
        std::ofstream(dir / "content" / file) << "---\n" << front_matter << "---\n" << body;
    }
    void resync() {
        app->sync_content([this] { federation->wake_deliveries(); });
        site->replace(app->build_site());
    }

    fedblog::testing::TempDir dir;
    fedblog::testing::TestCa ca;
    FakeInstance remote;
    Settings settings;
    unsigned short proxy_port = 0, http_port = 0;
    std::string authority;
    std::unique_ptr<CapturedStderr> log_capture;
    server::Metrics metrics;
    std::unique_ptr<server::App> app;
    std::unique_ptr<server::SiteHolder> site;
    std::unique_ptr<server::Federation> federation;
    std::unique_ptr<server::Router> router;
    std::unique_ptr<server::HttpServer> server;
    std::thread thread;
    std::unique_ptr<NginxProcess> nginx;
};

json note(const std::string& actor, const std::string& id, const std::string& in_reply_to, const std::string& html) {
    return {{"id", id},
            {"type", "Note"},
            {"attributedTo", actor},
            {"inReplyTo", in_reply_to},
            {"content", html},
            {"published", "2026-11-20T10:00:00Z"},
            {"to", json::array({"https://www.w3.org/ns/activitystreams#Public"})},
            {"cc", json::array()}};
}

json activity(const std::string& type, const std::string& actor, const std::string& id, json object) {
    return {{"@context", "https://www.w3.org/ns/activitystreams"},
            {"id", id},
            {"type", type},
            {"actor", actor},
            {"object", std::move(object)}};
}

TEST_F(BehindNginxTest, TheWholeStoryAcrossTheProxy) {
    write_post("bonjour.md", "title: Bonjour\ndate: 2026-11-01\n", "Premier billet.\n");
    start();

    // Discovery, as a remote server does it: WebFinger, then the actor, over TLS through nginx.
    auto webfinger = blog().get("/.well-known/webfinger?resource=acct:blog@" + authority);
    ASSERT_EQ(webfinger.result_int(), 200) << webfinger.body() << nginx->error_log();
    bool self_link = false;
    const json jrd = json::parse(webfinger.body());
    for (const auto& link : jrd["links"])
        self_link = self_link || (link.value("rel", "") == "self" && link.value("href", "") == actor());
    EXPECT_TRUE(self_link) << webfinger.body();
    auto actor_document = blog().get_activity("/users/blog");
    ASSERT_EQ(actor_document.result_int(), 200);
    EXPECT_EQ(json::parse(actor_document.body())["id"], actor());
    EXPECT_EQ(json::parse(actor_document.body())["inbox"], actor() + "/inbox");
    EXPECT_NE(blog().get("/users/blog")[beast_http::field::content_type].find("text/html"), std::string::npos);

    // Plain HTTP is redirected; the body limit is nginx's and matches fedblog's.
    fedblog::testing::HttpClient plain(http_port);
    auto redirect = plain.get("/posts/bonjour", {{"Host", "blog.test"}});
    EXPECT_EQ(redirect.result_int(), 301);
    EXPECT_EQ(redirect[beast_http::field::location], "https://blog.test/posts/bonjour");
    auto too_large = blog().request(beast_http::verb::post, "/inbox", {{"Content-Type", "application/activity+json"}},
                                    std::string(settings.max_body_bytes + 1, 'x'));
    EXPECT_EQ(too_large.result_int(), 413);

    // Follow: the Accept comes back signed, through nginx, and verifies at the remote with the Host it got.
    std::string alice = remote.add_actor("alice");
    auto followed = send(activity("Follow", alice, alice + "#follows/1", actor()), alice);
    ASSERT_EQ(followed.result_int(), 202) << followed.body();
    ASSERT_TRUE(FakeInstance::wait_for([&] { return !received("Accept").empty(); }));
    auto accept = received("Accept").front();
    EXPECT_TRUE(accept.verified) << accept.failure;
    EXPECT_EQ(accept.host, "remote.test");
    EXPECT_EQ(accept.path, "/users/alice/inbox");
    EXPECT_EQ(accept.body["object"]["id"], alice + "#follows/1");

    // Publish: the Create reaches the shared inbox.
    write_post("nouveau.md", "title: Nouveau\ndate: 2026-11-02\n", "Tout neuf.\n");
    resync();
    ASSERT_TRUE(FakeInstance::wait_for([&] { return !received("Create").empty(); }));
    auto create = received("Create").front();
    EXPECT_TRUE(create.verified) << create.failure;
    EXPECT_EQ(create.path, "/inbox");
    EXPECT_EQ(create.body["object"]["id"], url("/posts/nouveau"));

    // The same address answers JSON to servers and HTML to browsers; nginx caches neither, only static files.
    auto article = blog().get_activity("/posts/nouveau");
    EXPECT_EQ(json::parse(article.body())["id"], url("/posts/nouveau"));
    EXPECT_EQ(article.find("X-Cache-Status"), article.end());
    auto page = blog().get("/posts/nouveau");
    EXPECT_NE(page.body().find("Tout neuf."), std::string::npos);
    EXPECT_EQ(page[beast_http::field::vary], "Accept");
    blog().get("/style.css");
    EXPECT_EQ(blog().get("/style.css")["X-Cache-Status"], "HIT");

    // A reply becomes a comment on the post page; its edit and its deletion follow it.
    const std::string note_id = alice + "/statuses/1";
    json reply = note(alice, note_id, url("/posts/nouveau"), "<p>Bravo pour ce billet !</p>");
    auto created = send(activity("Create", alice, note_id + "/activity", reply), alice);
    EXPECT_NE(created.body().find("comment_added"), std::string::npos) << created.body();
    EXPECT_NE(blog().get("/posts/nouveau").body().find("Bravo pour ce billet !"), std::string::npos);
    reply["content"] = "<p>Bravo, relu et corrigé.</p>";
    reply["updated"] = "2026-11-21T10:00:00Z";
    auto edited = send(activity("Update", alice, note_id + "/edit", reply), alice);
    EXPECT_NE(edited.body().find("comment_edited"), std::string::npos) << edited.body();
    page = blog().get("/posts/nouveau");
    EXPECT_NE(page.body().find("Bravo, relu et corrigé."), std::string::npos);
    EXPECT_EQ(page.body().find("Bravo pour ce billet"), std::string::npos);

    // The owner answers: the Note, mentioning alice, comes back through nginx to her inbox, signed.
    auto comment = store::Comments(app->database()).find_by_object_id(note_id);
    ASSERT_TRUE(comment);
    ASSERT_EQ(server::comments_command(*app, {"reply", std::to_string(comment->id), "--text", "Merci **Alice** !"}), 0);
    federation->wake_deliveries();
    auto answered = [&] {
        for (const auto& delivery : received("Create"))
            if (delivery.body["object"].value("inReplyTo", "") == note_id) return std::optional(delivery);
        return std::optional<fedblog::testing::ReceivedDelivery>();
    };
    ASSERT_TRUE(FakeInstance::wait_for([&] { return answered().has_value(); }));
    auto answer = *answered();
    EXPECT_TRUE(answer.verified) << answer.failure;
    EXPECT_EQ(answer.host, "remote.test");
    EXPECT_EQ(answer.body["object"]["tag"][0]["href"], alice);
    EXPECT_NE(answer.body["object"].value("content", "").find("<strong>Alice</strong>"), std::string::npos);
    auto served = blog().get_activity(answer.body["object"].value("id", "").substr(url("").size()));
    EXPECT_EQ(json::parse(served.body())["id"], answer.body["object"]["id"]);

    auto deleted = send(activity("Delete", alice, note_id + "/delete", {{"id", note_id}, {"type", "Tombstone"}}), alice);
    EXPECT_NE(deleted.body().find("comment_deleted"), std::string::npos) << deleted.body();
    EXPECT_EQ(blog().get("/posts/nouveau").body().find("Bravo"), std::string::npos);

    // Unfollow.
    auto undone = send(activity("Undo", alice, alice + "#follows/1/undo",
                                activity("Follow", alice, alice + "#follows/1", actor())),
                       alice);
    EXPECT_EQ(undone.result_int(), 202) << undone.body();
    EXPECT_EQ(json::parse(blog().get_activity("/users/blog/followers").body())["totalItems"], 0);

    // X-Forwarded-For: the client nginx saw (127.0.0.5), never what the client wrote in it.
    auto allowed = blog("127.0.0.5").get("/metrics", {{"X-Forwarded-For", "203.0.113.9"}});
    ASSERT_EQ(allowed.result_int(), 200) << allowed.body();
    EXPECT_NE(allowed.body().find("fedblog_inbox_activities_total{type=\"Follow\",outcome=\"followed\"} 1"),
              std::string::npos)
        << allowed.body();
    EXPECT_NE(allowed.body().find("fedblog_followers{state=\"accepted\"} 0"), std::string::npos);
    auto spoofed = blog("127.0.0.6").get("/metrics", {{"X-Forwarded-For", "127.0.0.5"}});
    EXPECT_EQ(spoofed.result_int(), 403);
    // The access log line is written just after the response: wait for it.
    std::string log;
    EXPECT_TRUE(FakeInstance::wait_for([&] {
        log = log_capture->text();
        return log.find("client=127.0.0.6 method=GET target=/metrics status=403") != std::string::npos;
    })) << log;
    EXPECT_NE(log.find("client=127.0.0.5 method=GET target=/metrics status=200"), std::string::npos) << log;
    EXPECT_EQ(log.find("client=203.0.113.9"), std::string::npos);
    EXPECT_EQ(log.find("reverse proxy misconfigured"), std::string::npos);
}

TEST_F(BehindNginxTest, AProxyThatRewritesHostIsNamedWithItsFix) {
    // The most common mistake: no `proxy_set_header Host`, so nginx sends the upstream's name.
    start([](std::string config) {
        const std::string line = "proxy_set_header Host $http_host;";
        if (config.find(line) == std::string::npos) throw std::runtime_error("fedblog.conf lost its Host line");
        return without_lines_containing(config, line);
    });
    std::string alice = remote.add_actor("alice");
    auto refused = send(activity("Follow", alice, alice + "#follows/1", actor()), alice);
    EXPECT_EQ(refused.result_int(), 401);
    EXPECT_NE(refused.body().find("proxy_set_header Host $http_host"), std::string::npos) << refused.body();
    EXPECT_NE(refused.body().find("\\\"fedblog\\\""), std::string::npos) << "names the Host received";
    std::string log;
    EXPECT_TRUE(FakeInstance::wait_for([&] {
        log = log_capture->text();
        return log.find("reverse proxy misconfigured") != std::string::npos;
    })) << log;
    EXPECT_NE(log.find("proxy_set_header Host"), std::string::npos) << log;
}

TEST_F(BehindNginxTest, TheSubpathVariantSendsOnlyFediversePathsToFedblog) {
    write_post("bonjour.md", "title: Bonjour\ndate: 2026-11-01\n", "Premier billet.\n");
    start();  // fedblog and the remote; the variant runs in a second nginx on its own port
    std::string config = read_text(std::string(FEDBLOG_SOURCE_DIR) + "/deploy/nginx/fedblog-subpath.conf");
    const auto site_root = dir / "site";
    std::filesystem::create_directories(site_root / "posts/bonjour");
    std::ofstream(site_root / "index.html") << "the existing site\n";
    std::ofstream(site_root / "posts/bonjour/index.html") << "the site's own page for bonjour\n";
    unsigned short port = NginxProcess::free_port();
    ASSERT_NE(port, server->port());
    replace_all(config, "example.org", "blog.test");
    config = without_lines_containing(config, "listen [::]:");
    replace_all(config, "listen 443 ssl http2;", "listen 127.0.0.1:" + std::to_string(port) + " ssl http2;");
    replace_all(config, "listen 80;", "listen 127.0.0.1:" + std::to_string(NginxProcess::free_port()) + ";");
    replace_all(config, "server 127.0.0.1:8080;", "server 127.0.0.1:" + std::to_string(server->port()) + ";");
    replace_all(config, "/etc/letsencrypt/live/blog.test/fullchain.pem", (dir / "nginx/cert.pem").string());
    replace_all(config, "/etc/letsencrypt/live/blog.test/privkey.pem", (dir / "nginx/key.pem").string());
    replace_all(config, "/var/www/blog.test", site_root.string());
    replace_all(config, "/var/www/letsencrypt", (dir / "nginx/acme").string());
    NginxProcess subpath(dir / "nginx-subpath", config, port);
    // The site answers for this port's Host; fedblog's ids keep public_url's, as they must.
    TlsClient client(port, "blog.test:" + std::to_string(port), ca.certificate_pem());

    EXPECT_EQ(client.get("/").body(), "the existing site\n");
    auto browser = client.get("/posts/bonjour");
    EXPECT_EQ(browser.body(), "the site's own page for bonjour\n");
    EXPECT_EQ(browser[beast_http::field::vary], "Accept");
    auto article = client.get_activity("/posts/bonjour");
    ASSERT_EQ(article.result_int(), 200) << article.body();
    EXPECT_EQ(json::parse(article.body())["id"], url("/posts/bonjour"));
    auto ld = client.get("/posts/bonjour", {{"Accept", "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\""}});
    EXPECT_EQ(json::parse(ld.body())["type"], "Article");
    EXPECT_EQ(client.get("/.well-known/webfinger?resource=acct:blog@" + authority).result_int(), 200);
    EXPECT_EQ(json::parse(client.get_activity("/users/blog").body())["id"], actor());
    EXPECT_EQ(client.get("/nodeinfo/2.1").result_int(), 200);
    EXPECT_EQ(client.get("/feed.xml").result_int(), 404) << "the site's own paths stay the site's";
}

// The shipped configs limit bodies exactly as fedblog does by default.
TEST(NginxConfig, BodyLimitMatchesFedblogs) {
    for (const char* file : {"fedblog.conf", "fedblog-subpath.conf"}) {
        std::string config = read_text(std::string(FEDBLOG_SOURCE_DIR) + "/deploy/nginx/" + file);
        std::smatch match;
        ASSERT_TRUE(std::regex_search(config, match, std::regex(R"(client_max_body_size (\d+)m;)"))) << file;
        EXPECT_EQ(std::stoul(match[1]) * 1024 * 1024, Settings{}.max_body_bytes) << file;
    }
}

}  // namespace
