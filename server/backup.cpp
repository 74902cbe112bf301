#include "server/backup.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <SQLiteCpp/Database.h>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "common/hex.hpp"
#include "common/log.hpp"
#include "common/time.hpp"
#include "common/version.hpp"
#include "keys/digest.hpp"
#include "keys/key_pair.hpp"
#include "server/tar_archive.hpp"
#include "store/database.hpp"

namespace fedblog::server {

namespace fs = std::filesystem;

namespace {

constexpr const char* manifest_name = "fedblog-backup.json";
constexpr const char* database_name = "fedblog.db";
constexpr const char* key_name = "actor.key";
constexpr int archive_version = 1;

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path.string() + ": " + std::strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string sha256_file(const fs::path& path) {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    if (!context || EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("SHA-256 unavailable: " + keys::openssl_error());
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    std::vector<char> buffer(1 << 16);
    while (in) {
        in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        if (in.gcount() > 0) EVP_DigestUpdate(context.get(), buffer.data(), static_cast<std::size_t>(in.gcount()));
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(context.get(), digest, &length);
    return hex_encode(std::span<const unsigned char>(digest, length));
}

void fsync_folder(const fs::path& folder) {
    int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

// Removes a scratch file or folder on every path out.
struct Scratch {
    fs::path path;
    ~Scratch() {
        std::error_code ignored;
        fs::remove_all(path, ignored);
    }
};

std::string sqlite_message(sqlite3* db, int rc) {
    return db ? std::string(sqlite3_errmsg(db)) : std::string(sqlite3_errstr(rc));
}

// Copies the database page by page through SQLite's online backup API. A read transaction held on the source
// for the whole copy pins one snapshot: in WAL mode that never blocks the server's writers (they append to
// the WAL meanwhile), and unlike stepping without it, a commit by the server cannot restart the copy.
// VACUUM INTO would take the same snapshot but rebuild every table and index in one uninterruptible
// statement; the page copy is cheaper and paces itself.
int copy_database(const fs::path& source_file, const fs::path& copy_file, const BackupOptions& options) {
    SQLite::Database source(source_file.string(), SQLite::OPEN_READWRITE);  // no CREATE: a missing file is an error
    source.setBusyTimeout(5000);
    SQLite::Database copy(copy_file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    source.exec("BEGIN");
    source.execAndGet("SELECT count(*) FROM sqlite_schema");  // the snapshot starts at the first read
    sqlite3_backup* backup = sqlite3_backup_init(copy.getHandle(), "main", source.getHandle(), "main");
    if (!backup) throw std::runtime_error("cannot start the copy: " + sqlite_message(copy.getHandle(), 0));
    int steps = 0;
    int rc = SQLITE_OK;
    while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
        rc = sqlite3_backup_step(backup, options.pages_per_step);
        ++steps;
        if (rc != SQLITE_DONE) std::this_thread::sleep_for(options.pause);
    }
    sqlite3_backup_finish(backup);
    source.exec("COMMIT");
    if (rc != SQLITE_DONE) throw std::runtime_error("the copy failed: " + std::string(sqlite3_errstr(rc)));
    // A copy of a WAL database is marked WAL; as a file on its own it is simpler in rollback mode (serve
    // switches it back to WAL when it opens it).
    copy.exec("PRAGMA journal_mode = DELETE");
    return steps;
}

std::string integrity_of(SQLite::Database& db) {
    SQLite::Statement check(db, "PRAGMA integrity_check");
    std::string problems;
    while (check.executeStep()) {
        std::string line = check.getColumn(0).getString();
        if (line == "ok") continue;
        problems += (problems.empty() ? "" : "; ") + line;
    }
    return problems;
}

std::string pid_in(const fs::path& lock_file) {
    std::ifstream in(lock_file);
    std::string pid;
    in >> pid;
    return pid;
}

}  // namespace

std::optional<DataDirLock> DataDirLock::try_acquire(const fs::path& data_dir, std::string* holder) {
    const fs::path file = data_dir / file_name;
    int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("cannot open " + file.string() + ": " + std::strerror(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        ::close(fd);
        if (holder) *holder = pid_in(file);
        return std::nullopt;
    }
    std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
        // The pid is only a courtesy for the operator's message; the flock is what counts.
    }
    return DataDirLock(fd);
}

DataDirLock::~DataDirLock() {
    if (fd_ >= 0) ::close(fd_);  // closing the descriptor releases the flock
}

BackupResult backup(const Settings& settings, const fs::path& file, BackupOptions options) {
    const fs::path data_dir(settings.data_dir);
    const fs::path database = data_dir / database_name;
    if (!fs::is_regular_file(database))
        throw std::runtime_error("no database at " + database.string() + " (is data_dir right?)");
    const std::string key_pem = read_file(data_dir / key_name);
    try {
        keys::KeyPair::from_private_pem(key_pem);
    } catch (const std::exception& e) {
        throw std::runtime_error((data_dir / key_name).string() + " does not hold a usable key: " + e.what());
    }

    const fs::path target = fs::absolute(file);
    const std::string scratch_suffix = ".tmp-" + std::to_string(::getpid());
    Scratch copy_scratch{target.string() + scratch_suffix + ".db"};
    fs::remove(copy_scratch.path);
    BackupResult result;
    result.file = target;
    result.steps = copy_database(database, copy_scratch.path, options);
    {
        SQLite::Database copy(copy_scratch.path.string(), SQLite::OPEN_READONLY);
        if (std::string problems = integrity_of(copy); !problems.empty())
            throw std::runtime_error("the copy of the database fails PRAGMA integrity_check: " + problems +
                                     " (the database itself may be damaged: run fedblog doctor)");
        result.schema_version = copy.execAndGet("PRAGMA user_version").getInt();
    }
    result.database_bytes = fs::file_size(copy_scratch.path);

    const std::int64_t now = now_seconds();
    nlohmann::json manifest = {
        {"format", "fedblog-backup"},
        {"version", archive_version},
        {"created", format_rfc3339(now)},
        {"fedblog", fedblog::version},
        {"public_url", settings.public_url},
        {"handle", settings.handle},
        {"schema_version", result.schema_version},
        {"files",
         {{database_name, {{"bytes", result.database_bytes}, {"sha256", sha256_file(copy_scratch.path)}}},
          {key_name, {{"bytes", key_pem.size()}, {"sha256", hex_encode(keys::sha256(key_pem))}}}}}};

    Scratch archive_scratch{target.string() + scratch_suffix};
    fs::remove(archive_scratch.path);
    {
        TarWriter writer(archive_scratch.path);
        writer.add_bytes(manifest_name, manifest.dump(2) + "\n", now);
        writer.add_file(database_name, copy_scratch.path, now);
        writer.add_bytes(key_name, key_pem, now);
        writer.finish();
    }
    fs::rename(archive_scratch.path, target);
    fsync_folder(target.parent_path());
    log::info("backup written", {{"file", target.string()},
                                 {"database_bytes", result.database_bytes},
                                 {"schema_version", result.schema_version},
                                 {"steps", result.steps}});
    return result;
}

namespace {

// What an archive must hold, checked against its manifest before anything is moved into the data folder.
nlohmann::json verified_manifest(const fs::path& folder, const fs::path& archive) {
    if (!fs::exists(folder / manifest_name))
        throw std::runtime_error(archive.string() + " has no " + manifest_name + ": not a fedblog backup");
    nlohmann::json manifest = nlohmann::json::parse(read_file(folder / manifest_name), nullptr, false);
    if (!manifest.is_object() || manifest.value("format", "") != "fedblog-backup")
        throw std::runtime_error(archive.string() + ": " + manifest_name + " is not a fedblog backup manifest");
    if (!manifest["version"].is_number_integer() || manifest["version"].get<int>() != archive_version)
        throw std::runtime_error(archive.string() + " is a backup format this fedblog does not know (version " +
                                 manifest["version"].dump() + ")");
    for (const char* name : {database_name, key_name}) {
        const nlohmann::json& entry = manifest["files"][name];
        if (!fs::exists(folder / name) || !entry.is_object())
            throw std::runtime_error(archive.string() + " lacks " + name);
        if (!entry["sha256"].is_string() || entry["sha256"].get<std::string>() != sha256_file(folder / name))
            throw std::runtime_error(archive.string() + ": " + name + " does not match its checksum (damaged archive)");
    }
    return manifest;
}

// Entries of the data folder other than its lock and the restore's own scratch folder.
std::vector<fs::path> data_entries(const fs::path& data_dir, const fs::path& scratch) {
    std::vector<fs::path> entries;
    for (const auto& entry : fs::directory_iterator(data_dir))
        if (entry.path().filename() != DataDirLock::file_name && entry.path() != scratch) entries.push_back(entry.path());
    return entries;
}

}  // namespace

RestoreResult restore(const Settings& settings, const fs::path& file, bool force) {
    const fs::path archive = fs::absolute(file);
    if (!fs::is_regular_file(archive)) throw std::runtime_error("no backup file at " + archive.string());
    const fs::path data_dir = fs::absolute(settings.data_dir);
    if (!fs::exists(data_dir)) {
        fs::create_directories(data_dir);
        fs::permissions(data_dir, fs::perms::owner_all, fs::perm_options::replace);  // it will hold the key
    }
    std::string holder;
    auto lock = DataDirLock::try_acquire(data_dir, &holder);
    if (!lock)
        throw std::runtime_error("a fedblog serve" + (holder.empty() ? "" : " (pid " + holder + ")") + " is running on " +
                                 data_dir.string() + ": stop it before restoring (--force does not override this)");

    Scratch scratch{data_dir / (".restore-" + std::to_string(::getpid()))};
    const std::vector<fs::path> existing = data_entries(data_dir, scratch.path);
    if (!existing.empty() && !force)
        throw std::runtime_error(data_dir.string() + " is not empty (" + existing.front().filename().string() +
                                 (existing.size() > 1 ? ", ..." : "") +
                                 "): restore into a new data_dir, or add --force to replace what is there (the files "
                                 "replaced are moved to " + data_dir.string() + "/replaced-<time>/, not deleted)");
    fs::remove_all(scratch.path);
    fs::create_directory(scratch.path);
    fs::permissions(scratch.path, fs::perms::owner_all, fs::perm_options::replace);

    extract_tar(archive, scratch.path, {manifest_name, database_name, key_name});
    nlohmann::json manifest = verified_manifest(scratch.path, archive);
    RestoreResult result;
    result.public_url = manifest.value("public_url", "");
    {
        SQLite::Database copy((scratch.path / database_name).string(), SQLite::OPEN_READWRITE);
        if (std::string problems = integrity_of(copy); !problems.empty())
            throw std::runtime_error(archive.string() + ": the database fails PRAGMA integrity_check: " + problems);
        result.schema_version = copy.execAndGet("PRAGMA user_version").getInt();
    }
    if (result.schema_version > store::Database::latest_schema_version())
        throw std::runtime_error(archive.string() + " was made by a newer fedblog (schema version " +
                                 std::to_string(result.schema_version) + ", this one knows " +
                                 std::to_string(store::Database::latest_schema_version()) + "): upgrade first");
    if (result.schema_version < store::Database::latest_schema_version())
        result.notes.push_back("the database is at schema version " + std::to_string(result.schema_version) +
                               "; serve brings it to " + std::to_string(store::Database::latest_schema_version()) +
                               " when it starts");
    try {
        keys::KeyPair::from_private_pem(read_file(scratch.path / key_name));
    } catch (const std::exception& e) {
        throw std::runtime_error(archive.string() + ": actor.key does not parse: " + e.what());
    }
    if (!result.public_url.empty() && result.public_url != settings.public_url)
        result.notes.push_back("the backup was taken with public_url " + result.public_url + ", and public_url is now " +
                               settings.public_url + ": the blog's ids are its public_url, so followers will not "
                               "find it under another one");

    // Verified: only now is the data folder touched. Old files go aside first, so no stale -wal can ever be
    // applied to the restored database.
    if (!existing.empty()) {
        fs::path aside = data_dir / ("replaced-" + std::to_string(now_seconds()));
        fs::create_directory(aside);
        fs::permissions(aside, fs::perms::owner_all, fs::perm_options::replace);
        for (const auto& path : existing) fs::rename(path, aside / path.filename());
        result.replaced = aside;
    }
    fs::rename(scratch.path / database_name, data_dir / database_name);
    fs::rename(scratch.path / key_name, data_dir / key_name);
    fsync_folder(data_dir);
    log::info("backup restored", {{"file", archive.string()},
                                  {"data_dir", data_dir.string()},
                                  {"schema_version", result.schema_version},
                                  {"replaced", result.replaced ? result.replaced->string() : std::string()}});
    return result;
}

}  // namespace fedblog::server
