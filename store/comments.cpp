#include "store/comments.hpp"

#include <stdexcept>

#include "store/columns.hpp"
#include "store/transaction.hpp"

namespace fedblog::store {

namespace {

using namespace columns;

constexpr const char* select_columns =
    "SELECT id, object_id, post_id, parent_id, actor_id, url, content_html, summary, sensitive, language, "
    "visibility, state, local, published, updated, deleted, received_at, held_reason FROM comments ";

Comment read_comment(SQLite::Statement& row) {
    Comment comment;
    comment.id = row.getColumn(0).getInt64();
    comment.object_id = row.getColumn(1).getString();
    comment.post_id = row.getColumn(2).getInt64();
    comment.parent_id = optional_time(row.getColumn(3));  // an optional integer, like a time
    comment.actor_id = row.getColumn(4).getString();
    comment.url = text_or_empty(row.getColumn(5));
    comment.content_html = row.getColumn(6).getString();
    comment.summary = text_or_empty(row.getColumn(7));
    comment.sensitive = row.getColumn(8).getInt() != 0;
    comment.language = text_or_empty(row.getColumn(9));
    comment.visibility = row.getColumn(10).getString();
    comment.state = row.getColumn(11).getString();
    comment.local = row.getColumn(12).getInt() != 0;
    comment.published = row.getColumn(13).getInt64();
    comment.updated = optional_time(row.getColumn(14));
    comment.deleted = optional_time(row.getColumn(15));
    comment.received_at = row.getColumn(16).getInt64();
    comment.held_reason = text_or_empty(row.getColumn(17));
    return comment;
}

}  // namespace

std::optional<std::int64_t> Comments::insert(const Comment& comment) {
    std::lock_guard lock(db_.mutex());
    auto& insert = db_.prepared(
        "INSERT OR IGNORE INTO comments (object_id, post_id, parent_id, actor_id, url, content_html, summary, "
        "sensitive, language, visibility, state, local, published, updated, deleted, received_at, held_reason) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    insert.bind(1, comment.object_id);
    insert.bind(2, static_cast<int64_t>(comment.post_id));
    bind_time_or_null(insert, 3, comment.parent_id);
    insert.bind(4, comment.actor_id);
    bind_text_or_null(insert, 5, comment.url);
    insert.bind(6, comment.content_html);
    bind_text_or_null(insert, 7, comment.summary);
    insert.bind(8, comment.sensitive ? 1 : 0);
    bind_text_or_null(insert, 9, comment.language);
    insert.bind(10, comment.visibility);
    insert.bind(11, comment.state);
    insert.bind(12, comment.local ? 1 : 0);
    insert.bind(13, static_cast<int64_t>(comment.published));
    bind_time_or_null(insert, 14, comment.updated);
    bind_time_or_null(insert, 15, comment.deleted);
    insert.bind(16, static_cast<int64_t>(comment.received_at));
    bind_text_or_null(insert, 17, comment.held_reason);
    if (insert.exec() == 0) return std::nullopt;
    return db_.sqlite().getLastInsertRowid();
}

std::optional<Comment> Comments::find_by_object_id(std::string_view object_id) {
    std::lock_guard lock(db_.mutex());
    static const std::string sql = std::string(select_columns) + "WHERE object_id = ?";
    auto& query = db_.prepared(sql.c_str());
    columns::ResetOnExit query_done(query);
    query.bind(1, std::string(object_id));
    if (!query.executeStep()) return std::nullopt;
    return read_comment(query);
}

std::optional<Comments::Place> Comments::find_place(std::string_view object_id) {
    std::lock_guard lock(db_.mutex());
    auto& query = db_.prepared("SELECT id, post_id FROM comments WHERE object_id = ?");
    columns::ResetOnExit query_done(query);
    query.bind(1, std::string(object_id));
    if (!query.executeStep()) return std::nullopt;
    return Place{query.getColumn(0).getInt64(), query.getColumn(1).getInt64()};
}

bool Comments::update_content(std::string_view object_id, const Comment& edited) {
    std::lock_guard lock(db_.mutex());
    auto& update = db_.prepared(
        "UPDATE comments SET content_html = ?, summary = ?, sensitive = ?, language = ?, updated = ? "
        "WHERE object_id = ? AND deleted IS NULL AND coalesce(updated, published) < ?");
    update.bind(1, edited.content_html);
    bind_text_or_null(update, 2, edited.summary);
    update.bind(3, edited.sensitive ? 1 : 0);
    bind_text_or_null(update, 4, edited.language);
    bind_time_or_null(update, 5, edited.updated);
    update.bind(6, std::string(object_id));
    update.bind(7, static_cast<int64_t>(edited.updated.value_or(0)));
    return update.exec() > 0;
}

bool Comments::mark_deleted(std::string_view object_id, Timestamp when) {
    std::lock_guard lock(db_.mutex());
    // The content goes with the deletion: what the author removed is not kept.
    auto& update = db_.prepared(
        "UPDATE comments SET deleted = ?, content_html = '', summary = NULL, attachments = NULL "
        "WHERE object_id = ? AND deleted IS NULL");
    update.bind(1, static_cast<int64_t>(when));
    update.bind(2, std::string(object_id));
    return update.exec() > 0;
}

int Comments::delete_by_actor(std::string_view actor_id, Timestamp when) {
    std::lock_guard lock(db_.mutex());
    auto& update = db_.prepared(
        "UPDATE comments SET deleted = ?, content_html = '', summary = NULL, attachments = NULL "
        "WHERE actor_id = ? AND deleted IS NULL");
    update.bind(1, static_cast<int64_t>(when));
    update.bind(2, std::string(actor_id));
    return update.exec();
}

std::vector<Comment> Comments::for_post(std::int64_t post_id) {
    std::lock_guard lock(db_.mutex());
    static const std::string sql = std::string(select_columns) + "WHERE post_id = ? ORDER BY published, id";
    auto& query = db_.prepared(sql.c_str());
    columns::ResetOnExit query_done(query);
    query.bind(1, static_cast<int64_t>(post_id));
    std::vector<Comment> found;
    while (query.executeStep()) found.push_back(read_comment(query));
    return found;
}

bool Comments::has_approved_from(std::string_view actor_id) {
    std::lock_guard lock(db_.mutex());
    auto& query = db_.prepared(
        "SELECT 1 FROM comments WHERE actor_id = ? AND state = 'approved' AND deleted IS NULL LIMIT 1");
    columns::ResetOnExit query_done(query);
    query.bind(1, std::string(actor_id));
    return query.executeStep();
}

std::optional<Comment> Comments::find(std::int64_t id) {
    std::lock_guard lock(db_.mutex());
    static const std::string sql = std::string(select_columns) + "WHERE id = ?";
    auto& query = db_.prepared(sql.c_str());
    columns::ResetOnExit query_done(query);
    query.bind(1, static_cast<int64_t>(id));
    if (!query.executeStep()) return std::nullopt;
    return read_comment(query);
}

bool Comments::set_state(std::int64_t id, std::string_view state) {
    std::lock_guard lock(db_.mutex());
    auto& update = db_.prepared(
        "UPDATE comments SET state = ?, hidden_by_block = NULL, state_before_block = NULL WHERE id = ?");
    update.bind(1, std::string(state));
    update.bind(2, static_cast<int64_t>(id));
    return update.exec() > 0;
}

std::vector<Comment> Comments::recent(std::string_view state, int limit) {
    std::lock_guard lock(db_.mutex());
    static const std::string sql =
        std::string(select_columns) + "WHERE (?1 = '' OR state = ?1) ORDER BY received_at DESC, id DESC LIMIT ?2";
    auto& query = db_.prepared(sql.c_str());
    columns::ResetOnExit query_done(query);
    query.bind(1, std::string(state));
    query.bind(2, limit);
    std::vector<Comment> found;
    while (query.executeStep()) found.push_back(read_comment(query));
    return found;
}

std::int64_t Comments::insert_local(Comment answer, const std::function<std::string(std::int64_t)>& object_id_for) {
    WriteTransaction transaction(db_);
    // A placeholder unique within this transaction; replaced before anyone else can read the row.
    answer.object_id = "urn:fedblog:answer-being-written";
    answer.local = true;
    auto id = insert(answer);
    if (!id) throw std::runtime_error("an answer is already being written");
    auto& update = db_.prepared("UPDATE comments SET object_id = ? WHERE id = ?");
    update.bind(1, object_id_for(*id));
    update.bind(2, static_cast<int64_t>(*id));
    update.exec();  // a taken object id violates UNIQUE and throws: the transaction rolls back
    transaction.commit();
    return *id;
}

std::vector<Comment> Comments::answers_to(std::int64_t parent_id) {
    std::lock_guard lock(db_.mutex());
    static const std::string sql = std::string(select_columns) + "WHERE parent_id = ? ORDER BY published, id";
    auto& query = db_.prepared(sql.c_str());
    columns::ResetOnExit query_done(query);
    query.bind(1, static_cast<int64_t>(parent_id));
    std::vector<Comment> found;
    while (query.executeStep()) found.push_back(read_comment(query));
    return found;
}

}  // namespace fedblog::store
