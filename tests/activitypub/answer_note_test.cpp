// The owner's answer as a Note and its Create, Update and Delete: what Mastodon needs to thread it under the
// comment and notify the commenter (docs/mastodon.md §5, §6), checked field by field and against golden files.
#include "activitypub/answer_note.hpp"

#include <gtest/gtest.h>

#include "activitypub/context.hpp"
#include "support.hpp"

namespace fedblog::activitypub {
namespace {

using namespace testing;

const Mentioned alice{"https://m.example/users/alice", "https://m.example/@alice", "alice@m.example"};

store::Comment sample_answer() {
    store::Comment answer;
    answer.id = 42;
    answer.object_id = "https://blog.example/comments/42";
    answer.post_id = 7;
    answer.parent_id = 41;
    answer.actor_id = "https://blog.example/users/blog";
    answer.content_html = with_mention("<p>Merci pour la lecture attentive !</p>\n", alice);
    answer.language = "fr";
    answer.local = true;
    answer.published = 1763895600;  // 2025-11-23T11:00:00Z
    return answer;
}

AnswerContext sample_context() {
    return {.in_reply_to = "https://m.example/users/alice/statuses/115512345678901234",
            .post_slug = "bonjour-le-monde",
            .language = "fr",
            .mentioned = alice,
            .reply_ids = {"https://m.example/users/bob/statuses/115512345678909999"}};
}

TEST(AnswerNote, MentionsTheCommenterTheWayMastodonDoes) {
    EXPECT_EQ(mention_html(alice),
              R"(<span class="h-card" translate="no"><a href="https://m.example/@alice" class="u-url mention">)"
              R"(@<span>alice</span></a></span>)");
    // Inside the first paragraph, so it reads "@alice Merci…" on one line.
    EXPECT_EQ(with_mention("<p>Merci</p>\n<p>Deux</p>", alice),
              "<p>" + mention_html(alice) + " Merci</p>\n<p>Deux</p>");
    EXPECT_EQ(with_mention("<ul><li>un</li></ul>", alice), "<p>" + mention_html(alice) + "</p><ul><li>un</li></ul>");
    // Escaped: a profile URL or handle from a remote document cannot break out of the attribute.
    Mentioned odd{"https://m.example/users/x", "https://m.example/@x\"onclick=\"y", "<b>x</b>@m.example"};
    std::string html = mention_html(odd);
    EXPECT_EQ(html.find("\"onclick"), std::string::npos) << html;
    EXPECT_EQ(html.find("<b>"), std::string::npos) << html;
    // Only http(s) links: a hostile profile URL falls back to the actor id, or to no link at all.
    EXPECT_EQ(mention_html({"https://m.example/users/x", "javascript:alert(1)", "x@m.example"}),
              R"(<span class="h-card" translate="no"><a href="https://m.example/users/x" class="u-url mention">)"
              R"(@<span>x</span></a></span>)");
    EXPECT_EQ(mention_html({"data:text/html,x", "javascript:alert(1)", "x@m.example"}),
              R"(<span class="h-card" translate="no">@<span>x</span></span>)");
    // Without a handle the actor id stands in, and the id stays the link.
    EXPECT_NE(mention_html({"https://m.example/users/x", "", ""}).find(R"(href="https://m.example/users/x")"),
              std::string::npos);
}

TEST(AnswerNote, IsAPublicReplyToTheCommentMentioningItsAuthor) {
    Json note = answer_note(sample_answer(), sample_context(), blog_ids());
    EXPECT_EQ(note["id"], "https://blog.example/comments/42");
    EXPECT_EQ(note["type"], "Note");
    EXPECT_EQ(note["attributedTo"], "https://blog.example/users/blog");
    EXPECT_EQ(note["inReplyTo"], "https://m.example/users/alice/statuses/115512345678901234");
    EXPECT_EQ(note["to"], Json::array({public_collection}));
    EXPECT_EQ(note["cc"], Json::array({"https://blog.example/users/blog/followers", "https://m.example/users/alice"}));
    ASSERT_EQ(note["tag"].size(), 1u);
    EXPECT_EQ(note["tag"][0],
              Json({{"type", "Mention"}, {"href", "https://m.example/users/alice"}, {"name", "@alice@m.example"}}));
    EXPECT_TRUE(note["content"].get<std::string>().starts_with("<p><span class=\"h-card\""));
    EXPECT_EQ(note["contentMap"]["fr"], note["content"]);
    EXPECT_EQ(note["url"], "https://blog.example/comments/42");
    EXPECT_FALSE(note.contains("updated"));
    EXPECT_EQ(note["replies"]["first"]["items"].size(), 1u);
    EXPECT_EQ(note["@context"], context());
}

TEST(AnswerNote, AnAnswerToTheBlogsOwnCommentMentionsNoOne) {
    AnswerContext context = sample_context();
    context.mentioned.reset();
    Json note = answer_note(sample_answer(), context, blog_ids());
    EXPECT_EQ(note["cc"], Json::array({"https://blog.example/users/blog/followers"}));
    EXPECT_TRUE(note["tag"].empty());
}

TEST(AnswerNote, ActivitiesHaveIdsOfTheirOwnAndTheNotesAudience) {
    store::Comment answer = sample_answer();
    Json create = answer_create(answer, sample_context(), blog_ids());
    EXPECT_EQ(create["id"], "https://blog.example/comments/42/activity");
    EXPECT_EQ(create["object"]["id"], "https://blog.example/comments/42");
    EXPECT_FALSE(create["object"].contains("@context"));
    EXPECT_EQ(create["cc"], create["object"]["cc"]);

    answer.updated = 1763899200;
    Json update = answer_update(answer, sample_context(), blog_ids());
    EXPECT_EQ(update["id"], "https://blog.example/comments/42/activity/update-1763899200");
    EXPECT_EQ(update["object"]["updated"], "2025-11-23T12:00:00Z");  // newer than what receivers hold
    EXPECT_EQ(update["published"], update["object"]["updated"]);

    answer.deleted = 1763902800;
    Json removal = answer_delete(answer, sample_context(), blog_ids());
    EXPECT_EQ(removal["id"], "https://blog.example/comments/42/activity/delete");
    EXPECT_EQ(removal["object"]["type"], "Tombstone");
    EXPECT_EQ(removal["cc"], create["cc"]);  // everyone who was told of the answer hears of its deletion
}

TEST(Golden, AnswerNote) { expect_golden(answer_note(sample_answer(), sample_context(), blog_ids()), "answer_note"); }

TEST(Golden, AnswerCreate) {
    expect_golden(answer_create(sample_answer(), sample_context(), blog_ids()), "answer_create");
}

TEST(Golden, AnswerUpdate) {
    store::Comment answer = sample_answer();
    answer.content_html = with_mention("<p>Merci pour la lecture <strong>très</strong> attentive !</p>\n", alice);
    answer.updated = 1763899200;
    expect_golden(answer_update(answer, sample_context(), blog_ids()), "answer_update");
}

TEST(Golden, AnswerTombstoneAndDelete) {
    store::Comment answer = sample_answer();
    answer.deleted = 1763902800;
    answer.content_html.clear();
    expect_golden(answer_tombstone(answer, blog_ids()), "answer_tombstone");
    expect_golden(answer_delete(answer, sample_context(), blog_ids()), "answer_delete");
}

}  // namespace
}  // namespace fedblog::activitypub
