#pragma once
// `fedblog backup <file>` and `fedblog restore <file>`: the data folder's two irreplaceable things, the SQLite
// database and the actor's private key, in one archive that can be taken while `serve` runs.
//
// The file is a plain ustar archive (server/tar_archive) of three entries:
//   fedblog-backup.json  {"format": "fedblog-backup", "version": 1, "created": "...", "fedblog": "<version>",
//                         "public_url": "...", "handle": "...", "schema_version": N,
//                         "files": {"fedblog.db": {"bytes": n, "sha256": "<hex>"}, "actor.key": {...}}}
//   fedblog.db           a consistent copy of the database (rollback-journal mode, no -wal beside it)
//   actor.key            the PKCS#8 private key
// It is written beside its final name, fsynced and renamed over it, mode 0600: a reader (a cron job copying it
// off the machine) sees the previous archive or the whole new one, never half of one.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/settings.hpp"

namespace fedblog::server {

struct BackupOptions {
    // The database is copied this many pages (4 KiB each) at a time, pausing between steps so the copy never
    // hogs the disk the server is writing to.
    int pages_per_step = 256;
    std::chrono::milliseconds pause{5};
};

struct BackupResult {
    std::filesystem::path file;
    std::uint64_t database_bytes = 0;
    int schema_version = 0;
    int steps = 0;
};

// Throws std::runtime_error with a message for the operator (no database, unreadable key, disk full...);
// nothing is left at `file` then, and an archive already there is untouched.
BackupResult backup(const Settings& settings, const std::filesystem::path& file, BackupOptions options = {});

struct RestoreResult {
    int schema_version = 0;
    std::string public_url;                           // as recorded in the backup
    std::optional<std::filesystem::path> replaced;    // with --force: where the files it replaced now are
    std::vector<std::string> notes;                   // for the operator: a different public_url, an older schema
};

// Verifies the archive (checksums, PRAGMA integrity_check, schema version, the key parses) in a scratch folder
// inside settings.data_dir, then moves the database and the key into place. Refuses a data folder a running
// `serve` holds, and one that is not empty unless `force` (whose old files are then moved to
// <data_dir>/replaced-<time>/, never deleted). Throws std::runtime_error, having changed nothing.
RestoreResult restore(const Settings& settings, const std::filesystem::path& file, bool force);

// The lock `serve` holds on its data folder (an flock on <data_dir>/fedblog.lock, which names its pid), so that
// `restore` never swaps the files under a live server. Released when the process ends, however it ends.
class DataDirLock {
public:
    // Nothing when another process holds it; `holder` then names its pid when it can be read.
    static std::optional<DataDirLock> try_acquire(const std::filesystem::path& data_dir, std::string* holder = nullptr);
    DataDirLock(DataDirLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
    DataDirLock& operator=(DataDirLock&&) = delete;
    ~DataDirLock();

    static constexpr const char* file_name = "fedblog.lock";

private:
    explicit DataDirLock(int fd) : fd_(fd) {}
    int fd_ = -1;
};

}  // namespace fedblog::server
