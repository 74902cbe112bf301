// fedblog backup and restore: taken from a real `fedblog serve` while another process writes, restored into a
// fresh folder and served again with the same followers, comments, posts and key; bad archives refused.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/hex.hpp"
#include "keys/digest.hpp"
#include "keys/key_pair.hpp"
#include "server/backup.hpp"
#include "server/tar_archive.hpp"
#include "store/comments.hpp"
#include "store/followers.hpp"
#include "store/meta.hpp"
#include "store/posts.hpp"
#include "store/transaction.hpp"
#include "tests/support/serve_process.hpp"
#include "tests/support/temp_dir.hpp"

using namespace fedblog;
using namespace fedblog::testing;
namespace fs = std::filesystem;

namespace {

const std::string samples = std::string(FEDBLOG_SOURCE_DIR) + "/content";

store::Follower follower(int n) {
    store::Follower row;
    row.actor_id = "https://w" + std::to_string(n % 7) + ".example/users/reader" + std::to_string(n);
    row.inbox = row.actor_id + "/inbox";
    row.follow_activity_id = row.actor_id + "#follow";
    row.display_name = std::string(200, 'x');  // rows of some size, so the database spans many pages
    row.accepted = true;
    row.created_at = 1000 + n;
    return row;
}

// One follower and the meta counter that says how many there are, in one transaction: a copy that is a true
// snapshot always agrees with itself.
void add_follower(store::Database& db, int n) {
    store::WriteTransaction transaction(db);
    store::Followers(db).save(follower(n));
    store::set_meta(db, "test_followers", std::to_string(n + 1));
    transaction.commit();
}

int follower_count(store::Database& db) {
    return db.sqlite().execAndGet("SELECT count(*) FROM followers").getInt();
}

nlohmann::json get_json(ServeProcess& serve, const std::string& target) {
    auto reply = serve.client().get_activity(target);
    EXPECT_EQ(reply.result_int(), 200u) << target;
    return nlohmann::json::parse(reply.body(), nullptr, false);
}

Settings settings_for(const fs::path& data_dir, const std::string& public_url) {
    Settings settings;
    settings.data_dir = data_dir.string();
    settings.public_url = public_url;
    return settings;
}

}  // namespace

TEST(Backup, TakenWhileServingAndWritingRestoresIntoAServerWithTheSameBlog) {
    TempDir dir;
    const unsigned short port = free_loopback_port();
    const std::string public_url = "http://127.0.0.1:" + std::to_string(port);
    const std::vector<std::string> common = {"--content-dir", samples, "--public-url", public_url, "--log-level", "warn"};
    auto serve_args = [&](const fs::path& data) {
        std::vector<std::string> args = common;
        args.insert(args.end(), {"--data-dir", data.string()});
        return args;
    };
    ServeProcess original(port, serve_args(dir / "data"), dir / "serve.log");
    ASSERT_TRUE(original.up()) << original.log();

    // What the blog holds: followers and a comment, written by another process while serve runs.
    std::string comment_id = "https://m.example/users/alice/statuses/1";
    {
        store::Database db(dir / "data" / "fedblog.db");
        for (int n = 0; n < 600; ++n) add_follower(db, n);
        store::Comment comment;
        comment.object_id = comment_id;
        comment.post_id = store::Posts(db).find_by_slug("reparer-une-crevaison")->id;
        comment.actor_id = "https://m.example/users/alice";
        comment.content_html = "<p>Merci pour l'astuce !</p>";
        comment.published = comment.received_at = 1700000000;
        ASSERT_TRUE(store::Comments(db).insert(comment));
    }
    const nlohmann::json actor_before = get_json(original, "/users/blog");

    // The copy goes a few pages at a time while a writer commits followers and readers fetch pages.
    std::atomic<bool> stop{false};
    std::atomic<int> written{600};
    std::thread writer([&] {
        store::Database db(dir / "data" / "fedblog.db");
        // `written` counts committed followers only: the backup's snapshot is compared with it.
        while (!stop) {
            const int next = written;
            add_follower(db, next);
            written = next + 1;
        }
    });
    std::thread reader([&] {
        while (!stop) EXPECT_EQ(original.client().get("/posts/reparer-une-crevaison").result_int(), 200u);
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const int written_at_start = written;
    server::BackupResult result =
        server::backup(settings_for(dir / "data", public_url), dir / "blog.backup",
                       server::BackupOptions{.pages_per_step = 4, .pause = std::chrono::milliseconds(2)});
    const int written_at_end = written;
    stop = true;
    writer.join();
    reader.join();
    EXPECT_GT(result.steps, 10) << "the copy should have gone in many small steps";
    EXPECT_GT(written_at_end, written_at_start) << "the server's writers must not wait for the copy";
    EXPECT_EQ(fs::status(dir / "blog.backup").permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);

    // The command line does the same (and replaces the archive atomically).
    CommandOutput cli = run_fedblog_command("backup " + (dir / "cli.backup").string() + " --data-dir " +
                                            (dir / "data").string() + " --log-level warn");
    ASSERT_EQ(cli.status, 0) << cli.output;
    EXPECT_NE(cli.output.find("Backup written to"), std::string::npos) << cli.output;

    CommandOutput restored = run_fedblog_command("restore " + (dir / "blog.backup").string() + " --data-dir " +
                                                 (dir / "restored").string() + " --public-url " + public_url +
                                                 " --log-level warn");
    ASSERT_EQ(restored.status, 0) << restored.output;
    EXPECT_NE(restored.output.find("Restored"), std::string::npos) << restored.output;
    EXPECT_FALSE(fs::exists(dir / "restored" / "fedblog.db-wal"));

    int followers_in_copy = 0;
    {
        store::Database copy(dir / "restored" / "fedblog.db");
        followers_in_copy = follower_count(copy);
        // A snapshot: the counter and the rows were copied at the same instant.
        EXPECT_EQ(std::to_string(followers_in_copy), store::get_meta(copy, "test_followers").value_or(""));
        EXPECT_GE(followers_in_copy, written_at_start);
        EXPECT_LE(followers_in_copy, written_at_end);
        EXPECT_TRUE(store::Comments(copy).find_by_object_id(comment_id).has_value());
    }
    original.stop();

    // Served from the restored folder (on another port, same public_url): the same blog.
    const unsigned short port2 = free_loopback_port();
    ServeProcess again(port2, serve_args(dir / "restored"), dir / "serve2.log");
    ASSERT_TRUE(again.up()) << again.log();
    const nlohmann::json actor_after = get_json(again, "/users/blog");
    EXPECT_EQ(actor_after["publicKey"], actor_before["publicKey"]);
    EXPECT_EQ(get_json(again, "/users/blog/followers")["totalItems"], followers_in_copy);
    EXPECT_EQ(get_json(again, "/users/blog/outbox")["totalItems"], 3);
    auto thread = again.client().get("/api/posts/reparer-une-crevaison/comments");
    ASSERT_EQ(thread.result_int(), 200u);
    EXPECT_NE(thread.body().find(comment_id), std::string::npos) << thread.body();
    EXPECT_NE(thread.body().find("astuce"), std::string::npos) << thread.body();
}

class Restore : public ::testing::Test {
protected:
    Restore() {
        // A small real data folder: database and key, as serve leaves them.
        CommandOutput published = run_fedblog_command("publish --data-dir " + (dir / "data").string() +
                                                      " --content-dir " + samples + " --log-level warn");
        EXPECT_EQ(published.status, 0) << published.output;
        server::backup(settings_for(dir / "data", "http://localhost:8080"), archive);
    }

    // An archive made by hand from these entries (the manifest's checksums computed from them unless given).
    fs::path handmade(const std::string& name, const std::string& database, const std::string& key,
                      std::optional<nlohmann::json> manifest = std::nullopt, const std::string& extra = "") {
        if (!manifest) {
            manifest = {{"format", "fedblog-backup"},
                        {"version", 1},
                        {"public_url", "http://localhost:8080"},
                        {"files",
                         {{"fedblog.db", {{"bytes", database.size()}, {"sha256", hex_encode(keys::sha256(database))}}},
                          {"actor.key", {{"bytes", key.size()}, {"sha256", hex_encode(keys::sha256(key))}}}}}};
        }
        fs::path file = dir / name;
        server::TarWriter writer(file);
        writer.add_bytes("fedblog-backup.json", manifest->dump(), 0);
        writer.add_bytes("fedblog.db", database, 0);
        writer.add_bytes("actor.key", key, 0);
        if (!extra.empty()) writer.add_bytes(extra, "surprise", 0);
        writer.finish();
        return file;
    }

    std::string read(const fs::path& file) {
        std::ifstream in(file, std::ios::binary);
        std::stringstream text;
        text << in.rdbuf();
        return text.str();
    }

    // Restores into a fresh folder and returns the error; the folder must be left without a database or key.
    std::string refusal(const fs::path& file) {
        fs::path target = dir / ("target-" + std::to_string(++targets));
        try {
            server::restore(settings_for(target, "http://localhost:8080"), file, false);
        } catch (const std::exception& e) {
            EXPECT_FALSE(fs::exists(target / "fedblog.db"));
            EXPECT_FALSE(fs::exists(target / "actor.key"));
            return e.what();
        }
        ADD_FAILURE() << file << " was restored";
        return {};
    }

    TempDir dir;
    fs::path archive = dir / "good.backup";
    int targets = 0;
};

TEST_F(Restore, RefusesALiveOrNonEmptyFolderAndForceKeepsWhatItReplaces) {
    const fs::path target = dir / "occupied";
    fs::create_directories(target);
    {
        auto live = server::DataDirLock::try_acquire(target);  // what a running serve holds
        ASSERT_TRUE(live);
        try {
            server::restore(settings_for(target, "http://localhost:8080"), archive, true);
            ADD_FAILURE() << "restored under a live server";
        } catch (const std::exception& e) {
            EXPECT_NE(std::string(e.what()).find("stop it before restoring"), std::string::npos) << e.what();
        }
    }
    std::ofstream(target / "fedblog.db") << "the old database";
    std::ofstream(target / "fedblog.db-wal") << "its old WAL";
    try {
        server::restore(settings_for(target, "http://localhost:8080"), archive, false);
        ADD_FAILURE() << "restored over a non-empty folder without --force";
    } catch (const std::exception& e) {
        EXPECT_NE(std::string(e.what()).find("--force"), std::string::npos) << e.what();
    }
    EXPECT_EQ(read(target / "fedblog.db"), "the old database");

    server::RestoreResult forced = server::restore(settings_for(target, "http://localhost:8080"), archive, true);
    ASSERT_TRUE(forced.replaced);
    EXPECT_EQ(read(*forced.replaced / "fedblog.db"), "the old database");
    EXPECT_EQ(read(*forced.replaced / "fedblog.db-wal"), "its old WAL");
    EXPECT_FALSE(fs::exists(target / "fedblog.db-wal"));
    EXPECT_EQ(read(target / "actor.key"), read(dir / "data" / "actor.key"));
    store::Database restored(target / "fedblog.db");
    EXPECT_EQ(store::Posts(restored).all().size(), 3u);
}

TEST_F(Restore, NotesAnotherPublicUrl) {
    server::RestoreResult result = server::restore(settings_for(dir / "moved", "https://elsewhere.example"), archive, false);
    ASSERT_EQ(result.notes.size(), 1u);
    EXPECT_NE(result.notes[0].find("http://localhost:8080"), std::string::npos) << result.notes[0];
}

TEST_F(Restore, RefusesDamagedOrForeignArchivesAndTouchesNothing) {
    const std::string database = read(dir / "data" / "fedblog.db");
    const std::string key = read(dir / "data" / "actor.key");
    const std::string good = read(archive);

    // A flipped byte in the database's bytes: its checksum no longer matches.
    std::string flipped = good;
    flipped[good.size() / 2] ^= 0x40;
    std::ofstream(dir / "flipped.backup", std::ios::binary) << flipped;
    EXPECT_NE(refusal(dir / "flipped.backup").find("checksum"), std::string::npos);

    std::ofstream(dir / "truncated.backup", std::ios::binary) << good.substr(0, good.size() / 3);
    EXPECT_NE(refusal(dir / "truncated.backup").find("truncated"), std::string::npos);

    std::ofstream(dir / "not-tar.backup", std::ios::binary) << std::string(2048, 'z');
    EXPECT_NE(refusal(dir / "not-tar.backup").find("not a tar archive"), std::string::npos);

    EXPECT_NE(refusal(handmade("extra.backup", database, key, std::nullopt, "notes.txt")).find("unexpected entry"),
              std::string::npos);

    EXPECT_NE(refusal(handmade("badkey.backup", database, "-----BEGIN PRIVATE KEY-----\nnope\n")).find("actor.key"),
              std::string::npos);

    // Checksums that match a database whose pages are garbage: PRAGMA integrity_check (or the open) refuses it.
    std::string damaged = database;
    for (std::size_t i = 4096; i < damaged.size(); i += 7) damaged[i] = static_cast<char>(i * 31);
    std::string damaged_error = refusal(handmade("damaged.backup", damaged, key));
    EXPECT_FALSE(damaged_error.empty());

    std::string newer;
    {
        fs::copy_file(dir / "data" / "fedblog.db", dir / "newer.db");
        SQLite::Database db((dir / "newer.db").string(), SQLite::OPEN_READWRITE);
        db.exec("PRAGMA journal_mode = DELETE");
        db.exec("PRAGMA user_version = 999");
    }
    EXPECT_NE(refusal(handmade("newer.backup", read(dir / "newer.db"), key)).find("newer fedblog"), std::string::npos);

    nlohmann::json unknown = {{"format", "fedblog-backup"}, {"version", 7}};
    EXPECT_NE(refusal(handmade("v7.backup", database, key, unknown)).find("does not know"), std::string::npos);
}

TEST(Backup, RefusesAFolderWithoutADatabaseAndLeavesNoFile) {
    TempDir dir;
    fs::create_directories(dir / "empty");
    Settings settings;
    settings.data_dir = (dir / "empty").string();
    EXPECT_THROW(server::backup(settings, dir / "x.backup"), std::runtime_error);
    EXPECT_FALSE(fs::exists(dir / "x.backup"));
    EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1);
}
