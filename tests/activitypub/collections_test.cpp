#include "activitypub/collections.hpp"

#include <gtest/gtest.h>

#include "support.hpp"

namespace fedblog::activitypub {
namespace {

using namespace testing;

std::optional<Json> page_of(int post_count, long page, std::size_t page_size = outbox_page_size) {
    std::vector<store::Post> posts = numbered_posts(post_count);
    return outbox_page(pointers(posts), page, blog_settings(), blog_ids(), page_size);
}

TEST(Outbox, EmptyBlogHasOneEmptyFirstPage) {
    Json collection = outbox(0, blog_ids());
    EXPECT_EQ(collection["totalItems"], 0);
    EXPECT_EQ(collection["first"], "https://blog.example/users/blog/outbox?page=1");
    EXPECT_EQ(collection["last"], "https://blog.example/users/blog/outbox?page=1");

    auto first = page_of(0, 1);
    ASSERT_TRUE(first);
    EXPECT_EQ((*first)["orderedItems"], Json::array());
    EXPECT_FALSE(first->contains("next"));
    EXPECT_FALSE(first->contains("prev"));
    EXPECT_FALSE(page_of(0, 2));
}

TEST(Outbox, PageOutOfRangeIsNothing) {
    EXPECT_FALSE(page_of(25, 0));
    EXPECT_FALSE(page_of(25, -1));
    EXPECT_FALSE(page_of(25, 3));
    EXPECT_FALSE(page_of(25, 1, 0));
}

TEST(Outbox, LastPageNumberFollowsThePageSize) {
    EXPECT_EQ(outbox(20, blog_ids())["last"], "https://blog.example/users/blog/outbox?page=1");
    EXPECT_EQ(outbox(21, blog_ids())["last"], "https://blog.example/users/blog/outbox?page=2");
    EXPECT_EQ(outbox(25, blog_ids(), 5)["last"], "https://blog.example/users/blog/outbox?page=5");
    EXPECT_TRUE(page_of(20, 1));
    EXPECT_FALSE(page_of(20, 2));
}

TEST(Outbox, PagesLinkOnlyToPagesThatExist) {
    auto first = page_of(25, 1);
    ASSERT_TRUE(first);
    EXPECT_EQ((*first)["id"], "https://blog.example/users/blog/outbox?page=1");
    EXPECT_EQ((*first)["partOf"], "https://blog.example/users/blog/outbox");
    EXPECT_EQ((*first)["next"], "https://blog.example/users/blog/outbox?page=2");
    EXPECT_FALSE(first->contains("prev"));
    EXPECT_EQ((*first)["orderedItems"].size(), 20u);

    auto last = page_of(25, 2);
    ASSERT_TRUE(last);
    EXPECT_EQ((*last)["prev"], "https://blog.example/users/blog/outbox?page=1");
    EXPECT_FALSE(last->contains("next"));
    EXPECT_EQ((*last)["orderedItems"].size(), 5u);
}

TEST(Outbox, ItemsAreCreatesNewestFirst) {
    auto first = page_of(25, 1);
    ASSERT_TRUE(first);
    Json items = (*first)["orderedItems"];
    EXPECT_EQ(items[0]["type"], "Create");
    EXPECT_EQ(items[0]["id"], "https://blog.example/posts/billet-25/activity");
    EXPECT_EQ(items[0]["object"]["id"], "https://blog.example/posts/billet-25");
    EXPECT_FALSE(items[0].contains("@context"));
    EXPECT_EQ(items[19]["object"]["id"], "https://blog.example/posts/billet-06");
    EXPECT_EQ(page_of(25, 2).value()["orderedItems"][4]["object"]["id"], "https://blog.example/posts/billet-01");
}

TEST(Followers, CollectionAlwaysHasAFirstPage) {
    Json collection = followers(0, blog_ids());
    EXPECT_EQ(collection["totalItems"], 0);
    EXPECT_EQ(collection["first"], "https://blog.example/users/blog/followers?page=1");
    auto first = followers_page(1, {}, 0, blog_ids());
    ASSERT_TRUE(first);
    EXPECT_EQ((*first)["orderedItems"], Json::array());
}

TEST(Followers, PagingMath) {
    std::vector<std::string> five = {"a", "b", "c", "d", "e"};
    auto second = followers_page(2, five, 45, blog_ids());
    ASSERT_TRUE(second);
    EXPECT_EQ((*second)["id"], "https://blog.example/users/blog/followers?page=2");
    EXPECT_EQ((*second)["prev"], "https://blog.example/users/blog/followers?page=1");
    EXPECT_FALSE(second->contains("next"));
    EXPECT_EQ((*second)["orderedItems"], Json(five));
    EXPECT_EQ(followers_page(1, five, 45, blog_ids()).value()["next"],
              "https://blog.example/users/blog/followers?page=2");
    EXPECT_FALSE(followers_page(3, {}, 45, blog_ids()));
    EXPECT_FALSE(followers_page(0, {}, 45, blog_ids()));
    EXPECT_FALSE(followers_page(2, {}, 40, blog_ids()));
}

TEST(Following, IsEmptyWithAnEmbeddedFirstPage) {
    Json collection = following(blog_ids());
    EXPECT_EQ(collection["id"], "https://blog.example/users/blog/following");
    EXPECT_EQ(collection["totalItems"], 0);
    EXPECT_EQ(collection["first"]["orderedItems"], Json::array());
}

TEST(Replies, EveryReplyOnTheFirstPageWithoutNext) {
    std::vector<std::string> replies;
    for (int i = 0; i < 30; ++i) replies.push_back("https://m.example/statuses/" + std::to_string(i));
    Json collection = replies_collection("bonjour-le-monde", replies, blog_ids());
    EXPECT_EQ(collection["totalItems"], 30);
    EXPECT_EQ(collection["first"]["items"].size(), 30u);
    EXPECT_EQ(collection["first"]["partOf"], collection["id"]);
    EXPECT_FALSE(collection["first"].contains("next"));
}

}  // namespace
}  // namespace fedblog::activitypub
