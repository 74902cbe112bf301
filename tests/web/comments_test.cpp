#include "web/comments.hpp"

#include <gtest/gtest.h>

#include "markup_check.hpp"
#include "site_fixture.hpp"
#include "web/pages.hpp"

using namespace fedblog;
using namespace fedblog::web;
using namespace fedblog::web::testing;

namespace {

ThreadEntry entry(std::int64_t id, std::optional<std::int64_t> parent, std::string name, std::string content = "") {
    ThreadEntry e;
    e.comment.id = id;
    e.comment.parent_id = parent;
    e.comment.object_id = "https://m.example/users/" + name + "/statuses/" + std::to_string(id);
    e.comment.url = "https://m.example/@" + name + "/" + std::to_string(id);
    e.comment.actor_id = "https://m.example/users/" + name;
    e.comment.content_html = content.empty() ? "<p>Réponse " + std::to_string(id) + "</p>" : content;
    e.comment.published = at("2026-02-01T10:00:00Z") + id;
    e.author = {"Nom de " + name, name + "@m.example", "https://m.example/avatars/" + name + ".png",
                "https://m.example/@" + name};
    return e;
}

std::size_t count(const std::string& text, std::string_view needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
}

TEST(Thread, NestsAnswersUnderTheirParentOldestFirst) {
    Site site;
    std::string html = render_thread(site.view(), {entry(1, {}, "alice"), entry(2, 1, "bob"), entry(3, {}, "carol"),
                                                   entry(4, 2, "alice")});
    EXPECT_EQ(markup_error(html, Markup::html), "") << html;
    EXPECT_LT(html.find("Réponse 1"), html.find("Réponse 2"));
    EXPECT_LT(html.find("Réponse 2"), html.find("Réponse 4"));
    EXPECT_LT(html.find("Réponse 4"), html.find("Réponse 3"));
    EXPECT_EQ(count(html, "<ol"), 3u);  // the thread, under 1, under 2
    EXPECT_NE(html.find(R"(href="https://m.example/@bob/2")"), std::string::npos);  // link to the original
    EXPECT_NE(html.find("@bob@m.example"), std::string::npos);
    EXPECT_NE(html.find("Nom de carol"), std::string::npos);
}

TEST(Thread, ShowsOnlyApprovedPublicCommentsAndPlaceholdersThatHoldAnswers) {
    Site site;
    auto held = entry(2, {}, "spam");
    held.comment.state = "held";
    auto secret = entry(3, {}, "dm");
    secret.comment.visibility = "private";
    auto gone = entry(4, {}, "gone");
    gone.comment.deleted = at("2026-02-02T00:00:00Z");
    gone.comment.content_html = "";
    auto gone_alone = entry(6, {}, "alone");
    gone_alone.comment.deleted = at("2026-02-02T00:00:00Z");
    std::string html = render_thread(site.view(), {entry(1, {}, "alice"), held, secret, gone, entry(5, 4, "bob"), gone_alone});
    EXPECT_NE(html.find("Réponse 1"), std::string::npos);
    EXPECT_EQ(html.find("Réponse 2"), std::string::npos);
    EXPECT_EQ(html.find("Réponse 3"), std::string::npos);
    EXPECT_NE(html.find("Réponse 5"), std::string::npos);
    EXPECT_EQ(count(html, "Ce commentaire a été supprimé."), 1u);  // only the one with an answer below
    EXPECT_EQ(render_thread(site.view(), {held, secret}), "");
}

TEST(Thread, ContentWarningsFoldTheTextAndEditsAreMarked) {
    Site site;
    auto warned = entry(1, {}, "alice");
    warned.comment.summary = "Spoiler <b>!</b>";
    warned.comment.updated = at("2026-02-03T00:00:00Z");
    std::string html = render_thread(site.view(), {warned});
    EXPECT_NE(html.find("<details class=\"warning\"><summary>Spoiler &lt;b&gt;!&lt;/b&gt;</summary>"), std::string::npos) << html;
    EXPECT_NE(html.find("(modifié)"), std::string::npos);
}

TEST(Thread, ASensitiveCommentFoldsItsMediaTooEvenWithoutAWarningText) {
    Site site;
    auto sensitive = entry(1, {}, "alice");
    sensitive.comment.sensitive = true;
    sensitive.attachments = {{"image", "https://files.m.example/a.jpg", "image/jpeg", "Un chat", "", 640, 480}};
    std::string html = render_thread(site.view(), {sensitive});
    EXPECT_EQ(markup_error(html, Markup::html), "") << html;
    const auto fold = html.find("<details class=\"warning\"><summary>Contenu sensible</summary>");
    ASSERT_NE(fold, std::string::npos) << html;
    const auto image = html.find("<img src=\"https://files.m.example/a.jpg\" alt=\"Un chat\" width=\"640\" height=\"480\" "
                                 "loading=\"lazy\" decoding=\"async\" referrerpolicy=\"no-referrer\">");
    ASSERT_NE(image, std::string::npos) << html;
    EXPECT_LT(fold, image);
    EXPECT_LT(image, html.find("</details>"));  // the image stays inside the fold
    EXPECT_LT(html.find("Réponse 1"), html.find("</details>"));
}

TEST(Thread, MediaShowAsThumbnailsOrLinksAndEverythingIsEscaped) {
    Site site;
    auto plain = entry(1, {}, "alice");
    plain.attachments = {
        {"image", "https://files.m.example/a.jpg?x=1&y=\"2\"", "image/jpeg", "\"><script>alert(1)</script>", "", 0, 0},
        {"video", "https://files.m.example/v.mp4", "video/mp4", "<b>clip</b>", "", 0, 0},
        {"audio", "https://files.m.example/s.ogg", "", "", "", 0, 0},
        {"document", "javascript:alert(1)", "", "evil", "", 0, 0},
        {"script", "https://files.m.example/x.js", "", "", "", 0, 0},
    };
    std::string html = render_thread(site.view(), {plain});
    EXPECT_EQ(markup_error(html, Markup::html), "") << html;
    EXPECT_EQ(html.find("<details"), std::string::npos);  // not sensitive: not folded
    EXPECT_EQ(html.find("<script>"), std::string::npos);
    EXPECT_EQ(html.find("javascript:"), std::string::npos);
    EXPECT_EQ(html.find("evil"), std::string::npos);
    EXPECT_EQ(html.find("x.js"), std::string::npos);
    EXPECT_NE(html.find("src=\"https://files.m.example/a.jpg?x=1&amp;y=&quot;2&quot;\""), std::string::npos) << html;
    EXPECT_NE(html.find("alt=\"&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\""), std::string::npos);
    EXPECT_NE(html.find(">Vidéo\u00A0: &lt;b&gt;clip&lt;/b&gt;</a>"), std::string::npos) << html;
    EXPECT_NE(html.find("href=\"https://files.m.example/s.ogg\" rel=\"nofollow noopener noreferrer\" target=\"_blank\">Audio</a>"),
              std::string::npos) << html;
    EXPECT_EQ(count(html, "<li><a "), 3u);
}

TEST(Thread, AuthorFieldsAreEscapedAndOnlyHttpsAvatarsShown) {
    Site site;
    auto hostile = entry(1, {}, "x");
    hostile.author = {"<script>alert(1)</script>", "x@m.example", "javascript:alert(1)", "javascript:alert(2)"};
    std::string html = render_thread(site.view(), {hostile});
    EXPECT_EQ(html.find("<script>"), std::string::npos);
    EXPECT_EQ(html.find("javascript:"), std::string::npos);
    EXPECT_NE(html.find(R"(href="https://m.example/users/x")"), std::string::npos);  // falls back to the actor id
}

TEST(Thread, AnyDepthRendersWithoutExhaustingTheStack) {
    Site site;
    std::vector<ThreadEntry> chain{entry(1, {}, "a")};
    for (std::int64_t id = 2; id <= 5000; ++id) chain.push_back(entry(id, id - 1, "a"));
    std::string html = render_thread(site.view(), chain);
    EXPECT_EQ(markup_error(html, Markup::html), "");
    EXPECT_EQ(count(html, "<ol"), max_thread_depth);  // nesting stops; the rest lines up
    EXPECT_NE(html.find("Réponse 5000"), std::string::npos);
}

TEST(Thread, ThePostPageShowsTheThreadAboveTheReplyHelp) {
    Site site;
    auto post = make_post("bonjour", "Bonjour", "2026-01-01T09:00:00Z");
    std::string page = render_post(site.view(), post, one_page({entry(1, {}, "alice")}));
    EXPECT_NE(page.find("Réponse 1"), std::string::npos);
    EXPECT_EQ(page.find("Aucun commentaire"), std::string::npos);
    EXPECT_LT(page.find("Réponse 1"), page.find("class=\"reply\""));
    EXPECT_EQ(markup_error(page, Markup::html), "");
}

}  // namespace
