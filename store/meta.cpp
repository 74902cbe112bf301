#include "store/meta.hpp"

#include "store/columns.hpp"

namespace fedblog::store {

std::optional<std::string> get_meta(Database& db, std::string_view key) {
    std::lock_guard lock(db.mutex());
    auto& query = db.prepared("SELECT value FROM meta WHERE key = ?");
    columns::ResetOnExit query_done(query);
    query.bind(1, std::string(key));
    if (!query.executeStep()) return std::nullopt;
    return query.getColumn(0).getString();
}

void set_meta(Database& db, std::string_view key, std::string_view value) {
    std::lock_guard lock(db.mutex());
    auto& upsert = db.prepared("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    upsert.bind(1, std::string(key));
    upsert.bind(2, std::string(value));
    upsert.exec();
}

std::string get_or_set_meta(Database& db, std::string_view key, std::string_view value) {
    {
        std::lock_guard lock(db.mutex());
        auto& insert = db.prepared("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)");
        insert.bind(1, std::string(key));
        insert.bind(2, std::string(value));
        insert.exec();
    }
    return *get_meta(db, key);
}

}  // namespace fedblog::store
