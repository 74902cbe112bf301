#include "store/database.hpp"

#include <gtest/gtest.h>

#include "store/meta.hpp"
#include "store/migrations.hpp"
#include "store/transaction.hpp"
#include "tests/support/temp_dir.hpp"

using fedblog::store::Database;
using fedblog::store::get_meta;
using fedblog::store::set_meta;
using fedblog::store::WriteTransaction;
using fedblog::testing::TempDir;

TEST(Database, CreatesSchemaAtLatestVersionInWalMode) {
    TempDir dir;
    Database db(dir / "fedblog.db");
    EXPECT_EQ(db.schema_version(), Database::latest_schema_version());
    EXPECT_EQ(db.sqlite().execAndGet("PRAGMA journal_mode").getString(), "wal");
    for (const char* table : {"posts", "post_revisions", "followers", "comments", "reactions", "remote_actors",
                              "deliveries", "seen_activities"}) {
        SQLite::Statement query(db.sqlite(), "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?");
        query.bind(1, table);
        ASSERT_TRUE(query.executeStep());
        EXPECT_EQ(query.getColumn(0).getInt(), 1) << table;
    }
}

TEST(Database, ReopeningKeepsDataAndDoesNotRemigrate) {
    TempDir dir;
    {
        Database db(dir / "fedblog.db");
        db.sqlite().exec("INSERT INTO seen_activities (id, seen_at) VALUES ('https://a.example/1', 1)");
    }
    Database again(dir / "fedblog.db");
    EXPECT_EQ(again.sqlite().execAndGet("SELECT count(*) FROM seen_activities").getInt(), 1);
}

TEST(Database, RefusesASchemaNewerThanItKnows) {
    TempDir dir;
    {
        Database db(dir / "fedblog.db");
        db.sqlite().exec("PRAGMA user_version = 999");
    }
    try {
        Database again(dir / "fedblog.db");
        FAIL() << "opened a database from the future";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("newer"), std::string::npos) << e.what();
    }
}

TEST(Database, NamesTheFileWhenItCannotOpen) {
    TempDir dir;
    try {
        Database db(dir / "missing-folder" / "fedblog.db");
        FAIL() << "opened a file in a folder that does not exist";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("missing-folder"), std::string::npos) << e.what();
    }
}

TEST(Database, PreparedStatementsAreReused) {
    TempDir dir;
    Database db(dir / "fedblog.db");
    static const char* sql = "SELECT count(*) FROM posts";
    SQLite::Statement* first = &db.prepared(sql);
    SQLite::Statement* second = &db.prepared(sql);
    EXPECT_EQ(first, second);
}

// Two processes share the file (serve, and publish or a followers command): a lookup in one must not leave a
// read snapshot open that makes its next write fail as busy once the other has written.
TEST(Database, ALookupLeavesNoSnapshotBehindForAnotherWriter) {
    TempDir dir;
    Database serve(dir / "fedblog.db");
    Database publish(dir / "fedblog.db");
    set_meta(serve, "a", "1");
    ASSERT_EQ(get_meta(publish, "a"), "1");  // a one-row lookup in the second connection
    set_meta(serve, "b", "2");               // the first writes meanwhile
    WriteTransaction transaction(publish);   // BEGIN IMMEDIATE: fails if the lookup's snapshot is still open
    set_meta(publish, "c", "3");
    transaction.commit();
    EXPECT_EQ(get_meta(serve, "c"), "3");
    EXPECT_EQ(get_meta(publish, "b"), "2");
}
