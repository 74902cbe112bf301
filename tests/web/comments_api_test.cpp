// The comments API document and the embed page, from fixed inputs. The document is compared with
// tests/golden/comments_api.json (FEDBLOG_UPDATE_GOLDEN=1 rewrites it: review the diff against README.md).
#include "web/comments_api.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "keys/digest.hpp"
#include "markup_check.hpp"
#include "site_fixture.hpp"
#include "web/embed.hpp"
#include "web/thread.hpp"

using namespace fedblog;
using namespace fedblog::web;
using namespace fedblog::web::testing;

namespace {

ThreadEntry entry(std::int64_t id, std::optional<std::int64_t> parent, const std::string& name, const std::string& html) {
    ThreadEntry e;
    e.comment.id = id;
    e.comment.parent_id = parent;
    e.comment.object_id = "https://m.example/users/" + name + "/statuses/" + std::to_string(id);
    e.comment.url = "https://m.example/@" + name + "/" + std::to_string(id);
    e.comment.actor_id = "https://m.example/users/" + name;
    e.comment.content_html = html;
    e.comment.language = "fr";
    e.comment.published = at("2026-11-20T10:00:00Z") + id * 60;
    e.author = {"Nom de " + name, name + "@m.example", "https://m.example/avatars/" + name + ".png",
                "https://m.example/@" + name};
    return e;
}

// The thread every test here reads: nesting, an edit, a warning with media, an owner's answer, a deleted
// comment holding an answer, a deleted one holding nothing, a held one with an answer, a private one.
std::vector<ThreadEntry> sample_thread() {
    std::vector<ThreadEntry> thread;
    thread.push_back(entry(1, {}, "alice", "<p>Premier</p>"));
    auto edited = entry(2, 1, "bob", "<p>Deuxième, corrigé</p>");
    edited.comment.updated = at("2026-11-21T08:00:00Z");
    edited.author.avatar_url = "http://m.example/insecure.png";  // not https: not shown
    thread.push_back(edited);
    auto warned = entry(3, 2, "carol", "<p>La fin du film</p>");
    warned.comment.summary = "Divulgâcheur";
    warned.comment.sensitive = true;
    warned.attachments = {{"image", "https://files.m.example/a.png", "image/png", "Une affiche", "LEHV6nWB2yk8", 640, 480},
                          {"audio", "https://files.m.example/s.ogg", "", "", "", 0, 0}};
    thread.push_back(warned);
    auto answer = entry(4, 3, "blog", "<p>Merci !</p>");
    answer.comment.local = true;
    answer.comment.object_id = "https://blog.example/comments/4";
    answer.comment.url = "";
    answer.author = {"L’équipe", "blog@blog.example", "", "https://blog.example/@blog"};
    thread.push_back(answer);
    auto gone = entry(5, {}, "dave", "");
    gone.comment.deleted = at("2026-11-22T00:00:00Z");
    thread.push_back(gone);
    thread.push_back(entry(6, 5, "erin", "<p>Je reste</p>"));
    auto gone_alone = entry(7, {}, "frank", "");
    gone_alone.comment.deleted = at("2026-11-22T00:00:00Z");
    thread.push_back(gone_alone);
    auto held = entry(8, {}, "spam", "<p>Achetez</p>");
    held.comment.state = "held";
    thread.push_back(held);
    thread.push_back(entry(9, 8, "alice", "<p>Sous un message retenu</p>"));
    auto secret = entry(10, {}, "grace", "<p>Privé</p>");
    secret.comment.visibility = "private";
    thread.push_back(secret);
    return thread;
}

void expect_golden(const activitypub::Json& actual, const std::string& name) {
    const std::string path = std::string(FEDBLOG_SOURCE_DIR) + "/tests/golden/" + name + ".json";
    if (const char* update = std::getenv("FEDBLOG_UPDATE_GOLDEN"); update && std::string_view(update) == "1") {
        std::ofstream(path) << actual.dump(2) << '\n';
        return;
    }
    std::ifstream file(path);
    ASSERT_TRUE(file) << "missing golden file " << path << " (FEDBLOG_UPDATE_GOLDEN=1 writes it)";
    std::stringstream text;
    text << file.rdbuf();
    const auto expected = nlohmann::json::parse(text.str());
    const auto got = nlohmann::json::parse(activitypub::serialize(actual));
    EXPECT_EQ(got, expected) << path << " differs:\n" << nlohmann::json::diff(expected, got).dump(2);
}

TEST(CommentsApi, GoldenDocument) {
    Site site;
    auto post = make_post("bonjour", "Bonjour <à tous>", "2026-11-19T18:00:00Z");
    expect_golden(comments_document(site.view(), post, one_page(sample_thread()), {.likes = 3, .shares = 1}), "comments_api");
}

TEST(CommentsApi, ThreadOrderParentsAndWhatIsLeftOut) {
    Site site;
    auto post = make_post("bonjour", "Bonjour", "2026-11-19T18:00:00Z");
    auto document = comments_document(site.view(), post, one_page(sample_thread()), {});
    std::vector<std::string> ids;
    for (const auto& c : document["comments"]) ids.push_back(c["id"]);
    // Each answer after what it answers; held, private and their answers and empty placeholders left out.
    EXPECT_EQ(ids, (std::vector<std::string>{"https://m.example/users/alice/statuses/1", "https://m.example/users/bob/statuses/2",
                                             "https://m.example/users/carol/statuses/3", "https://blog.example/comments/4",
                                             "https://m.example/users/dave/statuses/5", "https://m.example/users/erin/statuses/6"}));
    EXPECT_EQ(document["counts"]["comments"], 5);
    EXPECT_EQ(document["comments"][3]["by_blog"], true);
    EXPECT_EQ(document["comments"][4]["author"], nullptr);
    post.comments_closed = true;
    EXPECT_EQ(comments_document(site.view(), post, {}, {})["post"]["comments_open"], false);
}

TEST(CommentsApi, VisibleEntriesAgreeWithThePageOnAnyDepth) {
    // A 5,000-deep chain whose middle is deleted: everything shows, the deleted one as a placeholder.
    std::vector<ThreadEntry> chain;
    for (std::int64_t id = 1; id <= 5000; ++id)
        chain.push_back(entry(id, id == 1 ? std::nullopt : std::optional<std::int64_t>(id - 1), "a", "<p>x</p>"));
    chain[2499].comment.deleted = at("2026-11-22T00:00:00Z");
    EXPECT_EQ(visible_entries(chain).size(), 5000u);
    // A cycle of parents (hostile or broken data) is never reached from the post and never loops.
    std::vector<ThreadEntry> cycle{entry(1, 2, "a", "<p>x</p>"), entry(2, 1, "a", "<p>y</p>")};
    EXPECT_TRUE(visible_entries(cycle).empty());
}

TEST(Embed, APageWithOneScriptAllowedByItsHash) {
    Site site;
    auto post = make_post("bonjour", "Bonjour", "2026-11-19T18:00:00Z");
    std::string page = render_embed(site.view(), post, one_page(sample_thread()), {.likes = 2, .shares = 0});
    EXPECT_EQ(markup_error(page, Markup::html), "") << page;
    EXPECT_NE(page.find("<base target=\"_blank\">"), std::string::npos);
    EXPECT_NE(page.find("Divulgâcheur"), std::string::npos);
    EXPECT_NE(page.find("(5)"), std::string::npos);
    EXPECT_EQ(page.find("Achetez"), std::string::npos);
    EXPECT_NE(page.find("2 j’aime"), std::string::npos);
    EXPECT_NE(page.find("value=\"https://blog.example/posts/bonjour\""), std::string::npos);
    // Exactly one script, and the policy names exactly its hash.
    const std::string script = "<script>" + std::string(embed_height_script()) + "</script>";
    EXPECT_EQ(count_of(page, "<script"), 1u);
    EXPECT_NE(page.find(script), std::string::npos);
    const std::string& policy = embed_content_security_policy();
    EXPECT_NE(policy.find("script-src 'sha256-" + keys::base64_encode(keys::sha256(embed_height_script())) + "'"),
              std::string::npos);
    for (std::string_view directive : {"default-src 'none'", "frame-ancestors *", "base-uri 'none'", "form-action 'none'",
                                       "sandbox allow-scripts allow-popups allow-popups-to-escape-sandbox"})
        EXPECT_NE(policy.find(directive), std::string::npos) << directive;
    EXPECT_EQ(policy.find("unsafe"), std::string::npos);
    EXPECT_EQ(policy.find("allow-same-origin"), std::string::npos);

    post.comments_closed = true;
    std::string closed = render_embed(site.view(), post, {}, {});
    EXPECT_NE(closed.find("Les commentaires sont fermés."), std::string::npos);
    EXPECT_EQ(closed.find("adresse-billet"), std::string::npos);
}

TEST(Embed, TheLoaderBuildsTheFrameWithoutMarkup) {
    std::string_view js = embed_loader_script();
    EXPECT_NE(js.find("createElement(\"iframe\")"), std::string_view::npos);
    EXPECT_NE(js.find("\"allow-scripts allow-popups allow-popups-to-escape-sandbox\""), std::string_view::npos);
    EXPECT_NE(js.find("event.source !== frames[i].contentWindow"), std::string_view::npos);
    for (std::string_view sink : {"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "allow-same-origin"})
        EXPECT_EQ(js.find(sink), std::string_view::npos) << sink;
}

}  // namespace
