// The inbox's group commit on a real SQLite file: activities queued together share one transaction, each in
// its own savepoint; one that fails takes only itself back; every waiting request resumes after the commit,
// when a second connection already sees its write.
#include "activitypub/inbox/group_writer.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "store/database.hpp"
#include "store/followers.hpp"
#include "tests/support/temp_dir.hpp"

using namespace fedblog;
using fedblog::activitypub::inbox::GroupWriter;
namespace asio = boost::asio;

namespace {

bool seen(store::Database& db, const std::string& id) {
    std::lock_guard lock(db.mutex());
    SQLite::Statement query(db.sqlite(), "SELECT 1 FROM seen_activities WHERE id = ?");
    query.bind(1, id);
    return query.executeStep();
}

TEST(GroupWriter, OneFailingActivityRollsBackAloneAndTheOthersAreOnDiskWhenAnswered) {
    fedblog::testing::TempDir dir;
    store::Database db(dir / "db");
    store::Database other(dir / "db");  // another connection: sees only what is committed
    std::atomic<int> wakes{0};
    std::optional<GroupWriter> writer;
    writer.emplace(db, [&wakes] { ++wakes; });

    constexpr int count = 40, bad = 17;
    std::promise<void> all_queued;
    std::shared_future<void> release = all_queued.get_future().share();
    std::vector<std::string> outcomes(count);
    asio::io_context io;
    for (int i = 0; i < count; ++i)
        asio::co_spawn(
            io,
            [&, i]() -> asio::awaitable<void> {
                const std::string id = "https://m.example/activities/" + std::to_string(i);
                // Named, not a temporary of the co_await expression (GCC 12 destroys those twice).
                std::function<int(bool&)> work = [&, i, id](bool& queued) {
                    if (i == 0) release.wait();  // holds the first group until every other one is queued
                    store::SeenActivities(db).first_sighting(id, 1000);
                    queued = i % 10 == 5;
                    // A CHECK constraint fails in SQLite itself, after this activity's first write.
                    if (i == bad) db.sqlite().exec("INSERT INTO blocks (kind, target, created_at) VALUES ('x', 'y', 0)");
                    return i;
                };
                std::string outcome;
                try {
                    int result = co_await writer->write<int>(std::move(work));
                    outcome = result == i && seen(other, id) ? "committed" : "answered before its commit";
                } catch (const SQLite::Exception&) {
                    outcome = "failed";
                }
                outcomes[static_cast<std::size_t>(i)] = outcome;
            },
            asio::detached);
    io.poll();  // every coroutine runs up to its write and waits there
    all_queued.set_value();
    io.run();

    for (int i = 0; i < count; ++i)
        EXPECT_EQ(outcomes[static_cast<std::size_t>(i)], i == bad ? "failed" : "committed") << i;
    EXPECT_FALSE(seen(other, "https://m.example/activities/" + std::to_string(bad)));
    // The first activity alone (or with a few), then everything queued behind it: a handful of commits, not 40.
    EXPECT_LE(writer->groups_committed(), 3u);
    EXPECT_EQ(writer->activities_written(), static_cast<std::size_t>(count));
    EXPECT_GE(wakes.load(), 1);
    EXPECT_LE(static_cast<std::size_t>(wakes.load()), writer->groups_committed());
    writer.reset();
}

TEST(GroupWriter, WhatIsQueuedAtShutdownIsStillWrittenAndAnswered) {
    fedblog::testing::TempDir dir;
    store::Database db(dir / "db");
    std::atomic<int> done{0};
    std::optional<GroupWriter> writer;
    writer.emplace(db, std::function<void()>{});
    asio::io_context io;
    for (int i = 0; i < 10; ++i)
        asio::co_spawn(
            io,
            [&, i]() -> asio::awaitable<void> {
                std::function<bool(bool&)> work = [&db, i](bool&) {
                    return store::SeenActivities(db).first_sighting("https://m.example/a/" + std::to_string(i), 1);
                };
                bool first = co_await writer->write<bool>(std::move(work));
                if (first) ++done;
            },
            asio::detached);
    io.poll();       // all ten queued
    writer.reset();  // stops: writes them first
    io.run();        // then each request gets its answer
    EXPECT_EQ(done.load(), 10);
    for (int i = 0; i < 10; ++i) EXPECT_TRUE(seen(db, "https://m.example/a/" + std::to_string(i)));
}


// Under load the group waits for activities announced with expect() (admitted, still being verified) while
// fewer are queued than are still on their way: they share its commit. Once it holds as many as are still
// coming, it is written, so that those are verified meanwhile rather than all requests waiting on one commit.
// Nothing announced, a lone activity is written at once.
TEST(GroupWriter, AGroupWaitsForAnnouncedActivitiesUntilItHoldsHalfAndALoneOneIsNotDelayed) {
    fedblog::testing::TempDir dir;
    store::Database db(dir / "db");
    std::optional<GroupWriter> writer;
    // A generous bound, so that on a busy machine the group does not give up on the late ones.
    writer.emplace(db, std::function<void()>{}, 256, std::chrono::seconds(5));
    asio::io_context io;
    auto write_one = [&](std::string id, std::optional<GroupWriter::Expected> expected) -> asio::awaitable<void> {
        std::function<bool(bool&)> work = [&db, id](bool&) { return store::SeenActivities(db).first_sighting(id, 1); };
        co_await writer->write<bool>(std::move(work), expected ? &*expected : nullptr);
    };

    // A lone activity: written at once, far sooner than the bound.
    auto started = std::chrono::steady_clock::now();
    asio::co_spawn(io, write_one("https://m.example/a/lone", std::nullopt), asio::detached);
    io.run();
    io.restart();
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1));
    EXPECT_EQ(writer->groups_committed(), 1u);

    // Ten announced and one more that will end without writing (refused, say): five queued one by one, while
    // six are still on their way, make no group yet.
    std::vector<GroupWriter::Expected> announced;
    for (int i = 0; i < 10; ++i) announced.push_back(writer->expect());
    auto dropped = writer->expect();
    for (int i = 0; i < 5; ++i) {
        asio::co_spawn(io, write_one("https://m.example/a/" + std::to_string(i), std::move(announced[i])),
                       asio::detached);
        io.poll();  // queued now
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    EXPECT_EQ(writer->groups_committed(), 1u);
    // The dropped one gone, the five queued are as many as the five still coming: written at once, together,
    // without waiting for the others (io.run() returns once those five are answered).
    started = std::chrono::steady_clock::now();
    dropped.release();
    io.run();
    io.restart();
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1));
    EXPECT_EQ(writer->groups_committed(), 2u);
    EXPECT_EQ(writer->activities_written(), 6u);
    for (int i = 0; i < 5; ++i) EXPECT_TRUE(seen(db, "https://m.example/a/" + std::to_string(i)));

    // The other five, and one unannounced: all written and answered.
    for (int i = 5; i < 10; ++i)
        asio::co_spawn(io, write_one("https://m.example/a/" + std::to_string(i), std::move(announced[i])),
                       asio::detached);
    asio::co_spawn(io, write_one("https://m.example/a/last", std::nullopt), asio::detached);
    io.run();
    EXPECT_EQ(writer->activities_written(), 12u);
    for (int i = 5; i < 10; ++i) EXPECT_TRUE(seen(db, "https://m.example/a/" + std::to_string(i)));
    writer.reset();
}

}  // namespace
