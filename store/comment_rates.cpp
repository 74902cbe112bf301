#include "store/comment_rates.hpp"

#include "store/columns.hpp"

namespace fedblog::store {

int CommentRates::from_actor(std::string_view actor_id, Timestamp since, int cap) {
    std::lock_guard lock(db_.mutex());
    auto& query = db_.prepared(
        "SELECT count(*) FROM (SELECT 1 FROM comments WHERE actor_id = ? AND received_at >= ? LIMIT ?)");
    columns::ResetOnExit query_done(query);
    query.bind(1, std::string(actor_id));
    query.bind(2, static_cast<int64_t>(since));
    query.bind(3, cap);
    query.executeStep();
    return query.getColumn(0).getInt();
}

int CommentRates::from_host(std::string_view host, Timestamp since, int cap) {
    std::lock_guard lock(db_.mutex());
    auto& query = db_.prepared(
        "SELECT count(*) FROM (SELECT 1 FROM comments WHERE actor_host = ? AND received_at >= ? LIMIT ?)");
    columns::ResetOnExit query_done(query);
    query.bind(1, std::string(host));
    query.bind(2, static_cast<int64_t>(since));
    query.bind(3, cap);
    query.executeStep();
    return query.getColumn(0).getInt();
}

int CommentRates::new_commenters_from_host(std::string_view host, Timestamp since, int cap) {
    std::lock_guard lock(db_.mutex());
    auto& query = db_.prepared(
        "SELECT count(*) FROM (SELECT DISTINCT c.actor_id FROM comments c "
        "WHERE c.actor_host = ?1 AND c.received_at >= ?2 "
        "AND NOT EXISTS (SELECT 1 FROM comments o WHERE o.actor_id = c.actor_id AND o.received_at < ?2) LIMIT ?3)");
    columns::ResetOnExit query_done(query);
    query.bind(1, std::string(host));
    query.bind(2, static_cast<int64_t>(since));
    query.bind(3, cap);
    query.executeStep();
    return query.getColumn(0).getInt();
}

bool CommentRates::has_commented(std::string_view actor_id) {
    std::lock_guard lock(db_.mutex());
    auto& query = db_.prepared("SELECT 1 FROM comments WHERE actor_id = ? LIMIT 1");
    columns::ResetOnExit query_done(query);
    query.bind(1, std::string(actor_id));
    return query.executeStep();
}

}  // namespace fedblog::store
