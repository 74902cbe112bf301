#pragma once
// Several store calls committed as one: a change and the delivery jobs it causes, an inbox activity and the
// record that it was seen. Holds the database lock for its lifetime (the calls inside take it again: the
// mutex is recursive). The outermost one is BEGIN IMMEDIATE, so a second process writing the same file waits
// for the lock (busy_timeout) instead of failing when its read snapshot turns stale; nested ones are
// savepoints. Rolled back unless commit() is called.
#include <mutex>
#include <string>

#include "store/database.hpp"

namespace fedblog::store {

class WriteTransaction {
public:
    explicit WriteTransaction(Database& db) : db_(db), lock_(db.mutex()) {
        depth_ = ++db_.transaction_depth_;
        try {
            db_.sqlite().exec(depth_ == 1 ? std::string("BEGIN IMMEDIATE") : "SAVEPOINT nested_" + std::to_string(depth_));
        } catch (...) {
            --db_.transaction_depth_;
            throw;
        }
    }

    void commit() {
        db_.sqlite().exec(depth_ == 1 ? std::string("COMMIT") : "RELEASE nested_" + std::to_string(depth_));
        open_ = false;
    }

    ~WriteTransaction() {
        if (open_) {
            try {
                if (depth_ == 1)
                    db_.sqlite().exec("ROLLBACK");
                else
                    db_.sqlite().exec("ROLLBACK TO nested_" + std::to_string(depth_) + "; RELEASE nested_" +
                                      std::to_string(depth_));
            } catch (...) {
                // Nothing sane to do in a destructor: SQLite rolls back an unfinished transaction itself.
            }
        }
        --db_.transaction_depth_;
    }

    WriteTransaction(const WriteTransaction&) = delete;
    WriteTransaction& operator=(const WriteTransaction&) = delete;

private:
    Database& db_;
    std::unique_lock<std::recursive_mutex> lock_;
    int depth_ = 0;
    bool open_ = true;
};

}  // namespace fedblog::store
