#include "store/followers.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include "store/counts.hpp"
#include "tests/support/query_plan.hpp"
#include "tests/support/temp_dir.hpp"

using namespace fedblog::store;

namespace {

Follower follower(std::string name, std::string host, bool shared, bool accepted, Timestamp at) {
    Follower f;
    f.actor_id = "https://" + host + "/users/" + name;
    f.inbox = f.actor_id + "/inbox";
    if (shared) f.shared_inbox = "https://" + host + "/inbox";
    f.handle = name + "@" + host;
    f.display_name = name;
    f.follow_activity_id = "https://" + host + "/follows/" + name;
    f.accepted = accepted;
    f.created_at = at;
    return f;
}

}  // namespace

TEST(Followers, SaveAcceptRemoveAndCount) {
    fedblog::testing::TempDir dir;
    Database db(dir / "db");
    Followers followers(db);
    followers.save(follower("alice", "m.example", true, true, 100));
    followers.save(follower("bob", "m.example", true, false, 200));
    EXPECT_EQ(counts(db).followers, 1);
    EXPECT_EQ(follower_count(db), 1);
    ASSERT_EQ(followers.pending().size(), 1u);
    EXPECT_EQ(followers.pending()[0].handle, "bob@m.example");
    followers.accept("https://m.example/users/bob");
    EXPECT_EQ(followers.accepted().size(), 2u);
    EXPECT_EQ(follower_ids(db, 0, 10),
              (std::vector<std::string>{"https://m.example/users/alice", "https://m.example/users/bob"}));
    EXPECT_TRUE(followers.remove("https://m.example/users/alice"));
    EXPECT_FALSE(followers.remove("https://m.example/users/alice"));
    EXPECT_EQ(counts(db).followers, 1);
    EXPECT_EQ(follower_count(db), 1);
}

TEST(Followers, ARepeatedFollowKeepsAnAcceptedFollowerAccepted) {
    fedblog::testing::TempDir dir;
    Database db(dir / "db");
    Followers followers(db);
    followers.save(follower("alice", "m.example", false, true, 100));
    Follower again = follower("alice", "m.example", true, false, 300);
    again.follow_activity_id = "https://m.example/follows/alice-2";
    followers.save(again);
    auto found = followers.find("https://m.example/users/alice");
    ASSERT_TRUE(found);
    EXPECT_TRUE(found->accepted);
    EXPECT_EQ(found->follow_activity_id, "https://m.example/follows/alice-2");
    EXPECT_EQ(found->shared_inbox, "https://m.example/inbox");
    EXPECT_EQ(found->created_at, 100);
}

TEST(Followers, DeliveryGoesToEachSharedInboxOnce) {
    fedblog::testing::TempDir dir;
    Database db(dir / "db");
    Followers followers(db);
    for (int i = 0; i < 5; ++i) followers.save(follower("u" + std::to_string(i), "big.example", true, true, i));
    followers.save(follower("solo", "small.example", false, true, 10));
    followers.save(follower("waiting", "other.example", false, false, 11));
    EXPECT_EQ(followers.delivery_inboxes(),
              (std::vector<std::string>{"https://big.example/inbox", "https://small.example/users/solo/inbox"}));
}

TEST(SeenActivities, ARepeatIsRecognizedUntilForgotten) {
    fedblog::testing::TempDir dir;
    Database db(dir / "db");
    SeenActivities seen(db);
    EXPECT_TRUE(seen.first_sighting("https://m.example/activities/1", 100));
    EXPECT_FALSE(seen.first_sighting("https://m.example/activities/1", 150));
    EXPECT_TRUE(seen.first_sighting("https://m.example/activities/2", 200));
    EXPECT_EQ(seen.forget_before(150), 1);
    EXPECT_TRUE(seen.first_sighting("https://m.example/activities/1", 300));
}

// The followers collection is read page by page during a fan-out: its count and its pages must not scan
// every follower.
TEST(Followers, TheCollectionsQueriesReadAnIndex) {
    fedblog::testing::TempDir dir;
    Database db(dir / "db");
    for (const char* sql : {"SELECT count(*) FROM followers WHERE state = 'accepted'",
                            "SELECT actor_id FROM followers WHERE state = 'accepted' ORDER BY created_at, id "
                            "LIMIT 10 OFFSET 20"}) {
        const std::string steps = fedblog::testing::query_plan(db.sqlite(), sql);
        EXPECT_NE(steps.find("INDEX followers_state"), std::string::npos) << sql << "\n" << steps;
        EXPECT_EQ(steps.find("TEMP B-TREE"), std::string::npos) << sql << "\n" << steps;
    }
}
