// The owner's answers on a real SQLite file: what is stored, which inboxes get the Create/Update/Delete (the
// commenter's and the followers', each once), that the jobs commit with the change, and what is refused.
#include "activitypub/delivery/owner_answers.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "common/time.hpp"
#include "store/deliveries.hpp"
#include "store/followers.hpp"
#include "store/posts.hpp"
#include "store/remote_actors.hpp"
#include "tests/support/temp_dir.hpp"

namespace fedblog::activitypub::delivery {
namespace {

constexpr store::Timestamp t0 = 1790000000;

class OwnerAnswersTest : public ::testing::Test {
protected:
    OwnerAnswersTest() : db(dir / "db"), ids("https://blog.example", "blog") {
        settings.public_url = "https://blog.example";
        settings.language = "fr";
        store::Post post;
        post.slug = "bonjour";
        post.source_path = "bonjour.md";
        post.source_hash = "h";
        post.title = "Bonjour";
        post.summary_html = post.content_html = "<p>Bonjour</p>";
        post.language = "en";
        post.published = t0 - 1000;
        post_id = store::Posts(db).insert(post);
        remote_actor("alice", "https://m.example/inbox");
        remote_actor("loner", "");  // no shared inbox: the personal one
        follower("bob", "https://m.example/inbox");
        follower("carol", "https://other.example/inbox");
        alices = comment("alice", "approved");
    }

    void remote_actor(const std::string& name, const std::string& shared_inbox) {
        store::RemoteActor actor;
        actor.id = "https://m.example/users/" + name;
        actor.inbox = actor.id + "/inbox";
        actor.shared_inbox = shared_inbox;
        actor.handle = name + "@m.example";
        actor.profile_url = "https://m.example/@" + name;
        actor.fetched_at = t0;
        store::RemoteActors(db).save(actor);
    }

    void follower(const std::string& name, const std::string& shared_inbox) {
        store::Follower row;
        row.actor_id = "https://x.example/users/" + name;
        row.inbox = row.actor_id + "/inbox";
        row.shared_inbox = shared_inbox;
        row.follow_activity_id = row.actor_id + "#follow";
        row.accepted = true;
        row.created_at = t0;
        store::Followers(db).save(row);
    }

    std::int64_t comment(const std::string& name, const std::string& state, const std::string& visibility = "public") {
        store::Comment c;
        c.object_id = "https://m.example/users/" + name + "/statuses/" + std::to_string(++counter);
        c.post_id = post_id;
        c.actor_id = "https://m.example/users/" + name;
        c.content_html = "<p>Un avis</p>";
        c.visibility = visibility;
        c.state = state;
        c.published = c.received_at = t0 - 500;
        return *store::Comments(db).insert(c);
    }

    // The inboxes the activity with this id is queued for, sorted.
    std::vector<std::string> inboxes_of(const std::string& activity_id) {
        std::vector<std::string> found;
        for (const auto& job : store::Deliveries(db).list("", "", 100))
            if (job.activity_id == activity_id) found.push_back(job.inbox);
        std::sort(found.begin(), found.end());
        return found;
    }

    Json body_of(const std::string& activity_id) {
        for (const auto& job : store::Deliveries(db).list("", "", 100))
            if (job.activity_id == activity_id) return Json::parse(job.body);
        return {};
    }

    fedblog::testing::TempDir dir;
    store::Database db;
    Ids ids;
    Settings settings;
    std::int64_t post_id = 0;
    std::int64_t alices = 0;
    int counter = 0;
};

TEST_F(OwnerAnswersTest, AnAnswerIsStoredAndItsCreateQueuedForTheCommenterAndEachFollowerInboxOnce) {
    auto outcome = answer_comment(db, settings, ids, alices, "<p>Merci !</p>\n", t0);
    ASSERT_TRUE(outcome.answer) << outcome.error;
    const store::Comment& answer = *outcome.answer;
    EXPECT_EQ(answer.object_id, "https://blog.example/comments/" + std::to_string(answer.id));

    auto stored = store::Comments(db).find(answer.id);
    ASSERT_TRUE(stored);
    EXPECT_TRUE(stored->local);
    EXPECT_EQ(stored->object_id, answer.object_id);
    EXPECT_EQ(stored->actor_id, ids.actor());
    EXPECT_EQ(stored->parent_id, alices);
    EXPECT_EQ(stored->post_id, post_id);
    EXPECT_EQ(stored->state, "approved");
    EXPECT_EQ(stored->visibility, "public");
    EXPECT_EQ(stored->language, "en");  // the post's
    EXPECT_TRUE(stored->content_html.starts_with("<p><span class=\"h-card\""));
    EXPECT_NE(stored->content_html.find("</span> Merci !</p>"), std::string::npos) << stored->content_html;

    // alice's shared inbox is bob's too: one job there, one for carol's server.
    const std::string create_id = ids.comment_create(answer.id);
    EXPECT_EQ(inboxes_of(create_id),
              (std::vector<std::string>{"https://m.example/inbox", "https://other.example/inbox"}));
    EXPECT_EQ(outcome.inboxes, 2);
    Json create = body_of(create_id);
    EXPECT_EQ(create["type"], "Create");
    EXPECT_EQ(create["object"]["inReplyTo"], "https://m.example/users/alice/statuses/1");
    EXPECT_EQ(create["object"]["tag"][0]["href"], "https://m.example/users/alice");
    EXPECT_EQ(create["object"]["tag"][0]["name"], "@alice@m.example");
    EXPECT_EQ(create["object"]["content"], stored->content_html);
}

TEST_F(OwnerAnswersTest, ACommenterWithoutSharedInboxGetsItAtTheirPersonalInbox) {
    auto outcome = answer_comment(db, settings, ids, comment("loner", "approved"), "<p>Oui</p>", t0);
    ASSERT_TRUE(outcome.answer);
    auto inboxes = inboxes_of(ids.comment_create(outcome.answer->id));
    EXPECT_NE(std::find(inboxes.begin(), inboxes.end(), "https://m.example/users/loner/inbox"), inboxes.end());
    EXPECT_EQ(inboxes.size(), 3u);
}

TEST_F(OwnerAnswersTest, EditsAreStrictlyNewerAndDeletionsReachTheSameAudience) {
    auto answer = answer_comment(db, settings, ids, alices, "<p>Merci</p>", t0).answer;
    ASSERT_TRUE(answer);
    // Two edits in the very second of publication: each its own, later, revision.
    auto first = edit_answer(db, settings, ids, answer->id, "<p>Merci beaucoup</p>", t0);
    auto second = edit_answer(db, settings, ids, answer->id, "<p>Merci mille fois</p>", t0);
    ASSERT_TRUE(first.answer && second.answer) << first.error << second.error;
    EXPECT_EQ(first.answer->updated, t0 + 1);
    EXPECT_EQ(second.answer->updated, t0 + 2);
    auto stored = store::Comments(db).find(answer->id);
    EXPECT_NE(stored->content_html.find("Merci mille fois"), std::string::npos);
    EXPECT_NE(stored->content_html.find("u-url mention"), std::string::npos);  // the mention stays
    EXPECT_EQ(stored->updated, t0 + 2);
    Json update = body_of(ids.comment_update(answer->id, t0 + 2));
    EXPECT_EQ(update["type"], "Update");
    EXPECT_EQ(update["object"]["updated"], update["published"]);
    EXPECT_EQ(inboxes_of(ids.comment_update(answer->id, t0 + 1)).size(), 2u);

    auto removed = delete_answer(db, settings, ids, answer->id, t0 + 10);
    ASSERT_TRUE(removed.answer) << removed.error;
    stored = store::Comments(db).find(answer->id);
    EXPECT_EQ(stored->deleted, t0 + 10);
    EXPECT_EQ(stored->content_html, "");
    Json removal = body_of(ids.comment_delete(answer->id));
    EXPECT_EQ(removal["object"], Json({{"id", answer->object_id}, {"type", "Tombstone"}, {"formerType", "Note"},
                                       {"deleted", format_rfc3339(t0 + 10)}}));
    EXPECT_EQ(inboxes_of(ids.comment_delete(answer->id)), inboxes_of(ids.comment_create(answer->id)));

    // Gone is gone: no edit, no second Delete.
    EXPECT_FALSE(edit_answer(db, settings, ids, answer->id, "<p>Revenu</p>", t0 + 20).answer);
    EXPECT_FALSE(delete_answer(db, settings, ids, answer->id, t0 + 20).answer);
}

TEST_F(OwnerAnswersTest, RefusesWhatCannotBeAnsweredOrChangedAndQueuesNothing) {
    auto refused = [&](std::int64_t id, std::string_view expected) {
        auto outcome = answer_comment(db, settings, ids, id, "<p>Non</p>", t0);
        EXPECT_FALSE(outcome.answer) << id;
        EXPECT_NE(outcome.error.find(expected), std::string::npos) << outcome.error;
    };
    refused(9999, "no comment 9999");
    refused(comment("dm", "approved", "private"), "private message");
    refused(comment("spam", "held"), "approve it first");
    refused(comment("troll", "hidden"), "hidden");
    std::int64_t gone = comment("gone", "approved");
    store::Comments(db).mark_deleted(store::Comments(db).find(gone)->object_id, t0);
    refused(gone, "deleted");
    // A remote comment is never edited or deleted as if it were the blog's.
    auto edit = edit_answer(db, settings, ids, alices, "<p>Réécrit</p>", t0);
    EXPECT_FALSE(edit.answer);
    EXPECT_NE(edit.error.find("only the blog's own answers"), std::string::npos) << edit.error;
    EXPECT_FALSE(delete_answer(db, settings, ids, alices, t0).answer);
    EXPECT_NE(store::Comments(db).find(alices)->content_html, "");
    EXPECT_EQ(store::Deliveries(db).count("pending"), 0);
}

TEST_F(OwnerAnswersTest, AnAnswerToAnAnswerOfTheBlogMentionsNoOneAndGoesToTheFollowers) {
    auto first = answer_comment(db, settings, ids, alices, "<p>Un</p>", t0).answer;
    ASSERT_TRUE(first);
    auto second = answer_comment(db, settings, ids, first->id, "<p>Et deux</p>", t0 + 1);
    ASSERT_TRUE(second.answer) << second.error;
    EXPECT_EQ(second.answer->content_html, "<p>Et deux</p>");
    Json create = body_of(ids.comment_create(second.answer->id));
    EXPECT_EQ(create["object"]["inReplyTo"], first->object_id);
    EXPECT_TRUE(create["object"]["tag"].empty());
    EXPECT_EQ(second.inboxes, 2);  // the followers' two inboxes
    // The first answer's replies list the second.
    auto context = answer_context(db, settings, ids, *first);
    ASSERT_TRUE(context);
    EXPECT_EQ(context->reply_ids, std::vector<std::string>{second.answer->object_id});
}

}  // namespace
}  // namespace fedblog::activitypub::delivery
