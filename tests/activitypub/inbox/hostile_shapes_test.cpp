// Fields of the wrong JSON type, as fuzz/activity_fuzz sent them: each is read as absent, never thrown (an
// exception out of the inbox is a 500 for the sender and a lost activity).
#include <gtest/gtest.h>

#include "activitypub/inbox/follows.hpp"
#include "activitypub/inbox/replies.hpp"
#include "store/comments.hpp"
#include "store/followers.hpp"
#include "store/remote_actors.hpp"
#include "store/transaction.hpp"
#include "support.hpp"

namespace fedblog::activitypub::inbox::testing {
namespace {

class HostileShapes : public InboxStoreTest {};

TEST_F(HostileShapes, ASensitiveFlagThatIsNotABooleanIsIgnored) {
    store::WriteTransaction transaction(db);
    auto outcome = receive_reply(db, ids, reply("https://m.example/users/alice", "<p>a</p>", {{"sensitive", "as:sensitive"}}), 2000);
    EXPECT_EQ(outcome.status, 202u) << outcome.detail;
    auto flagged = receive_reply(db, ids,
                                 reply("https://m.example/users/alice", "<p>b</p>", {{"sensitive", 1}, {"summary", "CW"}}), 2001);
    EXPECT_EQ(flagged.status, 202u) << flagged.detail;
    transaction.commit();
    auto comments = store::Comments(db).for_post(post_id);
    ASSERT_EQ(comments.size(), 2u);
    EXPECT_FALSE(comments[0].sensitive);
    EXPECT_TRUE(comments[1].sensitive);  // by its content warning
}

TEST_F(HostileShapes, AFetchedReplyWhoseTypeIsAListIsIgnored) {
    Json note = {{"id", "https://m.example/users/alice/statuses/1"},
                 {"type", Json::array({"Note"})},
                 {"attributedTo", "https://m.example/users/alice"},
                 {"inReplyTo", ids.post("bonjour")},
                 {"content", "<p>a</p>"}};
    store::WriteTransaction transaction(db);
    EXPECT_EQ(import_reply(db, ids, note, 2000).result, "ignored");
    note["type"] = 7;
    EXPECT_EQ(import_reply(db, ids, note, 2000).result, "ignored");
}

TEST_F(HostileShapes, AFollowWhoseIdIsAnObjectKeepsThatId) {
    store::RemoteActor actor;
    actor.id = "https://m.example/users/alice";
    actor.inbox = actor.id + "/inbox";
    store::RemoteActors(db).save(actor);
    Json follow = {{"id", {{"id", "https://m.example/follows/1"}}},
                   {"type", "Follow"},
                   {"actor", actor.id},
                   {"object", ids.actor()}};
    store::WriteTransaction transaction(db);
    EXPECT_TRUE(receive_follow(db, ids, follow, actor, false, 2000));
    transaction.commit();
    auto follower = store::Followers(db).find(actor.id);
    ASSERT_TRUE(follower);
    EXPECT_EQ(follower->follow_activity_id, "https://m.example/follows/1");
}

}  // namespace
}  // namespace fedblog::activitypub::inbox::testing
