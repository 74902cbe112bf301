#include "store/database.hpp"

#include <sqlite3.h>

#include <map>
#include <stdexcept>

#include "store/migrations.hpp"

namespace fedblog::store {

struct Database::StatementCache {
    std::map<const char*, std::unique_ptr<SQLite::Statement>> by_sql;  // keyed by the literal's address
};

// SQLite's own default for its automatic checkpoint (about 4 MB of WAL).
constexpr int checkpoint_threshold_pages = 1000;

static SQLite::Database open(const std::filesystem::path& file, Database::Access access) {
    // SQLite's memory statistics (never read here) take a global mutex on every allocation it makes, which
    // every connection in the process shares: 4% of the inbox's CPU went to it. Must precede SQLite's first use.
    static const int memstatus_off = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    (void)memstatus_off;  // SQLITE_MISUSE when something in the process initialized SQLite first: harmless
    try {
        // A reader opens read-write all the same (query_only keeps it from writing): a read-only connection to a
        // WAL file needs its -shm to exist already, and could not recover it after a crash.
        const int create = access == Database::Access::read_write ? SQLite::OPEN_CREATE : 0;
        return SQLite::Database(file.string(), SQLite::OPEN_READWRITE | create | SQLite::OPEN_FULLMUTEX);
    } catch (const SQLite::Exception& e) {
        throw std::runtime_error("cannot open database " + file.string() + ": " + e.what());
    }
}

Database::Database(const std::filesystem::path& file, Access access)
    : db_(open(file, access)), statements_(std::make_unique<StatementCache>()) {
    try {
        db_.setBusyTimeout(5000);
        if (access == Access::read_only) {
            db_.exec("PRAGMA query_only = 1");
            if (int version = schema_version(); version != latest_schema_version())
                throw std::runtime_error("database " + file.string() + ": schema version " + std::to_string(version) +
                                         ", not " + std::to_string(latest_schema_version()) +
                                         ": a reader opens a file its writer has brought up to date");
            return;
        }
        db_.exec("PRAGMA journal_mode = WAL");
        // WAL + NORMAL keeps every committed transaction across a process crash; only an OS crash can lose the last ones.
        db_.exec("PRAGMA synchronous = NORMAL");
        db_.exec("PRAGMA foreign_keys = ON");
        migrate();
        checkpointer_ = std::make_unique<Checkpointer>(db_.getHandle(), file, checkpoint_threshold_pages);
    } catch (const SQLite::Exception& e) {
        throw std::runtime_error("database " + file.string() + ": " + e.what());
    }
}

Database::~Database() = default;

int Database::schema_version() { return db_.execAndGet("PRAGMA user_version").getInt(); }

int Database::latest_schema_version() { return static_cast<int>(migrations().size()); }

void Database::migrate() {
    const auto& steps = migrations();
    int current = schema_version();
    if (current > static_cast<int>(steps.size()))
        throw std::runtime_error("schema version " + std::to_string(current) +
                                 " is newer than this fedblog knows (" + std::to_string(steps.size()) +
                                 "); refusing to touch it");
    for (int version = current + 1; version <= static_cast<int>(steps.size()); ++version) {
        SQLite::Transaction transaction(db_);
        db_.exec(steps[version - 1]);
        db_.exec("PRAGMA user_version = " + std::to_string(version));
        transaction.commit();
    }
}

int Database::reset_active_statements() {
    int reset = 0;
    for (sqlite3_stmt* statement = sqlite3_next_stmt(db_.getHandle(), nullptr); statement;
         statement = sqlite3_next_stmt(db_.getHandle(), statement)) {
        if (sqlite3_stmt_busy(statement)) {
            sqlite3_reset(statement);
            ++reset;
        }
    }
    return reset;
}

SQLite::Statement& Database::prepared(const char* sql) {
    auto& slot = statements_->by_sql[sql];
    if (!slot) slot = std::make_unique<SQLite::Statement>(db_, sql);
    slot->reset();
    slot->clearBindings();
    return *slot;
}

}  // namespace fedblog::store
