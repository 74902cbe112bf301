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

}  // namespace fedblog::store::columns
