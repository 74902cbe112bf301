#pragma once
// Several store calls committed as one: a change and the delivery jobs it causes, an inbox activity and the
// record that it was seen. Holds the database lock for its lifetime (the calls inside take it again: the
// mutex is recursive). The outermost one is BEGIN IMMEDIATE, so a second process writing the same file waits
// for the lock (busy_timeout) instead of failing when its read snapshot turns stale; nested ones are
// savepoints. Rolled back unless commit() is called.
#include <array>
#include <mutex>
#include <string>

#include "store/database.hpp"

namespace fedblog::store {

class WriteTransaction {
public:
    explicit WriteTransaction(Database& db) : db_(db), lock_(db.mutex()) {
        depth_ = ++db_.transaction_depth_;
        try {
            run(Step::open);
        } catch (...) {
            --db_.transaction_depth_;
            throw;
        }
    }

    void commit() {
        run(Step::release);
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
    enum class Step { open, release };
    // BEGIN IMMEDIATE or COMMIT at depth 1, else this depth's SAVEPOINT or RELEASE. Prepared once per
    // connection and reused (the inbox's group writer opens two savepoints per activity: parsing each showed).
    void run(Step step) {
        if (depth_ == 1) {
            db_.prepared(step == Step::open ? "BEGIN IMMEDIATE" : "COMMIT").exec();
            return;
        }
        constexpr int prepared_depths = 8;
        static const auto texts = [] {
            std::array<std::array<std::string, prepared_depths + 1>, 2> all;
            for (int depth = 0; depth <= prepared_depths; ++depth) {
                all[0][depth] = "SAVEPOINT nested_" + std::to_string(depth);
                all[1][depth] = "RELEASE nested_" + std::to_string(depth);
            }
            return all;
        }();
        const auto& text = texts[step == Step::open ? 0 : 1];
        if (depth_ <= prepared_depths) db_.prepared(text[depth_].c_str()).exec();
        else db_.sqlite().exec((step == Step::open ? "SAVEPOINT nested_" : "RELEASE nested_") + std::to_string(depth_));
    }

    Database& db_;
    std::unique_lock<std::recursive_mutex> lock_;
    int depth_ = 0;
    bool open_ = true;
};

}  // namespace fedblog::store
