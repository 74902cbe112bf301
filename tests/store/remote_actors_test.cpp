#include "store/remote_actors.hpp"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.hpp"

using namespace fedblog::store;

namespace {

RemoteActor alice(Timestamp fetched_at) {
    RemoteActor actor;
    actor.id = "https://m.example/users/alice";
    actor.inbox = "https://m.example/users/alice/inbox";
    actor.shared_inbox = "https://m.example/inbox";
    actor.handle = "alice@m.example";
    actor.display_name = "Alice 🚲";
    actor.key_id = "https://m.example/users/alice#main-key";
    actor.public_key_pem = "-----BEGIN PUBLIC KEY-----\n...\n-----END PUBLIC KEY-----\n";
    actor.fetched_at = fetched_at;
    return actor;
}

}  // namespace

TEST(RemoteActors, SaveFindAndRefresh) {
    fedblog::testing::TempDir dir;
    Database db(dir / "db");
    RemoteActors actors(db);
    EXPECT_FALSE(actors.find("https://m.example/users/alice"));
    actors.save(alice(100));
    auto found = actors.find_by_key_id("https://m.example/users/alice#main-key");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->display_name, "Alice 🚲");
    EXPECT_EQ(found->shared_inbox, "https://m.example/inbox");
    EXPECT_TRUE(found->icon_url.empty());
    RemoteActor renamed = alice(200);
    renamed.display_name = "Alice";
    actors.save(renamed);
    EXPECT_EQ(actors.find(renamed.id)->display_name, "Alice");
    EXPECT_EQ(actors.find(renamed.id)->fetched_at, 200);
}

TEST(RemoteActors, DeletedActorLosesItsKey) {
    fedblog::testing::TempDir dir;
    Database db(dir / "db");
    RemoteActors actors(db);
    actors.save(alice(100));
    actors.mark_deleted("https://m.example/users/alice", 300);
    EXPECT_FALSE(actors.find_by_key_id("https://m.example/users/alice#main-key"));
    auto found = actors.find("https://m.example/users/alice");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->deleted, 300);
    EXPECT_TRUE(found->public_key_pem.empty());
}
