// The owner's answers in the comments table: an object id made from the row's own id, written in one step, and
// the answers under a comment.
#include <gtest/gtest.h>

#include "store/comments.hpp"
#include "store/counts.hpp"
#include "store/posts.hpp"
#include "store/transaction.hpp"
#include "tests/support/temp_dir.hpp"

using namespace fedblog::store;

namespace {

class LocalCommentsTest : public ::testing::Test {
protected:
    LocalCommentsTest() : db(dir / "db"), comments(db) {
        Post post;
        post.slug = "bonjour";
        post.source_path = "bonjour.md";
        post.source_hash = "h";
        post.title = "Bonjour";
        post.summary_html = post.content_html = "<p>Bonjour</p>";
        post.language = "fr";
        post.published = 1000;
        post_id = Posts(db).insert(post);
        Comment remote;
        remote.object_id = "https://m.example/users/alice/statuses/1";
        remote.post_id = post_id;
        remote.actor_id = "https://m.example/users/alice";
        remote.content_html = "<p>Question ?</p>";
        remote.published = remote.received_at = 2000;
        alices = *comments.insert(remote);
    }

    Comment answer(Timestamp published) {
        Comment c;
        c.post_id = post_id;
        c.parent_id = alices;
        c.actor_id = "https://blog.example/users/blog";
        c.content_html = "<p>Réponse</p>";
        c.published = c.received_at = published;
        return c;
    }

    fedblog::testing::TempDir dir;
    Database db;
    Comments comments;
    std::int64_t post_id = 0;
    std::int64_t alices = 0;
};

auto our_id = [](std::int64_t id) { return "https://blog.example/comments/" + std::to_string(id); };

TEST_F(LocalCommentsTest, AnAnswersObjectIdComesFromItsRowId) {
    std::int64_t first = comments.insert_local(answer(3000), our_id);
    std::int64_t second = comments.insert_local(answer(3001), our_id);
    EXPECT_NE(first, second);
    auto stored = comments.find(first);
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->object_id, our_id(first));
    EXPECT_TRUE(stored->local);
    EXPECT_EQ(comments.find_by_object_id(our_id(second))->id, second);
    EXPECT_FALSE(comments.find_by_object_id("urn:fedblog:answer-being-written"));
}

// NodeInfo's localComments: the owner's answers only; the remote reply they answer is not local.
TEST_F(LocalCommentsTest, OnlyTheOwnersShownAnswersCountAsLocal) {
    EXPECT_EQ(counts(db).local_comments, 0);
    std::int64_t first = comments.insert_local(answer(3000), our_id);
    comments.insert_local(answer(3001), our_id);
    EXPECT_EQ(counts(db).local_comments, 2);
    EXPECT_EQ(counts(db).comments, 3);
    comments.set_state(first, "hidden");
    EXPECT_EQ(counts(db).local_comments, 1);
}

TEST_F(LocalCommentsTest, ATakenObjectIdLeavesNothingBehind) {
    std::int64_t first = comments.insert_local(answer(3000), our_id);
    EXPECT_THROW(comments.insert_local(answer(3001), [&](std::int64_t) { return our_id(first); }), std::exception);
    EXPECT_EQ(comments.answers_to(alices).size(), 1u);
    // The failed write took its savepoint with it; the caller's transaction goes on.
    WriteTransaction transaction(db);
    EXPECT_THROW(comments.insert_local(answer(3002), [&](std::int64_t) { return our_id(first); }), std::exception);
    std::int64_t third = comments.insert_local(answer(3003), our_id);
    transaction.commit();
    EXPECT_EQ(comments.find(third)->object_id, our_id(third));
}

TEST_F(LocalCommentsTest, AnswersToACommentOldestFirst) {
    std::int64_t later = comments.insert_local(answer(5000), our_id);
    std::int64_t earlier = comments.insert_local(answer(4000), our_id);
    auto found = comments.answers_to(alices);
    ASSERT_EQ(found.size(), 2u);
    EXPECT_EQ(found[0].id, earlier);
    EXPECT_EQ(found[1].id, later);
    EXPECT_TRUE(comments.answers_to(later).empty());
}

}  // namespace
