#pragma once
// NULL-aware reads and binds shared by the store's tables: empty text and absent times are NULL.
#include <SQLiteCpp/Column.h>
#include <SQLiteCpp/Statement.h>

#include <optional>
#include <string>

#include "store/post.hpp"

namespace fedblog::store::columns {

inline std::string text_or_empty(const SQLite::Column& column) {
    return column.isNull() ? std::string() : column.getString();
}

inline std::optional<Timestamp> optional_time(const SQLite::Column& column) {
    if (column.isNull()) return std::nullopt;
    return column.getInt64();
}

inline void bind_text_or_null(SQLite::Statement& statement, int index, const std::string& value) {
    if (value.empty())
        statement.bind(index);
    else
        statement.bind(index, value);
}

inline void bind_time_or_null(SQLite::Statement& statement, int index, const std::optional<Timestamp>& value) {
    if (value)
        statement.bind(index, static_cast<int64_t>(*value));
    else
        statement.bind(index);
}

// Cached statements are reset when next fetched, so a lookup that stops at its first row would leave the
// statement mid-result until then — and with it a read transaction holding an old snapshot, which hides
// other processes' writes from this connection and makes its next write fail as busy. Reset on the way out.
class ResetOnExit {
public:
    explicit ResetOnExit(SQLite::Statement& statement) : statement_(statement) {}
    ~ResetOnExit() { statement_.tryReset(); }
    ResetOnExit(const ResetOnExit&) = delete;
    ResetOnExit& operator=(const ResetOnExit&) = delete;

private:
    SQLite::Statement& statement_;
};

}  // namespace fedblog::store::columns
