// Every document fedblog serves, built from fixed inputs and compared with tests/golden/*.json.
// Regenerate on purpose with FEDBLOG_UPDATE_GOLDEN=1, then review the diff against mastodon.md.
#include <gtest/gtest.h>

#include "activitypub/activities.hpp"
#include "activitypub/actor.hpp"
#include "activitypub/article.hpp"
#include "activitypub/collections.hpp"
#include "activitypub/follow_activities.hpp"
#include "activitypub/nodeinfo.hpp"
#include "activitypub/webfinger.hpp"
#include "support.hpp"

namespace fedblog::activitypub {
namespace {

using namespace testing;

TEST(Golden, Actor) {
    expect_golden(actor_document(blog_settings(), blog_ids(), public_key_pem, actor_published), "actor");
}

TEST(Golden, Article) { expect_golden(article_object(sample_post(), blog_settings(), blog_ids()), "article"); }

TEST(Golden, Note) {
    Settings settings = blog_settings();
    settings.object_type = ObjectType::note;
    expect_golden(article_object(sample_post(), settings, blog_ids()), "note");
}

TEST(Golden, Create) { expect_golden(create_activity(sample_post(), blog_settings(), blog_ids()), "create"); }

TEST(Golden, Update) { expect_golden(update_activity(sample_post(), blog_settings(), blog_ids()), "update"); }

TEST(Golden, Tombstone) { expect_golden(tombstone(deleted_post(), blog_settings(), blog_ids()), "tombstone"); }

TEST(Golden, Delete) { expect_golden(delete_activity(deleted_post(), blog_settings(), blog_ids()), "delete"); }

TEST(Golden, OutboxOf25Posts) {
    auto posts = numbered_posts(25);
    expect_golden(outbox(posts.size(), blog_ids()), "outbox");
    auto first = outbox_page(pointers(posts), 1, blog_settings(), blog_ids());
    auto last = outbox_page(pointers(posts), 2, blog_settings(), blog_ids());
    ASSERT_TRUE(first && last);
    expect_golden(*first, "outbox_page_1");
    expect_golden(*last, "outbox_page_2");
}

TEST(Golden, Followers) {
    expect_golden(followers(2, blog_ids()), "followers");
    auto page = followers_page(1, {"https://m.example/users/alice", "https://m.example/users/bob"}, 2, blog_ids());
    ASSERT_TRUE(page);
    expect_golden(*page, "followers_page_1");
}

// The Follow as Mastodon sends it (docs/mastodon.md, example payloads).
Json mastodon_follow() {
    return Json::parse(R"({"@context":"https://www.w3.org/ns/activitystreams",)"
                       R"("id":"https://m.example/0b5c8a7e-1f2d-4c3b-9a8e-7d6c5b4a3f21","type":"Follow",)"
                       R"("actor":"https://m.example/users/alice","object":"https://blog.example/users/blog"})");
}

TEST(Golden, AcceptOfAFollow) { expect_golden(accept_follow(mastodon_follow(), blog_ids()), "accept"); }

TEST(Golden, RejectOfAFollow) { expect_golden(reject_follow(mastodon_follow(), blog_ids()), "reject"); }

TEST(Golden, UpdateOfTheActor) {
    auto actor = actor_document(blog_settings(), blog_ids(), public_key_pem, actor_published);
    expect_golden(actor_update(actor, blog_ids(), 1790000000), "actor_update");
}

TEST(Golden, Following) { expect_golden(following(blog_ids()), "following"); }

TEST(Golden, Replies) {
    expect_golden(replies_collection("bonjour-le-monde", {"https://m.example/users/alice/statuses/1"}, blog_ids()),
                  "replies");
}

TEST(Golden, WebfingerJrd) {
    auto answer = webfinger("resource=acct%3Ablog%40blog.example", blog_ids());
    ASSERT_EQ(answer.status, LookupStatus::ok);
    expect_golden(answer.jrd, "webfinger");
}

TEST(Golden, NodeinfoLinks) { expect_golden(nodeinfo_links(blog_ids()), "nodeinfo_links"); }

TEST(Golden, Nodeinfo) {
    Json document = nodeinfo_2_1(blog_settings(), NodeUsage{.local_posts = 25, .local_comments = 0});
    document["software"]["version"] = "VERSION";  // a release must not invalidate the golden file
    expect_golden(document, "nodeinfo");
}

}  // namespace
}  // namespace fedblog::activitypub
