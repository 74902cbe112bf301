#include "store/comments.hpp"

#include <gtest/gtest.h>

#include "store/counts.hpp"
#include "store/posts.hpp"
#include "tests/support/temp_dir.hpp"

using namespace fedblog::store;

namespace {

class CommentsTest : public ::testing::Test {
protected:
    CommentsTest() : db(dir / "db"), comments(db) {
        Post post;
        post.slug = "bonjour";
        post.source_path = "bonjour.md";
        post.source_hash = "h";
        post.title = "Bonjour";
        post.summary_html = "<p>Bonjour</p>";
        post.content_html = "<p>Bonjour</p>";
        post.language = "fr";
        post.published = 1000;
        post_id = Posts(db).insert(post);
    }

    Comment reply(const std::string& name, Timestamp published, std::optional<std::int64_t> parent = std::nullopt) {
        Comment c;
        c.object_id = "https://m.example/users/" + name + "/statuses/" + std::to_string(published);
        c.post_id = post_id;
        c.parent_id = parent;
        c.actor_id = "https://m.example/users/" + name;
        c.content_html = "<p>Réponse de " + name + "</p>";
        c.published = published;
        c.received_at = published + 1;
        return c;
    }

    fedblog::testing::TempDir dir;
    Database db;
    Comments comments;
    std::int64_t post_id = 0;
};

TEST_F(CommentsTest, InsertThreadsAndNeverOverwrites) {
    auto first = comments.insert(reply("alice", 2000));
    ASSERT_TRUE(first);
    auto answer = comments.insert(reply("bob", 3000, *first));
    ASSERT_TRUE(answer);
    Comment impostor = reply("alice", 2000);
    impostor.content_html = "<p>changed by a second Create</p>";
    EXPECT_FALSE(comments.insert(impostor));
    auto held = comments.find_by_object_id(impostor.object_id);
    ASSERT_TRUE(held);
    EXPECT_EQ(held->content_html, "<p>Réponse de alice</p>");

    auto place = comments.find_place(reply("bob", 3000).object_id);
    ASSERT_TRUE(place);
    EXPECT_EQ(place->id, *answer);
    EXPECT_EQ(place->post_id, post_id);
    EXPECT_FALSE(comments.find_place("https://m.example/notes/nobody"));

    auto thread = comments.for_post(post_id);
    ASSERT_EQ(thread.size(), 2u);
    EXPECT_EQ(thread[0].id, *first);
    EXPECT_FALSE(thread[0].parent_id);
    EXPECT_EQ(thread[1].parent_id, *first);
    EXPECT_EQ(counts(db).comments, 2);
}

TEST_F(CommentsTest, OnlyANewerUpdateEdits) {
    comments.insert(reply("alice", 2000));
    Comment edit = reply("alice", 2000);
    edit.content_html = "<p>corrigé</p>";
    edit.updated = 2500;
    EXPECT_TRUE(comments.update_content(edit.object_id, edit));
    Comment late = edit;
    late.content_html = "<p>an older edit, arriving late</p>";
    late.updated = 2400;
    EXPECT_FALSE(comments.update_content(edit.object_id, late));
    auto held = comments.find_by_object_id(edit.object_id);
    EXPECT_EQ(held->content_html, "<p>corrigé</p>");
    EXPECT_EQ(held->updated, 2500);
}

TEST_F(CommentsTest, DeletionsLeaveAPlaceholderWithoutTheText) {
    auto first = comments.insert(reply("alice", 2000));
    comments.insert(reply("bob", 3000, *first));
    comments.insert(reply("alice", 4000));
    EXPECT_TRUE(comments.mark_deleted(reply("alice", 2000).object_id, 5000));
    EXPECT_FALSE(comments.mark_deleted(reply("alice", 2000).object_id, 5001));
    auto thread = comments.for_post(post_id);
    ASSERT_EQ(thread.size(), 3u);
    EXPECT_TRUE(thread[0].deleted);
    EXPECT_EQ(thread[0].content_html, "");
    EXPECT_FALSE(thread[0].shown());
    EXPECT_TRUE(thread[1].shown());  // bob's answer keeps its place under the placeholder
    EXPECT_EQ(comments.delete_by_actor("https://m.example/users/alice", 6000), 1);
    EXPECT_EQ(counts(db).comments, 1);
}

TEST_F(CommentsTest, PrivateAndHeldCommentsAreNotCountedOrShown) {
    Comment direct = reply("carol", 2000);
    direct.visibility = "private";
    comments.insert(direct);
    Comment held = reply("dave", 2100);
    held.state = "held";
    comments.insert(held);
    EXPECT_EQ(counts(db).comments, 0);
    EXPECT_FALSE(comments.has_approved_from("https://m.example/users/dave"));
    comments.insert(reply("erin", 2200));
    EXPECT_TRUE(comments.has_approved_from("https://m.example/users/erin"));
}

}  // namespace
