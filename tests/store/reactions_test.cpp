#include "store/reactions.hpp"

#include <gtest/gtest.h>

#include "store/posts.hpp"
#include "tests/support/temp_dir.hpp"

using namespace fedblog::store;

namespace {

std::int64_t a_post(Database& db) {
    Post post;
    post.slug = "bonjour";
    post.source_path = "bonjour.md";
    post.source_hash = "h";
    post.title = "Bonjour";
    post.summary_html = post.content_html = "<p>Bonjour</p>";
    post.language = "fr";
    post.published = 1000;
    return Posts(db).insert(post);
}

TEST(Reactions, OnePerActorAndKindAndUndoTakesThemBack) {
    fedblog::testing::TempDir dir;
    Database db(dir / "db");
    Reactions reactions(db);
    auto post = a_post(db);
    EXPECT_TRUE(reactions.add(post, "https://m.example/users/a", ReactionKind::like, "https://m.example/likes/1", 1));
    EXPECT_FALSE(reactions.add(post, "https://m.example/users/a", ReactionKind::like, "https://m.example/likes/2", 2));
    EXPECT_TRUE(reactions.add(post, "https://m.example/users/a", ReactionKind::announce, "https://m.example/boosts/1", 3));
    EXPECT_TRUE(reactions.add(post, "https://m.example/users/b", ReactionKind::like, "https://m.example/likes/3", 4));
    EXPECT_EQ(reactions.counts(post).likes, 2);
    EXPECT_EQ(reactions.counts(post).shares, 1);
    EXPECT_FALSE(reactions.remove_by_activity("https://m.example/likes/3", "https://m.example/users/a"));  // not theirs
    EXPECT_TRUE(reactions.remove_by_activity("https://m.example/likes/3", "https://m.example/users/b"));
    EXPECT_TRUE(reactions.remove(post, "https://m.example/users/a", ReactionKind::announce));
    EXPECT_EQ(reactions.remove_by_actor("https://m.example/users/a"), 1);
    EXPECT_EQ(reactions.counts(post).likes, 0);
    EXPECT_EQ(reactions.counts(post).shares, 0);
}

}  // namespace
