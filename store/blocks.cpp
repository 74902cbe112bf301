#include "store/blocks.hpp"


#include "store/columns.hpp"

namespace fedblog::store {

namespace {

Block read_block(SQLite::Statement& row) {
    return Block{row.getColumn(0).getInt64(), row.getColumn(1).getString(), row.getColumn(2).getString(),
                 row.getColumn(3).getString(), row.getColumn(4).getInt64(), row.getColumn(5).getInt() != 0};
}

}  // namespace

std::optional<std::int64_t> Blocks::add(std::string_view kind, std::string_view target, std::string_view reason,
                                        Timestamp now, bool configured) {
    std::lock_guard lock(db_.mutex());
    auto& insert = db_.prepared(
        "INSERT OR IGNORE INTO blocks (kind, target, reason, created_at, configured) VALUES (?, ?, ?, ?, ?)");
    insert.bind(1, std::string(kind));
    insert.bind(2, std::string(target));
    insert.bind(3, std::string(reason));
    insert.bind(4, static_cast<int64_t>(now));
    insert.bind(5, configured ? 1 : 0);
    if (insert.exec() == 0) return std::nullopt;
    return db_.sqlite().getLastInsertRowid();
}

std::optional<Block> Blocks::find(std::string_view target) {
    std::lock_guard lock(db_.mutex());
    auto& query = db_.prepared("SELECT id, kind, target, reason, created_at, configured FROM blocks WHERE target = ?");
    columns::ResetOnExit query_done(query);
    query.bind(1, std::string(target));
    if (!query.executeStep()) return std::nullopt;
    return read_block(query);
}

bool Blocks::remove(std::int64_t id) {
    std::lock_guard lock(db_.mutex());
    auto& erase = db_.prepared("DELETE FROM blocks WHERE id = ?");
    erase.bind(1, static_cast<int64_t>(id));
    return erase.exec() > 0;
}

std::vector<Block> Blocks::list() {
    std::lock_guard lock(db_.mutex());
    auto& query = db_.prepared("SELECT id, kind, target, reason, created_at, configured FROM blocks ORDER BY created_at, id");
    columns::ResetOnExit query_done(query);
    std::vector<Block> found;
    while (query.executeStep()) found.push_back(read_block(query));
    return found;
}

std::optional<Block> Blocks::first_of(const std::vector<std::string>& targets) {
    if (targets.empty()) return std::nullopt;
    // Asked for every inbox activity (twice): eight fixed placeholders, each an exact key of the unique index,
    // the unused ones repeating the first. Longer lists (hosts of many labels) are asked eight at a time.
    constexpr std::size_t slots = 8;
    std::lock_guard lock(db_.mutex());
    auto& query = db_.prepared(
        "SELECT id, kind, target, reason, created_at, configured FROM blocks WHERE target IN (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
        "ORDER BY kind = 'actor' DESC, id LIMIT 1");
    std::optional<Block> found;
    for (std::size_t start = 0; start < targets.size(); start += slots) {
        columns::ResetOnExit query_done(query);
        query.clearBindings();
        for (std::size_t slot = 0; slot < slots; ++slot) {
            const std::size_t index = start + slot < targets.size() ? start + slot : start;
            query.bind(static_cast<int>(slot + 1), targets[index]);
        }
        if (query.executeStep()) {
            Block block = read_block(query);
            // An actor block wins over a domain block, as the single query orders them.
            if (!found || (block.kind == "actor" && found->kind != "actor")) found = std::move(block);
        }
    }
    return found;
}

std::vector<std::string> Blocks::domains() {
    std::lock_guard lock(db_.mutex());
    auto& query = db_.prepared("SELECT target FROM blocks WHERE kind = 'domain' ORDER BY target");
    columns::ResetOnExit query_done(query);
    std::vector<std::string> found;
    while (query.executeStep()) found.push_back(query.getColumn(0).getString());
    return found;
}

int Blocks::hide_comments_of_actor(std::int64_t block_id, std::string_view actor_id) {
    std::lock_guard lock(db_.mutex());
    auto& update = db_.prepared(
        "UPDATE comments SET state_before_block = state, state = 'hidden', hidden_by_block = ? "
        "WHERE actor_id = ? AND state != 'hidden'");
    update.bind(1, static_cast<int64_t>(block_id));
    update.bind(2, std::string(actor_id));
    return update.exec();
}

int Blocks::hide_comments_of_host(std::int64_t block_id, std::string_view host) {
    std::lock_guard lock(db_.mutex());
    auto& update = db_.prepared(
        "UPDATE comments SET state_before_block = state, state = 'hidden', hidden_by_block = ? "
        "WHERE actor_host = ? AND state != 'hidden'");
    update.bind(1, static_cast<int64_t>(block_id));
    update.bind(2, std::string(host));
    return update.exec();
}

int Blocks::restore_comments(std::int64_t block_id) {
    std::lock_guard lock(db_.mutex());
    auto& update = db_.prepared(
        "UPDATE comments SET state = coalesce(state_before_block, 'held'), state_before_block = NULL, "
        "hidden_by_block = NULL WHERE hidden_by_block = ?");
    update.bind(1, static_cast<int64_t>(block_id));
    return update.exec();
}

std::vector<std::string> Blocks::comment_hosts() {
    std::lock_guard lock(db_.mutex());
    auto& query = db_.prepared("SELECT DISTINCT actor_host FROM comments WHERE actor_host != ''");
    columns::ResetOnExit query_done(query);
    std::vector<std::string> found;
    while (query.executeStep()) found.push_back(query.getColumn(0).getString());
    return found;
}

}  // namespace fedblog::store
