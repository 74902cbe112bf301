#pragma once
// Copies the WAL back into the database file on a thread and connection of its own. SQLite's automatic
// checkpoint runs inside the COMMIT that crosses the threshold, on the committing thread, under the database
// lock: two fdatasyncs (1-6 ms each here) during which every other caller waits — in a fan-out, the delivery
// engine could start no job and record no answer. Commits in WAL mode with synchronous = NORMAL do not sync,
// so with the checkpoint moved here no caller waits on the disk.
// A PASSIVE checkpoint cannot finish while commits keep coming (each adds frames it did not copy), and the WAL
// starts over only once everything is copied, so under sustained writes the WAL grows; past four times the
// threshold the committing connection checkpoints inline, as SQLite would have, which bounds it (~16 MB).
#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

namespace fedblog::store {

class Checkpointer {
public:
    // Watches `watched` (whose automatic checkpoint it replaces) and checkpoints `file` through a connection of
    // its own once the WAL holds `threshold_pages` or more.
    Checkpointer(sqlite3* watched, const std::filesystem::path& file, int threshold_pages);
    ~Checkpointer();
    Checkpointer(const Checkpointer&) = delete;
    Checkpointer& operator=(const Checkpointer&) = delete;

    // Checkpoints completed so far on the thread, and by a committing thread because the WAL outgrew the bound.
    long runs() const { return runs_.load(); }
    long inline_runs() const { return inline_runs_.load(); }

private:
    static int on_commit(void* self, sqlite3* connection, const char* schema, int wal_pages);
    void run();

    sqlite3* watched_;
    sqlite3* own_ = nullptr;
    const int threshold_pages_;
    std::mutex mutex_;  // guards requested_ and stopping_
    std::condition_variable wanted_;
    std::mutex checkpointing_;  // held around each checkpoint: the thread's and an inline one take turns
    bool requested_ = false;
    bool stopping_ = false;
    std::atomic<long> runs_{0};
    std::atomic<long> inline_runs_{0};
    std::thread thread_;
};

}  // namespace fedblog::store
