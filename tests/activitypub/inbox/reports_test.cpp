// Flag activities as Mastodon sends them (from the reporter's instance actor, `object` a list of the reported
// account and statuses, `content` the reason): kept when they concern this blog.
#include "activitypub/inbox/reports.hpp"

#include "store/comments.hpp"
#include "store/reports.hpp"
#include "tests/activitypub/inbox/support.hpp"

using namespace fedblog;
using namespace fedblog::activitypub;
using namespace fedblog::activitypub::inbox;

namespace {

class ReportsTest : public inbox::testing::InboxStoreTest {
protected:
    IncomingActivity flag(const std::string& id, Json objects, Json content = "Spam") {
        return activity({{"id", id}, {"type", "Flag"}, {"actor", "https://m.example/actor"}, {"object", objects},
                         {"content", content}});
    }
};

TEST_F(ReportsTest, AReportAboutTheBlogItsPostsOrItsCommentsIsKept) {
    follows("https://x.example/users/bob");
    auto note = reply("https://x.example/users/bob", "<p>Achetez ici.</p>");
    receive_reply(db, ids, note, 1000);
    const Json objects = {ids.actor(), ids.post("bonjour"), note.object_id, "https://elsewhere.example/statuses/9"};
    auto outcome = receive_flag(db, ids, flag("https://m.example/reports/1", objects, "Publicité ✉️"), 2000);
    EXPECT_EQ(outcome.result, "report_received");
    auto kept = store::Reports(db).list("open", 10);
    ASSERT_EQ(kept.size(), 1u);
    EXPECT_EQ(kept[0].actor_id, "https://m.example/actor");
    EXPECT_EQ(kept[0].content, "Publicité ✉️");
    EXPECT_EQ(kept[0].received_at, 2000);
    ASSERT_EQ(kept[0].objects.size(), 4u);
    EXPECT_EQ(reported_object(db, ids, kept[0].objects[0]).kind, "account");
    auto post = reported_object(db, ids, kept[0].objects[1]);
    EXPECT_EQ(post.kind, "post");
    EXPECT_EQ(post.slug, "bonjour");
    auto comment = reported_object(db, ids, kept[0].objects[2]);
    EXPECT_EQ(comment.kind, "comment");
    EXPECT_EQ(comment.comment_id, store::Comments(db).find_by_object_id(note.object_id)->id);
    EXPECT_EQ(reported_object(db, ids, kept[0].objects[3]).kind, "unknown");

    EXPECT_EQ(receive_flag(db, ids, flag("https://m.example/reports/1", objects), 2001).result, "ignored");
    EXPECT_EQ(store::Reports(db).list("", 10).size(), 1u);
}

TEST_F(ReportsTest, AReportAboutNothingHereIsNotKept) {
    auto outcome = receive_flag(db, ids, flag("https://m.example/reports/2", "https://elsewhere.example/users/x"), 2000);
    EXPECT_EQ(outcome.result, "ignored");
    EXPECT_EQ(receive_flag(db, ids, flag("https://m.example/reports/3", ids.post("nowhere")), 2000).result, "ignored");
    EXPECT_TRUE(store::Reports(db).list("", 10).empty());
}

TEST_F(ReportsTest, ASingleObjectAndHostileFieldsAreReadSafely) {
    // One object given as a string, a reason that is not a string, and a flood of ids.
    auto outcome = receive_flag(db, ids, flag("https://m.example/reports/4", ids.actor(), Json::object()), 2000);
    EXPECT_EQ(outcome.result, "report_received");
    Json many = Json::array();
    for (int i = 0; i < 500; ++i) many.push_back("https://m.example/statuses/" + std::to_string(i));
    many.push_back(ids.actor());
    many.push_back(42);
    receive_flag(db, ids, flag("https://m.example/reports/5", many, std::string(20000, 'x')), 2000);
    auto kept = store::Reports(db).list("", 10);
    ASSERT_EQ(kept.size(), 1u);  // the flood's 50 first ids are not ours: not kept
    receive_flag(db, ids, flag("https://m.example/reports/6", Json::array({ids.actor()}), std::string(20000, 'x')), 2000);
    auto long_reason = store::Reports(db).list("", 10).front();
    EXPECT_EQ(long_reason.content.size(), 8u * 1024);
}

}  // namespace
