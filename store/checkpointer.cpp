#include "store/checkpointer.hpp"

#include <stdexcept>
#include <string>

#include "common/log.hpp"

namespace fedblog::store {

Checkpointer::Checkpointer(sqlite3* watched, const std::filesystem::path& file, int threshold_pages)
    : watched_(watched), threshold_pages_(threshold_pages) {
    // NOMUTEX: only this object's thread uses the connection.
    if (sqlite3_open_v2(file.c_str(), &own_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
        std::string reason = own_ ? sqlite3_errmsg(own_) : "out of memory";
        sqlite3_close(own_);
        throw std::runtime_error("cannot open a checkpoint connection to " + file.string() + ": " + reason);
    }
    // The syncs a checkpoint makes (the WAL before copying, the file after) are the same under NORMAL and FULL;
    // NORMAL only keeps this connection from syncing anything else.
    sqlite3_exec(own_, "PRAGMA synchronous = NORMAL", nullptr, nullptr, nullptr);
    thread_ = std::thread([this] { run(); });
    // Replaces the automatic checkpoint (itself a WAL hook): from now on the watched connection's commits only
    // report the WAL's size.
    sqlite3_wal_hook(watched_, &Checkpointer::on_commit, this);
}

Checkpointer::~Checkpointer() {
    sqlite3_wal_hook(watched_, nullptr, nullptr);
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wanted_.notify_one();
    thread_.join();
    sqlite3_close(own_);
}

int Checkpointer::on_commit(void* self, sqlite3* connection, const char* schema, int wal_pages) {
    auto& checkpointer = *static_cast<Checkpointer*>(self);
    if (wal_pages < checkpointer.threshold_pages_) return SQLITE_OK;
    if (wal_pages >= 4 * checkpointer.threshold_pages_) {
        // The thread cannot catch up with the commits: copy it all now, under the committer's lock, so that the
        // next write starts the WAL over. After the thread's checkpoint, if one is under way: it would make this
        // one fail as busy.
        std::lock_guard checkpointing(checkpointer.checkpointing_);
        if (sqlite3_wal_checkpoint_v2(connection, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr) == SQLITE_OK)
            ++checkpointer.inline_runs_;
        return SQLITE_OK;
    }
    {
        std::lock_guard lock(checkpointer.mutex_);
        if (checkpointer.requested_) return SQLITE_OK;
        checkpointer.requested_ = true;
    }
    checkpointer.wanted_.notify_one();
    return SQLITE_OK;
}

void Checkpointer::run() {
    std::unique_lock lock(mutex_);
    while (true) {
        wanted_.wait(lock, [this] { return requested_ || stopping_; });
        if (stopping_) return;
        requested_ = false;
        lock.unlock();
        // PASSIVE: copies what no reader still needs and never waits for the writer, which goes on appending
        // meanwhile; once everything is copied, the next write starts the WAL over from its beginning.
        int wal_frames = 0, copied = 0, status = SQLITE_OK;
        {
            std::lock_guard checkpointing(checkpointing_);
            status = sqlite3_wal_checkpoint_v2(own_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &wal_frames, &copied);
        }
        if (status == SQLITE_OK)
            ++runs_;
        else if (status != SQLITE_BUSY)  // another checkpoint under way (e.g. another process's): the next will do
            log::warn("WAL checkpoint failed", {{"error", sqlite3_errmsg(own_)}, {"wal_frames", wal_frames}});
        lock.lock();
    }
}

}  // namespace fedblog::store
