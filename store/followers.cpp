#include "store/followers.hpp"

#include "store/columns.hpp"

namespace fedblog::store {

namespace {

using namespace columns;

constexpr const char* select_columns =
    "SELECT actor_id, inbox, shared_inbox, handle, display_name, follow_activity_id, state, created_at FROM followers ";

Follower read_follower(SQLite::Statement& row) {
    Follower follower;
    follower.actor_id = row.getColumn(0).getString();
    follower.inbox = row.getColumn(1).getString();
    follower.shared_inbox = text_or_empty(row.getColumn(2));
    follower.handle = text_or_empty(row.getColumn(3));
    follower.display_name = text_or_empty(row.getColumn(4));
    follower.follow_activity_id = row.getColumn(5).getString();
    follower.accepted = row.getColumn(6).getString() == "accepted";
    follower.created_at = row.getColumn(7).getInt64();
    return follower;
}

}  // namespace

void Followers::save(const Follower& follower) {
    std::lock_guard lock(db_.mutex());
    auto& upsert = db_.prepared(
        "INSERT INTO followers (actor_id, inbox, shared_inbox, handle, display_name, state, follow_activity_id, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (actor_id) DO UPDATE SET inbox = excluded.inbox, "
        "shared_inbox = excluded.shared_inbox, handle = excluded.handle, display_name = excluded.display_name, "
        // An accepted follower stays accepted when the Follow is sent again.
        "state = CASE WHEN followers.state = 'accepted' THEN 'accepted' ELSE excluded.state END, "
        "follow_activity_id = excluded.follow_activity_id");
    upsert.bind(1, follower.actor_id);
    upsert.bind(2, follower.inbox);
    bind_text_or_null(upsert, 3, follower.shared_inbox);
    bind_text_or_null(upsert, 4, follower.handle);
    bind_text_or_null(upsert, 5, follower.display_name);
    upsert.bind(6, follower.accepted ? "accepted" : "pending");
    upsert.bind(7, follower.follow_activity_id);
    upsert.bind(8, static_cast<int64_t>(follower.created_at));
    upsert.exec();
}

std::optional<Follower> Followers::find(std::string_view actor_id) {
    std::lock_guard lock(db_.mutex());
    static const std::string sql = std::string(select_columns) + "WHERE actor_id = ?";
    auto& query = db_.prepared(sql.c_str());
    columns::ResetOnExit query_done(query);
    query.bind(1, std::string(actor_id));
    if (!query.executeStep()) return std::nullopt;
    return read_follower(query);
}

void Followers::accept(std::string_view actor_id) {
    std::lock_guard lock(db_.mutex());
    auto& update = db_.prepared("UPDATE followers SET state = 'accepted' WHERE actor_id = ?");
    update.bind(1, std::string(actor_id));
    update.exec();
}

bool Followers::remove(std::string_view actor_id) {
    std::lock_guard lock(db_.mutex());
    auto& erase = db_.prepared("DELETE FROM followers WHERE actor_id = ?");
    erase.bind(1, std::string(actor_id));
    return erase.exec() > 0;
}

int Followers::remove_by_inbox(std::string_view inbox) {
    std::lock_guard lock(db_.mutex());
    auto& erase = db_.prepared("DELETE FROM followers WHERE inbox = ?1 OR shared_inbox = ?1");
    erase.bind(1, std::string(inbox));
    return erase.exec();
}

std::vector<Follower> Followers::list(bool accepted) {
    std::lock_guard lock(db_.mutex());
    static const std::string sql = std::string(select_columns) + "WHERE state = ? ORDER BY created_at, id";
    auto& query = db_.prepared(sql.c_str());
    columns::ResetOnExit query_done(query);
    query.bind(1, accepted ? "accepted" : "pending");
    std::vector<Follower> found;
    while (query.executeStep()) found.push_back(read_follower(query));
    return found;
}

std::vector<Follower> Followers::accepted() { return list(true); }
std::vector<Follower> Followers::pending() { return list(false); }

std::vector<std::string> Followers::delivery_inboxes() {
    std::lock_guard lock(db_.mutex());
    auto& query = db_.prepared(
        "SELECT DISTINCT coalesce(shared_inbox, inbox) FROM followers WHERE state = 'accepted' ORDER BY 1");
    columns::ResetOnExit query_done(query);
    std::vector<std::string> inboxes;
    while (query.executeStep()) inboxes.push_back(query.getColumn(0).getString());
    return inboxes;
}

bool SeenActivities::first_sighting(std::string_view activity_id, Timestamp now) {
    std::lock_guard lock(db_.mutex());
    auto& insert = db_.prepared("INSERT OR IGNORE INTO seen_activities (id, seen_at) VALUES (?, ?)");
    insert.bind(1, std::string(activity_id));
    insert.bind(2, static_cast<int64_t>(now));
    return insert.exec() == 1;
}

int SeenActivities::forget_before(Timestamp before) {
    std::lock_guard lock(db_.mutex());
    auto& erase = db_.prepared("DELETE FROM seen_activities WHERE seen_at < ?");
    erase.bind(1, static_cast<int64_t>(before));
    return erase.exec();
}

}  // namespace fedblog::store
