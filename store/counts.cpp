#include "store/counts.hpp"

#include "store/columns.hpp"

namespace fedblog::store {

Counts counts(Database& db) {
    std::lock_guard lock(db.mutex());
    auto& query = db.prepared(
        "SELECT (SELECT count(*) FROM posts WHERE deleted IS NULL), "
        "(SELECT count(*) FROM comments WHERE deleted IS NULL AND state = 'approved' AND visibility != 'private'), "
        "(SELECT accepted FROM follower_tally), "
        "(SELECT count(*) FROM comments WHERE deleted IS NULL AND state = 'approved' AND local = 1)");
    columns::ResetOnExit query_done(query);
    query.executeStep();
    return Counts{.posts = query.getColumn(0).getInt64(),
                  .comments = query.getColumn(1).getInt64(),
                  .local_comments = query.getColumn(3).getInt64(),
                  .followers = query.getColumn(2).getInt64()};
}

std::int64_t follower_count(Database& db) {
    std::lock_guard lock(db.mutex());
    // Kept by triggers (migration 10), so this is one row, not a count of every follower.
    auto& query = db.prepared("SELECT accepted FROM follower_tally");
    columns::ResetOnExit query_done(query);
    query.executeStep();
    return query.getColumn(0).getInt64();
}

std::vector<std::string> follower_ids(Database& db, std::int64_t offset, std::int64_t limit) {
    std::lock_guard lock(db.mutex());
    auto& query =
        db.prepared("SELECT actor_id FROM followers WHERE state = 'accepted' ORDER BY created_at, id LIMIT ? OFFSET ?");
    query.bind(1, static_cast<int64_t>(limit));
    query.bind(2, static_cast<int64_t>(offset));
    std::vector<std::string> ids;
    while (query.executeStep()) ids.push_back(query.getColumn(0).getString());
    return ids;
}

}  // namespace fedblog::store
