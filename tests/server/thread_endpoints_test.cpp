// The thread for other sites over real HTTP: the JSON API (CORS, preflight, ETag/304, 404/410), the embed
// page (its headers) and the loader; comments arrive through the inbox's own import function.
#include "server/thread_endpoints.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "activitypub/inbox/replies.hpp"
#include "store/comments.hpp"
#include "store/remote_actors.hpp"
#include "store/transaction.hpp"
#include "tests/server/server_fixture.hpp"
#include "web/embed.hpp"

using namespace fedblog;
using namespace fedblog::testing;
using nlohmann::json;
namespace beast_http = boost::beast::http;

namespace {

class ThreadEndpoints : public ServerFixture {
protected:
    void SetUp() override {
        write_post("bonjour.md", "title: Bonjour\ndate: 2026-11-01\n", "Premier billet.\n");
        write_post("parti.md", "title: Parti\ndate: 2026-11-02\n", "Bientôt supprimé.\n");
        start();
        std::filesystem::remove(dir / "content" / "parti.md");
        resync();  // parti is a Tombstone now
    }

    // A reply imported as the inbox does once the signature is verified, then approved by the owner.
    void reply(const std::string& name, int number, const std::string& in_reply_to, json extra = json::object()) {
        const std::string actor = "https://m.example/users/" + name;
        json note = {{"id", actor + "/statuses/" + std::to_string(number)},
                     {"type", "Note"},
                     {"attributedTo", actor},
                     {"inReplyTo", in_reply_to},
                     {"content", "<p>Réponse " + std::to_string(number) + "</p>"},
                     {"published", "2026-11-20T10:0" + std::to_string(number) + ":00Z"},
                     {"to", {"https://www.w3.org/ns/activitystreams#Public"}}};
        note.update(extra);
        json create = {{"@context", "https://www.w3.org/ns/activitystreams"},
                       {"id", note["id"].get<std::string>() + "/activity"},
                       {"type", "Create"},
                       {"actor", actor},
                       {"object", note}};
        auto& db = app->database();
        store::WriteTransaction transaction(db);
        auto outcome = activitypub::inbox::receive_reply(
            db, site->current()->ids, std::get<activitypub::inbox::IncomingActivity>(activitypub::inbox::read_activity(create)),
            1'800'000'000);
        ASSERT_NE(outcome.result, "ignored") << outcome.detail;
        store::Comments comments(db);
        comments.set_state(comments.find_by_object_id(note["id"].get<std::string>())->id, "approved");
        transaction.commit();
    }

    std::string note_id(const std::string& name, int number) {
        return "https://m.example/users/" + name + "/statuses/" + std::to_string(number);
    }
};

TEST_F(ThreadEndpoints, TheApiServesTheThreadToEveryOriginWithAValidator) {
    reply("alice", 1, url("/posts/bonjour"),
          {{"attachment", {{{"type", "Document"}, {"mediaType", "image/png"}, {"url", "https://files.m.example/a.png"}, {"name", "Un vélo"}}}}});
    reply("bob", 2, note_id("alice", 1), {{"summary", "Attention"}, {"sensitive", true}});

    auto reply = client().get("/api/posts/bonjour/comments", {{"Origin", "https://static.example"}});
    ASSERT_EQ(reply.result_int(), 200) << reply.body();
    EXPECT_EQ(reply[beast_http::field::content_type], "application/json; charset=utf-8");
    EXPECT_EQ(reply[beast_http::field::access_control_allow_origin], "*");
    EXPECT_EQ(reply[beast_http::field::cache_control], "public, max-age=60");
    const std::string etag(reply[beast_http::field::etag]);
    ASSERT_EQ(etag.size(), 26u) << etag;
    auto body = json::parse(reply.body());
    EXPECT_EQ(body["post"]["id"], url("/posts/bonjour"));
    EXPECT_EQ(body["post"]["comments_open"], true);
    ASSERT_EQ(body["comments"].size(), 2u);
    EXPECT_EQ(body["comments"][0]["attachments"][0]["description"], "Un vélo");
    EXPECT_EQ(body["comments"][1]["parent"], note_id("alice", 1));
    EXPECT_EQ(body["comments"][1]["summary"], "Attention");

    // Revalidation: the same thread is a 304 (with its CORS headers); a new comment changes the tag.
    auto same = client().get("/api/posts/bonjour/comments", {{"If-None-Match", etag}});
    EXPECT_EQ(same.result_int(), 304);
    EXPECT_EQ(same.body(), "");
    EXPECT_EQ(same[beast_http::field::etag], etag);
    EXPECT_EQ(same[beast_http::field::access_control_allow_origin], "*");
    EXPECT_EQ(client().get("/api/posts/bonjour/comments", {{"If-None-Match", "W/" + etag}}).result_int(), 304);
    this->reply("carol", 3, url("/posts/bonjour"));
    auto changed = client().get("/api/posts/bonjour/comments", {{"If-None-Match", etag}});
    EXPECT_EQ(changed.result_int(), 200);
    EXPECT_NE(changed[beast_http::field::etag], etag);

    auto head = client().request(beast_http::verb::head, "/api/posts/bonjour/comments");
    EXPECT_EQ(head.result_int(), 200);
    EXPECT_EQ(head[beast_http::field::access_control_allow_origin], "*");
}

TEST_F(ThreadEndpoints, PreflightUnknownAndDeletedPosts) {
    auto preflight = client().request(beast_http::verb::options, "/api/posts/bonjour/comments",
                                      {{"Origin", "https://static.example"},
                                       {"Access-Control-Request-Method", "GET"},
                                       {"Access-Control-Request-Headers", "if-none-match"}});
    EXPECT_EQ(preflight.result_int(), 204);
    EXPECT_EQ(preflight[beast_http::field::access_control_allow_origin], "*");
    EXPECT_EQ(preflight[beast_http::field::access_control_allow_methods], "GET, HEAD, OPTIONS");
    EXPECT_EQ(preflight[beast_http::field::access_control_allow_headers], "If-None-Match");

    auto unknown = client().get("/api/posts/nothing-here/comments");
    EXPECT_EQ(unknown.result_int(), 404);
    EXPECT_EQ(json::parse(unknown.body())["error"], "no such post");
    EXPECT_EQ(unknown[beast_http::field::access_control_allow_origin], "*");
    auto gone = client().get("/api/posts/parti/comments");
    EXPECT_EQ(gone.result_int(), 410);
    EXPECT_EQ(gone[beast_http::field::access_control_allow_origin], "*");
    EXPECT_EQ(client().request(beast_http::verb::post, "/api/posts/bonjour/comments").result_int(), 405);
    EXPECT_EQ(client().get("/api/posts/bonjour").result_int(), 404);
}

TEST_F(ThreadEndpoints, TheEmbedPageIsFramableSandboxedAndRunsOnlyItsOwnScript) {
    reply("mallory", 1, url("/posts/bonjour"),
          {{"content", "<p>Salut<script>alert(1)</script><img src=x onerror=alert(2)></p>"}});
    auto page = client().get("/embed/bonjour");
    ASSERT_EQ(page.result_int(), 200);
    EXPECT_EQ(page[beast_http::field::content_type], "text/html; charset=utf-8");
    const std::string policy(page["Content-Security-Policy"]);
    EXPECT_EQ(policy, web::embed_content_security_policy());
    EXPECT_TRUE(page[beast_http::field::x_frame_options].empty());
    EXPECT_EQ(page["X-Content-Type-Options"], "nosniff");
    EXPECT_NE(page.body().find("Salut"), std::string::npos);
    EXPECT_EQ(page.body().find("alert"), std::string::npos);
    EXPECT_EQ(client().get("/embed/bonjour", {{"If-None-Match", std::string(page[beast_http::field::etag])}}).result_int(), 304);
    EXPECT_EQ(client().get("/embed/nothing-here").result_int(), 404);
    auto gone = client().get("/embed/parti");
    EXPECT_EQ(gone.result_int(), 410);
    EXPECT_EQ(gone["Content-Security-Policy"], web::embed_content_security_policy());

    auto loader = client().get("/embed.js");
    EXPECT_EQ(loader.result_int(), 200);
    EXPECT_EQ(loader[beast_http::field::content_type], "text/javascript; charset=utf-8");
    EXPECT_NE(loader.body().find("data-fedblog-comments"), std::string::npos);

    // The post page itself runs no script at all.
    auto post = client().get("/posts/bonjour");
    EXPECT_EQ(post["Content-Security-Policy"], "script-src 'none'; object-src 'none'; base-uri 'none'");
    EXPECT_EQ(post.body().find("alert"), std::string::npos);
}

}  // namespace
