#include "store/reactions.hpp"

#include "store/columns.hpp"

namespace fedblog::store {

namespace {

const char* kind_name(ReactionKind kind) { return kind == ReactionKind::like ? "like" : "announce"; }

}  // namespace

bool Reactions::add(std::int64_t post_id, std::string_view actor_id, ReactionKind kind, std::string_view activity_id,
                    Timestamp now) {
    std::lock_guard lock(db_.mutex());
    auto& insert = db_.prepared(
        "INSERT OR IGNORE INTO reactions (post_id, actor_id, kind, activity_id, created_at) VALUES (?, ?, ?, ?, ?)");
    insert.bind(1, static_cast<int64_t>(post_id));
    insert.bind(2, std::string(actor_id));
    insert.bind(3, kind_name(kind));
    insert.bind(4, std::string(activity_id));
    insert.bind(5, static_cast<int64_t>(now));
    return insert.exec() > 0;
}

bool Reactions::remove_by_activity(std::string_view activity_id, std::string_view actor_id) {
    std::lock_guard lock(db_.mutex());
    auto& erase = db_.prepared("DELETE FROM reactions WHERE activity_id = ? AND actor_id = ?");
    erase.bind(1, std::string(activity_id));
    erase.bind(2, std::string(actor_id));
    return erase.exec() > 0;
}

bool Reactions::remove(std::int64_t post_id, std::string_view actor_id, ReactionKind kind) {
    std::lock_guard lock(db_.mutex());
    auto& erase = db_.prepared("DELETE FROM reactions WHERE post_id = ? AND actor_id = ? AND kind = ?");
    erase.bind(1, static_cast<int64_t>(post_id));
    erase.bind(2, std::string(actor_id));
    erase.bind(3, kind_name(kind));
    return erase.exec() > 0;
}

int Reactions::remove_by_actor(std::string_view actor_id) {
    std::lock_guard lock(db_.mutex());
    auto& erase = db_.prepared("DELETE FROM reactions WHERE actor_id = ?");
    erase.bind(1, std::string(actor_id));
    return erase.exec();
}

std::vector<std::string> Reactions::actors() {
    std::lock_guard lock(db_.mutex());
    auto& query = db_.prepared("SELECT DISTINCT actor_id FROM reactions");
    columns::ResetOnExit query_done(query);
    std::vector<std::string> found;
    while (query.executeStep()) found.push_back(query.getColumn(0).getString());
    return found;
}

ReactionCounts Reactions::counts(std::int64_t post_id) {
    std::lock_guard lock(db_.mutex());
    auto& query = db_.prepared(
        "SELECT coalesce(sum(kind = 'like'), 0), coalesce(sum(kind = 'announce'), 0) FROM reactions WHERE post_id = ?");
    columns::ResetOnExit query_done(query);
    query.bind(1, static_cast<int64_t>(post_id));
    query.executeStep();
    return {query.getColumn(0).getInt64(), query.getColumn(1).getInt64()};
}

}  // namespace fedblog::store
