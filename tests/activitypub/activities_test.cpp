#include "activitypub/activities.hpp"

#include <gtest/gtest.h>

#include "activitypub/context.hpp"
#include "support.hpp"

namespace fedblog::activitypub {
namespace {

using namespace testing;

TEST(Create, HasItsOwnIdAndEmbedsTheObjectWithoutContext) {
    Json create = create_activity(sample_post(), blog_settings(), blog_ids());
    EXPECT_EQ(create["id"], "https://blog.example/posts/bonjour-le-monde/activity");
    EXPECT_EQ(create["type"], "Create");
    EXPECT_EQ(create["actor"], blog_ids().actor());
    EXPECT_EQ(create["published"], "2025-11-20T10:00:00Z");
    EXPECT_EQ(create["object"]["id"], "https://blog.example/posts/bonjour-le-monde");
    EXPECT_FALSE(create["object"].contains("@context"));
    EXPECT_EQ(create["@context"][0], activity_streams_context);
}

TEST(Create, IsAddressedLikeItsObject) {
    Json create = create_activity(sample_post(), blog_settings(), blog_ids());
    EXPECT_EQ(create["to"], create["object"]["to"]);
    EXPECT_EQ(create["cc"], create["object"]["cc"]);
    EXPECT_EQ(create["to"], Json::array({public_collection}));
}

TEST(Update, IdIsUniquePerRevisionAndHasNoFragment) {
    store::Post post = sample_post();
    Json update = update_activity(post, blog_settings(), blog_ids());
    EXPECT_EQ(update["id"], "https://blog.example/posts/bonjour-le-monde/activity/update-1763713800");
    EXPECT_EQ(update["published"], "2025-11-21T08:30:00Z");
    EXPECT_EQ(update["object"]["updated"], update["published"]);

    post.updated = 1763800000;
    EXPECT_EQ(update_activity(post, blog_settings(), blog_ids())["id"],
              "https://blog.example/posts/bonjour-le-monde/activity/update-1763800000");
}

TEST(Delete, EmbedsTheTombstone) {
    Json del = delete_activity(deleted_post(), blog_settings(), blog_ids());
    EXPECT_EQ(del["id"], "https://blog.example/posts/bonjour-le-monde/activity/delete");
    EXPECT_EQ(del["type"], "Delete");
    EXPECT_EQ(del["published"], "2025-12-01T12:00:00Z");
    EXPECT_EQ(del["object"], Json({{"id", "https://blog.example/posts/bonjour-le-monde"},
                                   {"type", "Tombstone"},
                                   {"formerType", "Article"},
                                   {"deleted", "2025-12-01T12:00:00Z"}}));
}

}  // namespace
}  // namespace fedblog::activitypub
