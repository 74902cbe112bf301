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

// The connection GETs read from: every commit of the writer, never its transaction in progress, no wait for it.
TEST(Database, AReaderSeesCommitsWithoutWaitingForTheWriter) {
    TempDir dir;
    Database writer(dir / "fedblog.db");
    Database reader(dir / "fedblog.db", Database::Access::read_only);
    set_meta(writer, "a", "1");
    EXPECT_EQ(get_meta(reader, "a"), "1");
    {
        WriteTransaction transaction(writer);  // the writer's lock and BEGIN IMMEDIATE, held on this thread
        set_meta(writer, "a", "2");
        EXPECT_EQ(get_meta(reader, "a"), "1");  // answered at once, from the last commit
        transaction.commit();
    }
    EXPECT_EQ(get_meta(reader, "a"), "2");
    EXPECT_THROW(set_meta(reader, "b", "1"), std::exception);  // query_only
    EXPECT_EQ(get_meta(writer, "b"), std::nullopt);
}

TEST(Database, AReaderOpensOnlyAFileItsWriterBroughtUpToDate) {
    TempDir dir;
    EXPECT_THROW(Database(dir / "missing.db", Database::Access::read_only), std::runtime_error);
    EXPECT_FALSE(std::filesystem::exists(dir / "missing.db"));
    {
        Database writer(dir / "old.db");
        writer.sqlite().exec("PRAGMA user_version = 9");
    }
    try {
        Database reader(dir / "old.db", Database::Access::read_only);
        ADD_FAILURE() << "a reader opened a file at schema 9";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("old.db"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("schema version 9"), std::string::npos) << e.what();
    }
}

// A statement left stepping keeps the reader's snapshot: it would go on reading the file as it was. The router
// resets such statements after each request.
TEST(Database, ResettingAStatementLeftSteppingLetsTheReaderSeeLaterCommits) {
    TempDir dir;
    Database writer(dir / "fedblog.db");
    Database reader(dir / "fedblog.db", Database::Access::read_only);
    set_meta(writer, "x", "1");
    set_meta(writer, "y", "1");
    SQLite::Statement left(reader.sqlite(), "SELECT key FROM meta");
    ASSERT_TRUE(left.executeStep());  // one row of two read: still stepping
    set_meta(writer, "a", "2");
    EXPECT_EQ(get_meta(reader, "a"), std::nullopt);  // the snapshot the leftover statement holds
    EXPECT_EQ(reader.reset_active_statements(), 1);
    EXPECT_EQ(get_meta(reader, "a"), "2");
    EXPECT_EQ(reader.reset_active_statements(), 0);
}

// Migration 9 rebuilds the comments table (its allowed values as comparisons): a database written at version 7
// keeps every comment, column and index, its threads' links, and its rules on allowed values.
TEST(Database, Migration9KeepsEveryCommentAndItsRules) {
    TempDir dir;
    const auto file = dir / "fedblog.db";
    const char* columns =
        "id, object_id, post_id, parent_id, actor_id, url, content_html, summary, sensitive, language, visibility, "
        "state, local, published, updated, deleted, received_at, attachments, held_reason, hidden_by_block, "
        "state_before_block, actor_host";
    auto rows = [&](SQLite::Database& db) {
        std::vector<std::string> out;
        SQLite::Statement query(db, std::string("SELECT ") + columns + " FROM comments ORDER BY id");
        while (query.executeStep()) {
            std::string row;
            for (int i = 0; i < query.getColumnCount(); ++i)
                row += (query.getColumn(i).isNull() ? std::string("NULL") : query.getColumn(i).getString()) + "|";
            out.push_back(row);
        }
        return out;
    };
    std::vector<std::string> before;
    {
        SQLite::Database db(file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        db.exec("PRAGMA foreign_keys = ON");
        const auto& steps = fedblog::store::migrations();
        for (int version = 1; version <= 7; ++version) db.exec(steps[version - 1]);
        db.exec("PRAGMA user_version = 7");
        db.exec("INSERT INTO posts (id, slug, source_path, source_hash, title, summary_html, content_html, language, "
                "tags_json, image_path, image_alt, published) VALUES (1, 'p', 'p.md', 'h', 'T', 's', 'c', 'fr', '[]', '', "
                "'', 100)");
        db.exec("INSERT INTO comments (id, object_id, post_id, parent_id, actor_id, url, content_html, summary, "
                "sensitive, language, visibility, state, local, published, received_at) VALUES "
                "(1, 'https://M.example:8443/n/1', 1, NULL, 'https://M.example:8443/u/a', 'https://m.example/@a/1', "
                "'<p>un</p>', NULL, 0, 'fr', 'public', 'approved', 0, 200, 201)");
        db.exec("INSERT INTO comments (id, object_id, post_id, parent_id, actor_id, url, content_html, summary, "
                "sensitive, language, visibility, state, local, published, updated, deleted, received_at, attachments, "
                "held_reason, hidden_by_block, state_before_block) VALUES "
                "(2, 'https://o.example/n/2', 1, 1, 'https://o.example/u/b', NULL, '', 'cw', 1, NULL, 'unlisted', "
                "'hidden', 0, 300, 310, 320, 301, '[{\"url\":\"https://o.example/a.png\"}]', 'spam', 4, 'held')");
        db.exec("INSERT INTO comments (id, object_id, post_id, parent_id, actor_id, content_html, visibility, state, "
                "local, published, received_at) VALUES (5, 'https://blog.example/comments/5', 1, 2, "
                "'https://blog.example/users/blog', '<p>réponse</p>', 'private', 'held', 1, 400, 401)");
        before = rows(db);
    }
    Database db(file);
    EXPECT_EQ(db.schema_version(), Database::latest_schema_version());
    EXPECT_EQ(rows(db.sqlite()), before);
    EXPECT_NE(before[0].find("|m.example:8443|"), std::string::npos);  // the derived host, still computed
    EXPECT_FALSE(db.sqlite().execAndGet("SELECT count(*) FROM sqlite_master WHERE name = 'comments_before_v9'").getInt());
    for (const char* index : {"comments_post", "comments_actor", "comments_host", "comments_hidden_by_block",
                              "comments_thread"}) {
        SQLite::Statement query(db.sqlite(), "SELECT tbl_name FROM sqlite_master WHERE type = 'index' AND name = ?");
        query.bind(1, index);
        ASSERT_TRUE(query.executeStep()) << index;
        EXPECT_EQ(query.getColumn(0).getString(), "comments") << index;
    }
    SQLite::Statement violations(db.sqlite(), "PRAGMA foreign_key_check");
    EXPECT_FALSE(violations.executeStep());
    // The same rules: values outside the lists, and replies to comments that do not exist, are refused.
    const std::string insert = "INSERT INTO comments (object_id, post_id, parent_id, actor_id, content_html, visibility, "
                               "state, published, received_at, state_before_block) VALUES ";
    EXPECT_THROW(db.sqlite().exec(insert + "('x1', 1, NULL, 'a', '', 'secret', 'held', 1, 1, NULL)"), SQLite::Exception);
    EXPECT_THROW(db.sqlite().exec(insert + "('x2', 1, NULL, 'a', '', 'public', 'spam', 1, 1, NULL)"), SQLite::Exception);
    EXPECT_THROW(db.sqlite().exec(insert + "('x3', 1, NULL, 'a', '', 'public', 'held', 1, 1, 'hidden')"), SQLite::Exception);
    EXPECT_THROW(db.sqlite().exec(insert + "('x4', 1, 99, 'a', '', 'public', 'held', 1, 1, NULL)"), SQLite::Exception);
    EXPECT_THROW(db.sqlite().exec(insert + "('https://o.example/n/2', 1, NULL, 'a', '', 'public', 'held', 1, 1, NULL)"),
                 SQLite::Exception);
    db.sqlite().exec(insert + "('x5', 1, 5, 'a', '', 'unlisted', 'approved', 1, 1, 'approved')");
    EXPECT_EQ(db.sqlite().execAndGet("SELECT count(*) FROM comments").getInt(), 4);
}
