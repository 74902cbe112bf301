#include "store/counts.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <random>

#include "store/followers.hpp"
#include "store/migrations.hpp"
#include "tests/support/temp_dir.hpp"

using namespace fedblog::store;

namespace {

Follower follower(int n, int host, bool accepted) {
    Follower f;
    f.actor_id = "https://h" + std::to_string(host) + ".example/users/u" + std::to_string(n);
    f.inbox = f.actor_id + "/inbox";
    f.shared_inbox = "https://h" + std::to_string(host) + ".example/inbox";
    f.follow_activity_id = f.actor_id + "/follows/" + std::to_string(n);
    f.accepted = accepted;
    f.created_at = 100 + n;
    return f;
}

// The truth the tally must match: a count of the rows themselves.
std::int64_t counted(Database& db) {
    return db.sqlite().execAndGet("SELECT count(*) FROM followers WHERE state = 'accepted'").getInt64();
}

}  // namespace

// Every way the store changes followers (a new follow, one held then accepted, a repeated Follow, removal, 410
// Gone for a shared inbox, and a statement written by hand, as a block does) keeps the tally equal to the count.
TEST(FollowerCount, MatchesTheRowsAfterEveryKindOfChange) {
    fedblog::testing::TempDir dir;
    Database db(dir / "db");
    Followers followers(db);
    auto expect_true = [&](std::int64_t expected, const char* step) {
        EXPECT_EQ(counted(db), expected) << step;
        EXPECT_EQ(follower_count(db), expected) << step;
        EXPECT_EQ(counts(db).followers, expected) << step;
    };
    expect_true(0, "empty");
    followers.save(follower(1, 1, true));
    expect_true(1, "accepted follow");
    followers.save(follower(2, 1, false));
    expect_true(1, "held follow");
    followers.save(follower(1, 1, false));
    expect_true(1, "repeated Follow of an accepted follower keeps it accepted");
    followers.accept(follower(2, 1, false).actor_id);
    expect_true(2, "held follow accepted");
    followers.accept(follower(2, 1, false).actor_id);
    expect_true(2, "accepted twice");
    followers.save(follower(3, 2, false));
    followers.save(follower(3, 2, true));
    expect_true(3, "held follow sent again, now accepted");
    EXPECT_TRUE(followers.remove(follower(3, 2, true).actor_id));
    expect_true(2, "removed");
    followers.save(follower(4, 2, false));
    EXPECT_TRUE(followers.remove(follower(4, 2, false).actor_id));
    expect_true(2, "held follow removed");
    EXPECT_EQ(followers.remove_by_inbox("https://h1.example/inbox"), 2);
    expect_true(0, "shared inbox gone");
    followers.save(follower(5, 3, true));
    followers.save(follower(6, 3, true));
    db.sqlite().exec("UPDATE followers SET state = 'pending' WHERE actor_id LIKE '%/u5'");
    expect_true(1, "set back to pending by hand");
    db.sqlite().exec("UPDATE followers SET inbox = inbox || '2', state = 'accepted'");
    expect_true(2, "an update of other columns, and of the state to what it is");
    db.sqlite().exec("DELETE FROM followers");
    expect_true(0, "all deleted by hand");
}

// A long random sequence of the same operations, checked after each step.
TEST(FollowerCount, StaysTrueThroughARandomSequence) {
    fedblog::testing::TempDir dir;
    Database db(dir / "db");
    Followers followers(db);
    std::mt19937 random(20261127);
    for (int step = 0; step < 600; ++step) {
        const int n = static_cast<int>(random() % 40), host = n % 5;
        switch (random() % 5) {
            case 0: followers.save(follower(n, host, true)); break;
            case 1: followers.save(follower(n, host, false)); break;
            case 2: followers.accept(follower(n, host, false).actor_id); break;
            case 3: followers.remove(follower(n, host, false).actor_id); break;
            case 4:
                if (random() % 8 == 0) followers.remove_by_inbox("https://h" + std::to_string(host) + ".example/inbox");
                break;
        }
        ASSERT_EQ(follower_count(db), counted(db)) << "step " << step;
    }
}

// A database from before the tally (schema 9) gets it counted from the followers it already has.
TEST(FollowerCount, MigrationCountsTheFollowersAlreadyThere) {
    fedblog::testing::TempDir dir;
    const auto file = dir / "fedblog.db";
    {
        SQLite::Database db(file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        const auto& steps = migrations();
        for (int version = 1; version <= 9; ++version) db.exec(steps[version - 1]);
        db.exec("PRAGMA user_version = 9");
        for (int n = 0; n < 5; ++n)
            db.exec("INSERT INTO followers (actor_id, inbox, state, follow_activity_id, created_at) VALUES ('https://m.example/u" +
                    std::to_string(n) + "', 'https://m.example/inbox', '" + (n < 3 ? "accepted" : "pending") +
                    "', 'f" + std::to_string(n) + "', 1)");
    }
    Database db(file);
    ASSERT_GE(db.schema_version(), 10);
    EXPECT_EQ(follower_count(db), 3);
    Followers(db).accept("https://m.example/u4");
    EXPECT_EQ(follower_count(db), 4);
    EXPECT_EQ(db.sqlite().execAndGet("SELECT count(*) FROM follower_tally").getInt(), 1);
    // The tally has one row, and cannot be given a second or go below zero by a stray statement.
    EXPECT_THROW(db.sqlite().exec("INSERT INTO follower_tally (id, accepted) VALUES (2, 0)"), SQLite::Exception);
    EXPECT_THROW(db.sqlite().exec("UPDATE follower_tally SET accepted = -1"), SQLite::Exception);
}
