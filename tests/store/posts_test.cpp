#include "store/posts.hpp"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.hpp"

using namespace fedblog::store;
using fedblog::testing::TempDir;

namespace {

Post sample(std::string slug, Timestamp published) {
    Post post;
    post.slug = std::move(slug);
    post.source_path = post.slug + ".md";
    post.source_hash = "hash-1";
    post.title = "Notre assemblée générale";
    post.summary_html = "<p>Résumé</p>";
    post.content_html = "<p>Texte</p>";
    post.language = "fr";
    post.tags = {"coopérative", "vie locale"};
    post.published = published;
    return post;
}

}  // namespace

TEST(Posts, InsertThenFindKeepsEveryField) {
    TempDir dir;
    Database db(dir / "db");
    Posts posts(db);
    Post original = sample("assemblee", 1000);
    original.image_path = "images/photo.png";
    original.image_alt = "Une photo";
    original.comments_closed = true;
    std::int64_t id = posts.insert(original);
    auto found = posts.find_by_slug("assemblee");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->id, id);
    EXPECT_EQ(found->title, "Notre assemblée générale");
    EXPECT_EQ(found->tags, (std::vector<std::string>{"coopérative", "vie locale"}));
    EXPECT_EQ(found->image_path, "images/photo.png");
    EXPECT_EQ(found->image_alt, "Une photo");
    EXPECT_TRUE(found->comments_closed);
    EXPECT_EQ(found->published, 1000);
    EXPECT_FALSE(found->updated);
    EXPECT_FALSE(found->deleted);
    EXPECT_EQ(posts.revisions(id), std::vector<Timestamp>{1000});
}

TEST(Posts, UpdateKeepsIdAndPublishedAndRecordsRevision) {
    TempDir dir;
    Database db(dir / "db");
    Posts posts(db);
    Post post = sample("a", 1000);
    post.id = posts.insert(post);
    post.title = "Nouveau titre";
    post.source_hash = "hash-2";
    post.updated = 2000;
    posts.update(post);
    auto found = posts.find_by_slug("a");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->title, "Nouveau titre");
    EXPECT_EQ(found->published, 1000);
    EXPECT_EQ(found->updated, 2000);
    EXPECT_EQ(posts.revisions(post.id), (std::vector<Timestamp>{1000, 2000}));
}

TEST(Posts, DeletedPostKeepsItsSlugForever) {
    TempDir dir;
    Database db(dir / "db");
    Posts posts(db);
    std::int64_t id = posts.insert(sample("a", 1000));
    posts.mark_deleted(id, 3000);
    auto found = posts.find_by_slug("a");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->deleted, 3000);
    EXPECT_FALSE(posts.find_by_source("a.md"));  // a removed file no longer maps to its post
    EXPECT_EQ(posts.count_published(), 0);
    EXPECT_THROW(posts.insert(sample("a", 4000)), SQLite::Exception);
    Post revived = *found;
    EXPECT_THROW(posts.update(revived), std::runtime_error);
}

// Placing a reply reads the post's head only: what decides where and whether a reply joins, none of the texts.
TEST(Posts, TheHeadHasWhatPlacesAReplyAndNoTexts) {
    TempDir dir;
    Database db(dir / "db");
    Posts posts(db);
    Post closed = sample("fermee", 1000);
    closed.comments_closed = true;
    const std::int64_t closed_id = posts.insert(closed);
    const std::int64_t gone_id = posts.insert(sample("partie", 2000));
    posts.mark_deleted(gone_id, 3000);

    auto head = posts.find_head_by_slug("fermee");
    ASSERT_TRUE(head);
    EXPECT_EQ(head->id, closed_id);
    EXPECT_EQ(head->slug, "fermee");
    EXPECT_TRUE(head->comments_closed);
    EXPECT_EQ(head->published, 1000);
    EXPECT_FALSE(head->is_deleted());
    EXPECT_TRUE(head->content_html.empty());
    EXPECT_TRUE(head->title.empty());

    auto deleted = posts.find_head_by_id(gone_id);
    ASSERT_TRUE(deleted);
    EXPECT_EQ(deleted->slug, "partie");
    EXPECT_FALSE(deleted->comments_closed);
    EXPECT_EQ(deleted->deleted, 3000);
    EXPECT_FALSE(posts.find_head_by_slug("absente"));
    EXPECT_FALSE(posts.find_head_by_id(gone_id + 100));
}

TEST(Posts, AllIsNewestFirst) {
    TempDir dir;
    Database db(dir / "db");
    Posts posts(db);
    posts.insert(sample("old", 1000));
    posts.insert(sample("new", 3000));
    posts.insert(sample("middle", 2000));
    auto all = posts.all();
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[0].slug, "new");
    EXPECT_EQ(all[1].slug, "middle");
    EXPECT_EQ(all[2].slug, "old");
}

TEST(Post, AcceptsRepliesUntilClosedByHandOrByAge) {
    Post post = sample("billet", 1'000'000);
    EXPECT_TRUE(post.accepts_replies(0, 1'000'000 + 10'000 * 86400));  // 0: never closes by age
    EXPECT_TRUE(post.accepts_replies(30, 1'000'000 + 30 * 86400 - 1));
    EXPECT_FALSE(post.accepts_replies(30, 1'000'000 + 30 * 86400));
    post.comments_closed = true;
    EXPECT_FALSE(post.accepts_replies(0, 1'000'000));
}
