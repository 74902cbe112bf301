// The blog owner's answers in a post's thread: shown as the blog's, with a visible label in the page's
// language and a class for the stylesheet, nested under the comment they answer.
#include <gtest/gtest.h>

#include "markup_check.hpp"
#include "site_fixture.hpp"
#include "web/comments.hpp"
#include "web/style.hpp"

using namespace fedblog;
using namespace fedblog::web;
using namespace fedblog::web::testing;

namespace {

std::vector<ThreadEntry> question_and_answer() {
    ThreadEntry question;
    question.comment.id = 1;
    question.comment.object_id = "https://m.example/users/alice/statuses/1";
    question.comment.actor_id = "https://m.example/users/alice";
    question.comment.content_html = "<p>Une question ?</p>";
    question.comment.published = at("2026-02-01T10:00:00Z");
    question.author = {"Alice", "alice@m.example", "", "https://m.example/@alice"};
    ThreadEntry answer;
    answer.comment.id = 2;
    answer.comment.parent_id = 1;
    answer.comment.local = true;
    answer.comment.object_id = "https://blog.example/comments/2";
    answer.comment.actor_id = "https://blog.example/users/blog";
    answer.comment.content_html = "<p>La réponse.</p>";
    answer.comment.published = at("2026-02-01T11:00:00Z");
    return {question, answer};
}

TEST(OwnerAnswer, IsShownAsTheBlogsWithALabel) {
    Site site;
    std::string html = render_thread(site.view(), question_and_answer());
    EXPECT_EQ(markup_error(html, Markup::html), "") << html;
    EXPECT_NE(html.find(R"(<article class="comment owner" id="commentaire-2")"), std::string::npos) << html;
    EXPECT_NE(html.find(R"(<article class="comment" id="commentaire-1")"), std::string::npos);
    EXPECT_NE(html.find(R"(<span class="badge">Auteur</span>)"), std::string::npos);
    EXPECT_EQ(count_of(html, "class=\"badge\""), 1u);  // only on the answer
    EXPECT_NE(html.find(R"(<a class="author" href="https://blog.example/@blog")"), std::string::npos);
    EXPECT_NE(html.find("La Coop du Coin"), std::string::npos);
    EXPECT_NE(html.find("@blog@blog.example"), std::string::npos);
    EXPECT_LT(html.find("Une question"), html.find("La réponse."));
    EXPECT_LT(html.find("<ol>"), html.find("La réponse."));  // nested under the question
    // Its date links to its id, which sends browsers back to this anchor.
    EXPECT_NE(html.find(R"(href="https://blog.example/comments/2")"), std::string::npos);
}

TEST(OwnerAnswer, TheLabelSpeaksThePagesLanguage) {
    Site site;
    site.settings.language = "en";
    EXPECT_NE(render_thread(site.view(), question_and_answer()).find(R"(<span class="badge">Author</span>)"),
              std::string::npos);
}

// The whole site's one stylesheet: it grew past 8 KB with comment media and content warnings; 10 KB is the
// budget now, so a new rule has to earn its bytes.
TEST(OwnerAnswer, TheStylesheetStylesTheLabelAndStaysUnder10KB) {
    EXPECT_NE(stylesheet().find(".badge"), std::string_view::npos);
    EXPECT_LT(stylesheet().size(), 10240u);
}

}  // namespace
