#include "store/remote_actors.hpp"

#include "store/columns.hpp"

namespace fedblog::store {

namespace {

using namespace columns;

constexpr const char* select_columns =
    "SELECT id, type, inbox, shared_inbox, handle, display_name, icon_url, profile_url, key_id, public_key_pem, "
    "document, fetched_at, deleted FROM remote_actors ";

RemoteActor read_actor(SQLite::Statement& row) {
    RemoteActor actor;
    actor.id = row.getColumn(0).getString();
    actor.type = row.getColumn(1).getString();
    actor.inbox = row.getColumn(2).getString();
    actor.shared_inbox = text_or_empty(row.getColumn(3));
    actor.handle = text_or_empty(row.getColumn(4));
    actor.display_name = text_or_empty(row.getColumn(5));
    actor.icon_url = text_or_empty(row.getColumn(6));
    actor.profile_url = text_or_empty(row.getColumn(7));
    actor.key_id = text_or_empty(row.getColumn(8));
    actor.public_key_pem = text_or_empty(row.getColumn(9));
    actor.document = text_or_empty(row.getColumn(10));
    actor.fetched_at = row.getColumn(11).getInt64();
    if (!row.getColumn(12).isNull()) actor.deleted = row.getColumn(12).getInt64();
    return actor;
}

std::optional<RemoteActor> find_one(Database& db, const char* sql, std::string_view value) {
    std::lock_guard lock(db.mutex());
    auto& query = db.prepared(sql);
    columns::ResetOnExit query_done(query);
    query.bind(1, std::string(value));
    if (!query.executeStep()) return std::nullopt;
    return read_actor(query);
}

}  // namespace

std::optional<RemoteActor> RemoteActors::find(std::string_view actor_id) {
    static const std::string sql = std::string(select_columns) + "WHERE id = ?";
    return find_one(db_, sql.c_str(), actor_id);
}

std::optional<RemoteActor> RemoteActors::find_by_key_id(std::string_view key_id) {
    static const std::string sql = std::string(select_columns) + "WHERE key_id = ? AND deleted IS NULL";
    return find_one(db_, sql.c_str(), key_id);
}

std::optional<RemoteActor> RemoteActors::find_by_handle(std::string_view handle) {
    static const std::string sql = std::string(select_columns) + "WHERE handle = ? ORDER BY fetched_at DESC LIMIT 1";
    return find_one(db_, sql.c_str(), handle);
}

std::optional<RemoteActor> RemoteActors::find_by_profile_url(std::string_view profile_url) {
    static const std::string sql = std::string(select_columns) + "WHERE profile_url = ? ORDER BY fetched_at DESC LIMIT 1";
    return find_one(db_, sql.c_str(), profile_url);
}

void RemoteActors::save(const RemoteActor& actor) {
    std::lock_guard lock(db_.mutex());
    auto& upsert = db_.prepared(
        "INSERT INTO remote_actors (id, type, inbox, shared_inbox, handle, display_name, icon_url, profile_url, key_id, "
        "public_key_pem, document, fetched_at, deleted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL) "
        "ON CONFLICT (id) DO UPDATE SET type = excluded.type, inbox = excluded.inbox, shared_inbox = excluded.shared_inbox, "
        "handle = excluded.handle, display_name = excluded.display_name, icon_url = excluded.icon_url, "
        "profile_url = excluded.profile_url, key_id = excluded.key_id, public_key_pem = excluded.public_key_pem, "
        "document = excluded.document, fetched_at = excluded.fetched_at, deleted = NULL");
    upsert.bind(1, actor.id);
    upsert.bind(2, actor.type);
    upsert.bind(3, actor.inbox);
    bind_text_or_null(upsert, 4, actor.shared_inbox);
    bind_text_or_null(upsert, 5, actor.handle);
    bind_text_or_null(upsert, 6, actor.display_name);
    bind_text_or_null(upsert, 7, actor.icon_url);
    bind_text_or_null(upsert, 8, actor.profile_url);
    bind_text_or_null(upsert, 9, actor.key_id);
    bind_text_or_null(upsert, 10, actor.public_key_pem);
    bind_text_or_null(upsert, 11, actor.document);
    upsert.bind(12, static_cast<int64_t>(actor.fetched_at));
    upsert.exec();
}

void RemoteActors::mark_deleted(std::string_view actor_id, Timestamp when) {
    std::lock_guard lock(db_.mutex());
    auto& update = db_.prepared(
        "UPDATE remote_actors SET deleted = ?, key_id = NULL, public_key_pem = NULL WHERE id = ? AND deleted IS NULL");
    update.bind(1, static_cast<int64_t>(when));
    update.bind(2, std::string(actor_id));
    update.exec();
}

}  // namespace fedblog::store
