#include "store/checkpointer.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "store/database.hpp"
#include "store/meta.hpp"
#include "tests/support/temp_dir.hpp"

using namespace fedblog::store;

namespace {

std::uintmax_t size_or_zero(const std::filesystem::path& file) {
    std::error_code ignored;
    auto size = std::filesystem::file_size(file, ignored);
    return ignored ? 0 : size;
}

// One commit per row, each writing a few pages of WAL: without checkpoints, 6,000 of them leave > 40 MB.
void write_rows(Database& db, int rows) {
    const std::string value(3000, 'x');
    for (int i = 0; i < rows; ++i) set_meta(db, "row" + std::to_string(i), value + std::to_string(i));
}

}  // namespace

TEST(Checkpointer, CheckpointsOnItsOwnThreadAndBoundsTheWal) {
    fedblog::testing::TempDir dir;
    const auto file = dir / "fedblog.db";
    Database db(file);
    write_rows(db, 6000);
    for (int i = 0; i < 500 && db.checkpointer().runs() == 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_GT(db.checkpointer().runs(), 0);
    // Commits this close together outrun the thread: the committer then checkpoints inline, so the WAL is copied
    // back and reused from its start (4,000 pages of 4 KB at most, and one commit more), not left to grow.
    EXPECT_GT(db.checkpointer().inline_runs(), 0);
    auto wal = file;
    wal += "-wal";
    EXPECT_LT(size_or_zero(wal), 17u << 20) << "WAL of " << size_or_zero(wal) << " bytes";
    EXPECT_EQ(get_meta(db, "row5999"), std::string(3000, 'x') + "5999");
}

TEST(Checkpointer, EveryCommitIsThereAfterReopeningAndTheWalIsGone) {
    fedblog::testing::TempDir dir;
    const auto file = dir / "fedblog.db";
    {
        Database db(file);
        write_rows(db, 1500);
    }  // closing mid-way through a checkpoint's wait must neither hang nor lose anything
    auto wal = file;
    wal += "-wal";
    EXPECT_EQ(size_or_zero(wal), 0u);  // the last connection to close copied it back
    Database db(file);
    for (int i : {0, 777, 1499}) EXPECT_EQ(get_meta(db, "row" + std::to_string(i)), std::string(3000, 'x') + std::to_string(i));
}

TEST(Checkpointer, RefusesAFileItCannotOpen) {
    fedblog::testing::TempDir dir;
    EXPECT_THROW(Checkpointer(nullptr, dir / "missing" / "fedblog.db", 1000), std::runtime_error);
}
