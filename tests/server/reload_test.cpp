// A real `fedblog serve` process: SIGHUP reloads the content folder and the live settings of the config file;
// log_format = json writes one JSON object per line, rejected inbox requests and failed deliveries with reasons.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "server/reload.hpp"
#include "store/blocks.hpp"
#include "store/comments.hpp"
#include "store/deliveries.hpp"
#include "store/followers.hpp"
#include "store/posts.hpp"
#include "tests/support/serve_process.hpp"
#include "tests/support/temp_dir.hpp"

using namespace fedblog;
using namespace fedblog::testing;
namespace fs = std::filesystem;
namespace beast_http = boost::beast::http;

namespace {

const std::string samples = std::string(FEDBLOG_SOURCE_DIR) + "/content";

void write(const fs::path& file, const std::string& text) {
    fs::create_directories(file.parent_path());
    std::ofstream(file) << text;
}

// A follower whose inbox refuses connections: every delivery to it fails.
void add_unreachable_follower(const fs::path& database) {
    store::Database db(database);
    store::Follower row;
    row.actor_id = "http://127.0.0.1:1/users/reader";
    row.inbox = "http://127.0.0.1:1/inbox";
    row.follow_activity_id = row.actor_id + "#follow";
    row.accepted = true;
    store::Followers(db).save(row);
}

// An approved comment by `actor` under the first post, written as the inbox would have.
std::int64_t add_comment(const fs::path& database, const std::string& actor) {
    store::Database db(database);
    store::Comment row;
    row.object_id = actor + "/statuses/1";
    row.post_id = store::Posts(db).all().front().id;
    row.actor_id = actor;
    row.content_html = "<p>Achetez</p>";
    row.state = "approved";
    row.published = row.received_at = 1000;
    return *store::Comments(db).insert(row);
}

// An unsigned Create from `actor`, straight to the inbox.
unsigned post_to_inbox(ServeProcess& serve, const std::string& actor) {
    nlohmann::json activity = {{"id", actor + "/activities/1"},
                               {"type", "Create"},
                               {"actor", actor},
                               {"object", {{"id", actor + "/notes/1"}, {"type", "Note"}, {"content", "hi"}}}};
    return serve.client()
        .request(beast_http::verb::post, "/inbox", {{"Content-Type", "application/activity+json"}}, activity.dump())
        .result_int();
}

class Serving : public ::testing::Test {
protected:
    Serving() { fs::copy(samples, dir / "content", fs::copy_options::recursive); }

    std::vector<std::string> arguments(std::vector<std::string> extra = {}) const {
        std::vector<std::string> args = {"--config",       (dir / "fedblog.conf").string(),
                                         "--data-dir",     (dir / "data").string(),
                                         "--content-dir",  (dir / "content").string(),
                                         "--public-url",   "http://127.0.0.1:" + std::to_string(port),
                                         "--allow-private-addresses", "--allow-plain-http"};
        args.insert(args.end(), extra.begin(), extra.end());
        return args;
    }

    TempDir dir;
    unsigned short port = free_loopback_port();
};

}  // namespace

TEST(CompareSettings, LiveOnesAreTakenOthersWaitForARestart) {
    Settings running;
    Settings fresh = running;
    fresh.blog_name = "Nouveau nom";
    fresh.blocked_domains = {"spam.example"};
    fresh.comments_moderation = "all_held";
    fresh.log_level = "debug";
    fresh.public_url = "https://elsewhere.example";
    fresh.delivery_concurrency = 3;
    server::SettingsChange change = server::compare_settings(running, fresh);
    EXPECT_EQ(change.applied, (std::vector<std::string>{"blog_name", "blocked_domains", "comments_moderation", "log_level"}));
    EXPECT_EQ(change.need_restart, (std::vector<std::string>{"public_url", "delivery_concurrency"}));
    EXPECT_EQ(change.merged.blog_name, "Nouveau nom");
    EXPECT_EQ(change.merged.blocked_domains, fresh.blocked_domains);
    EXPECT_EQ(change.merged.public_url, running.public_url);
    EXPECT_EQ(change.merged.delivery_concurrency, running.delivery_concurrency);
    EXPECT_TRUE(server::compare_settings(running, running).applied.empty());
}

TEST_F(Serving, SighupReloadsContentAndLiveSettings) {
    write(dir / "fedblog.conf", "blog_name = Avant\nlog_level = info\n");
    ServeProcess serve(port, arguments(), dir / "serve.log");
    ASSERT_TRUE(serve.up()) << serve.log();
    auto actor = nlohmann::json::parse(serve.client().get_activity("/users/blog").body());
    EXPECT_EQ(actor["name"], "Avant");
    EXPECT_EQ(post_to_inbox(serve, "https://spam.example/users/x"), 401u);  // unsigned, not blocked
    EXPECT_EQ(serve.client().get("/posts/nouveau-billet").result_int(), 404u);
    add_unreachable_follower(dir / "data" / "fedblog.db");
    const std::int64_t spam_comment = add_comment(dir / "data" / "fedblog.db", "https://spam.example/users/x");

    write(dir / "fedblog.conf",
          "blog_name = Après\nblocked_domains = spam.example\nlog_level = debug\nhandle = autre\n");
    write(dir / "content" / "nouveau-billet.md",
          "---\ntitle: Nouveau billet\ndate: 2026-03-01\n---\nPublié sans redémarrer.\n");
    ASSERT_EQ(kill(serve.pid(), SIGHUP), 0);
    ASSERT_TRUE(serve.wait_for_log("reloaded")) << serve.log();

    actor = nlohmann::json::parse(serve.client().get_activity("/users/blog").body());
    EXPECT_EQ(actor["name"], "Après");
    EXPECT_EQ(serve.client().get("/posts/nouveau-billet").result_int(), 200u);
    EXPECT_EQ(post_to_inbox(serve, "https://spam.example/users/x"), 403u);
    // handle needs a restart: the blog still answers as @blog.
    EXPECT_EQ(serve.client().get_activity("/users/blog").result_int(), 200u);

    const std::string log = serve.log();
    EXPECT_NE(log.find("\"settings changed\" settings=blog_name,author_name,blocked_domains,log_level"), std::string::npos)
        << log;  // author_name follows blog_name unless set
    EXPECT_NE(log.find("restart fedblog serve to apply them\" settings=handle"), std::string::npos) << log;
    EXPECT_NE(log.find("posts_created=1"), std::string::npos) << log;
    EXPECT_NE(log.find("profile change announced to followers"), std::string::npos) << log;
    EXPECT_NE(log.find("\"blocked_domains setting applied\" blocked=1 lifted=0 comments_hidden=1"), std::string::npos)
        << log;
    EXPECT_EQ(serve.stop(), 0);

    // The follower was sent the new post's Create and the actor's Update.
    store::Database db(dir / "data" / "fedblog.db");
    bool create = false, update = false;
    for (const auto& job : store::Deliveries(db).list("", "", 50)) {
        auto body = nlohmann::json::parse(job.body);
        if (body["type"] == "Create" && body["object"]["name"] == "Nouveau billet") create = true;
        if (body["type"] == "Update" && body["object"]["name"] == "Après") update = true;
    }
    EXPECT_TRUE(create);
    EXPECT_TRUE(update);
    // The setting's domain blocks as `fedblog block add` would: its comment is hidden.
    EXPECT_EQ(store::Comments(db).find(spam_comment)->state, "hidden");
    EXPECT_TRUE(store::Blocks(db).find("spam.example")->configured);
}

TEST_F(Serving, SighupWithABrokenConfigKeepsTheSettingsAndStillSyncs) {
    write(dir / "fedblog.conf", "blog_name = Avant\n");
    ServeProcess serve(port, arguments(), dir / "serve.log");
    ASSERT_TRUE(serve.up()) << serve.log();
    write(dir / "fedblog.conf", "blog_name = Après\ncomments_moderation = nonsense\n");
    write(dir / "content" / "encore.md", "---\ntitle: Encore\ndate: 2026-03-02\n---\nTexte.\n");
    ASSERT_EQ(kill(serve.pid(), SIGHUP), 0);
    ASSERT_TRUE(serve.wait_for_log("reloaded")) << serve.log();
    EXPECT_NE(serve.log().find("the configuration does not read"), std::string::npos) << serve.log();
    EXPECT_NE(serve.log().find("comments_moderation"), std::string::npos) << serve.log();
    EXPECT_EQ(nlohmann::json::parse(serve.client().get_activity("/users/blog").body())["name"], "Avant");
    EXPECT_EQ(serve.client().get("/posts/encore").result_int(), 200u);
}

TEST_F(Serving, JsonLogsAreOneObjectPerLineWithReasonsForRefusalsAndFailures) {
    write(dir / "fedblog.conf", "log_format = json\nlog_level = debug\n");
    {
        // A follower that never answers, and a post for it: its delivery fails at once.
        ASSERT_EQ(run_fedblog_command("publish --data-dir " + (dir / "data").string() + " --content-dir " +
                                      (dir / "content").string())
                      .status,
                  0);
        add_unreachable_follower(dir / "data" / "fedblog.db");
        write(dir / "content" / "pour-le-lecteur.md", "---\ntitle: Pour le lecteur\ndate: 2026-03-03\n---\nTexte.\n");
    }
    ServeProcess serve(port, arguments(), dir / "serve.log");
    ASSERT_TRUE(serve.up()) << serve.log();
    EXPECT_EQ(serve.client().get("/posts/reparer-une-crevaison").result_int(), 200u);
    EXPECT_EQ(serve.client().get("/nope?x=\"quoted\"\\").result_int(), 400u);  // quotes in a log value
    EXPECT_EQ(post_to_inbox(serve, "https://m.example/users/alice"), 401u);
    EXPECT_EQ(serve.client()
                  .request(beast_http::verb::post, "/inbox", {{"Content-Type", "text/plain"}}, "bonjour")
                  .result_int(),
              415u);
    EXPECT_EQ(serve.client().raw("GET / HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n").result_int(), 400u);
    ASSERT_TRUE(serve.wait_for_log("delivery will be retried")) << serve.log();
    ASSERT_EQ(kill(serve.pid(), SIGHUP), 0);
    ASSERT_TRUE(serve.wait_for_log("\"reloaded\"")) << serve.log();
    EXPECT_EQ(serve.stop(), 0);

    std::istringstream lines(serve.log());
    std::vector<nlohmann::json> events;
    for (std::string line; std::getline(lines, line);) {
        nlohmann::json event = nlohmann::json::parse(line, nullptr, false);
        ASSERT_TRUE(event.is_object()) << "not one JSON object: " << line;
        for (const char* key : {"time", "level", "event"}) EXPECT_TRUE(event[key].is_string()) << line;
        events.push_back(std::move(event));
    }
    auto find = [&](const std::string& name, const std::string& key, const std::string& value) -> const nlohmann::json* {
        for (const auto& event : events)
            if (event["event"] == name && (key.empty() || event.value(key, "") == value)) return &event;
        return nullptr;
    };
    ASSERT_TRUE(find("request", "target", "/nope?x=\"quoted\"\\")) << serve.log();
    const nlohmann::json* unsigned_post = find("inbox refused", "reason", "missing_signature");
    ASSERT_TRUE(unsigned_post) << serve.log();
    EXPECT_EQ((*unsigned_post)["status"], "401");
    EXPECT_FALSE((*unsigned_post)["detail"].get<std::string>().empty());
    EXPECT_TRUE(find("inbox refused", "reason", "unsupported_media_type")) << serve.log();
    EXPECT_TRUE(find("request rejected", "status", "400")) << serve.log();
    const nlohmann::json* failed = find("delivery will be retried", "inbox", "http://127.0.0.1:1/inbox");
    ASSERT_TRUE(failed) << serve.log();
    EXPECT_FALSE((*failed)["error"].get<std::string>().empty());
    EXPECT_TRUE(find("reload requested", "", "")) << serve.log();
    EXPECT_TRUE(find("shutdown", "reason", "SIGTERM")) << serve.log();
}
