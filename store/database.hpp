#pragma once
// One SQLite file in WAL mode, its schema brought up to date by numbered migrations at open.
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "store/checkpointer.hpp"

namespace fedblog::store {

class Database {
public:
    // read_only: a second connection to a file a read_write one has opened (and migrated) already, for the pages
    // and documents served on GET. Under WAL it reads the last commit without waiting for the writer's lock and
    // transactions (the delivery engine's commits, a publish queueing 10,000 jobs); SQLite refuses it any write.
    enum class Access { read_write, read_only };

    // Opens (creating when missing) and migrates; read_only opens an existing file at the latest schema only.
    // Throws std::runtime_error naming the file on failure.
    explicit Database(const std::filesystem::path& file, Access access = Access::read_write);

    SQLite::Database& sqlite() { return db_; }
    // The schema version this file is at (PRAGMA user_version).
    int schema_version();
    static int latest_schema_version();

    // SQLite connections are not shared between threads: callers serialize through this mutex. It is
    // recursive so that a WriteTransaction can hold it around calls that each take it again.
    std::recursive_mutex& mutex() { return mutex_; }

    // A statement prepared once per connection and reused (the SQL text is the cache key).
    SQLite::Statement& prepared(const char* sql);

    // Checkpoints the WAL off the committing thread (see Checkpointer). read_write connections only.
    const Checkpointer& checkpointer() const { return *checkpointer_; }

    // Resets statements a caller left stepping, which would hold this connection's read snapshot open: a reader
    // would go on seeing an old state of the file, and the WAL could not start over. Returns how many; call with
    // nothing in progress on this connection.
    int reset_active_statements();

private:
    void migrate();

    SQLite::Database db_;
    std::recursive_mutex mutex_;
    int transaction_depth_ = 0;  // guarded by mutex_; see WriteTransaction
    friend class WriteTransaction;
    struct StatementCache;
    std::unique_ptr<StatementCache> statements_;
    std::unique_ptr<Checkpointer> checkpointer_;  // after db_: stopped before the connection it watches closes

public:
    ~Database();
};

}  // namespace fedblog::store
