#include "store/posts.hpp"

#include <nlohmann/json.hpp>

#include "store/columns.hpp"
#include "store/transaction.hpp"

namespace fedblog::store {

namespace {

using namespace columns;

constexpr const char* select_columns =
    "SELECT id, slug, source_path, source_hash, title, summary_html, content_html, language, tags_json, "
    "image_path, image_alt, comments_closed, published, updated, deleted FROM posts ";

std::string tags_to_json(const std::vector<std::string>& tags) { return nlohmann::json(tags).dump(); }

std::vector<std::string> tags_from_json(const std::string& text) {
    auto parsed = nlohmann::json::parse(text, nullptr, false);
    std::vector<std::string> tags;
    if (parsed.is_array())
        for (const auto& tag : parsed)
            if (tag.is_string()) tags.push_back(tag.get<std::string>());
    return tags;
}

Post read_post(SQLite::Statement& row) {
    Post post;
    post.id = row.getColumn(0).getInt64();
    post.slug = row.getColumn(1).getString();
    post.source_path = row.getColumn(2).getString();
    post.source_hash = row.getColumn(3).getString();
    post.title = row.getColumn(4).getString();
    post.summary_html = row.getColumn(5).getString();
    post.content_html = row.getColumn(6).getString();
    post.language = row.getColumn(7).getString();
    post.tags = tags_from_json(row.getColumn(8).getString());
    post.image_path = row.getColumn(9).getString();
    post.image_alt = row.getColumn(10).getString();
    post.comments_closed = row.getColumn(11).getInt() != 0;
    post.published = row.getColumn(12).getInt64();
    post.updated = optional_time(row.getColumn(13));
    post.deleted = optional_time(row.getColumn(14));
    return post;
}

void record_revision(Database& db, std::int64_t post_id, Timestamp when, const std::string& hash) {
    auto& insert = db.prepared("INSERT INTO post_revisions (post_id, revised_at, source_hash) VALUES (?, ?, ?)");
    insert.bind(1, static_cast<int64_t>(post_id));
    insert.bind(2, static_cast<int64_t>(when));
    insert.bind(3, hash);
    insert.exec();
}

}  // namespace

std::vector<Post> Posts::all() {
    std::lock_guard lock(db_.mutex());
    static const std::string sql = std::string(select_columns) + "ORDER BY published DESC, id DESC";
    auto& query = db_.prepared(sql.c_str());
    columns::ResetOnExit query_done(query);
    std::vector<Post> posts;
    while (query.executeStep()) posts.push_back(read_post(query));
    return posts;
}

std::optional<Post> Posts::find_by_slug(std::string_view slug) {
    std::lock_guard lock(db_.mutex());
    static const std::string sql = std::string(select_columns) + "WHERE slug = ?";
    auto& query = db_.prepared(sql.c_str());
    columns::ResetOnExit query_done(query);
    query.bind(1, std::string(slug));
    if (!query.executeStep()) return std::nullopt;
    return read_post(query);
}

std::optional<Post> Posts::find_by_id(std::int64_t id) {
    std::lock_guard lock(db_.mutex());
    static const std::string sql = std::string(select_columns) + "WHERE id = ?";
    auto& query = db_.prepared(sql.c_str());
    columns::ResetOnExit query_done(query);
    query.bind(1, static_cast<int64_t>(id));
    if (!query.executeStep()) return std::nullopt;
    return read_post(query);
}

namespace {

constexpr const char* head_columns = "SELECT id, slug, comments_closed, published, deleted FROM posts ";

Post read_head(SQLite::Statement& row) {
    Post post;
    post.id = row.getColumn(0).getInt64();
    post.slug = row.getColumn(1).getString();
    post.comments_closed = row.getColumn(2).getInt() != 0;
    post.published = row.getColumn(3).getInt64();
    post.deleted = optional_time(row.getColumn(4));
    return post;
}

}  // namespace

std::optional<Post> Posts::find_head_by_slug(std::string_view slug) {
    std::lock_guard lock(db_.mutex());
    static const std::string sql = std::string(head_columns) + "WHERE slug = ?";
    auto& query = db_.prepared(sql.c_str());
    columns::ResetOnExit query_done(query);
    query.bind(1, std::string(slug));
    if (!query.executeStep()) return std::nullopt;
    return read_head(query);
}

std::optional<Post> Posts::find_head_by_id(std::int64_t id) {
    std::lock_guard lock(db_.mutex());
    static const std::string sql = std::string(head_columns) + "WHERE id = ?";
    auto& query = db_.prepared(sql.c_str());
    columns::ResetOnExit query_done(query);
    query.bind(1, static_cast<int64_t>(id));
    if (!query.executeStep()) return std::nullopt;
    return read_head(query);
}

std::optional<Post> Posts::find_by_source(std::string_view source_path) {
    std::lock_guard lock(db_.mutex());
    static const std::string sql = std::string(select_columns) + "WHERE source_path = ? AND deleted IS NULL";
    auto& query = db_.prepared(sql.c_str());
    columns::ResetOnExit query_done(query);
    query.bind(1, std::string(source_path));
    if (!query.executeStep()) return std::nullopt;
    return read_post(query);
}

std::int64_t Posts::insert(const Post& post) {
    WriteTransaction transaction(db_);
    auto& insert = db_.prepared(
        "INSERT INTO posts (slug, source_path, source_hash, title, summary_html, content_html, language, tags_json, "
        "image_path, image_alt, comments_closed, published, updated, deleted) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    insert.bind(1, post.slug);
    insert.bind(2, post.source_path);
    insert.bind(3, post.source_hash);
    insert.bind(4, post.title);
    insert.bind(5, post.summary_html);
    insert.bind(6, post.content_html);
    insert.bind(7, post.language);
    insert.bind(8, tags_to_json(post.tags));
    insert.bind(9, post.image_path);
    insert.bind(10, post.image_alt);
    insert.bind(11, post.comments_closed ? 1 : 0);
    insert.bind(12, static_cast<int64_t>(post.published));
    bind_time_or_null(insert, 13, post.updated);
    bind_time_or_null(insert, 14, post.deleted);
    insert.exec();
    std::int64_t id = db_.sqlite().getLastInsertRowid();
    record_revision(db_, id, post.published, post.source_hash);
    if (observer_) {
        Post stored = post;
        stored.id = id;
        observer_(stored, PostChange::created);
    }
    transaction.commit();
    return id;
}

void Posts::update(const Post& post) {
    WriteTransaction transaction(db_);
    auto& update = db_.prepared(
        "UPDATE posts SET source_path = ?, source_hash = ?, title = ?, summary_html = ?, content_html = ?, "
        "language = ?, tags_json = ?, image_path = ?, image_alt = ?, comments_closed = ?, updated = ? "
        "WHERE id = ? AND deleted IS NULL");
    update.bind(1, post.source_path);
    update.bind(2, post.source_hash);
    update.bind(3, post.title);
    update.bind(4, post.summary_html);
    update.bind(5, post.content_html);
    update.bind(6, post.language);
    update.bind(7, tags_to_json(post.tags));
    update.bind(8, post.image_path);
    update.bind(9, post.image_alt);
    update.bind(10, post.comments_closed ? 1 : 0);
    bind_time_or_null(update, 11, post.updated);
    update.bind(12, static_cast<int64_t>(post.id));
    if (update.exec() != 1) throw std::runtime_error("no live post with id " + std::to_string(post.id));
    record_revision(db_, post.id, post.updated.value_or(post.published), post.source_hash);
    if (observer_) observer_(post, PostChange::updated);
    transaction.commit();
}

void Posts::mark_deleted(std::int64_t id, Timestamp when) {
    WriteTransaction transaction(db_);
    auto& update = db_.prepared("UPDATE posts SET deleted = ? WHERE id = ? AND deleted IS NULL");
    update.bind(1, static_cast<int64_t>(when));
    update.bind(2, static_cast<int64_t>(id));
    if (update.exec() == 1 && observer_) {
        static const std::string sql = std::string(select_columns) + "WHERE id = ?";
        auto& query = db_.prepared(sql.c_str());
        columns::ResetOnExit query_done(query);
        query.bind(1, static_cast<int64_t>(id));
        if (query.executeStep()) {
            Post deleted = read_post(query);
            query.reset();
            observer_(deleted, PostChange::deleted);
        }
    }
    transaction.commit();
}

std::int64_t Posts::count_published() {
    std::lock_guard lock(db_.mutex());
    auto& query = db_.prepared("SELECT count(*) FROM posts WHERE deleted IS NULL");
    columns::ResetOnExit query_done(query);
    query.executeStep();
    return query.getColumn(0).getInt64();
}

std::vector<Timestamp> Posts::revisions(std::int64_t id) {
    std::lock_guard lock(db_.mutex());
    auto& query = db_.prepared("SELECT revised_at FROM post_revisions WHERE post_id = ? ORDER BY revised_at, id");
    columns::ResetOnExit query_done(query);
    query.bind(1, static_cast<int64_t>(id));
    std::vector<Timestamp> times;
    while (query.executeStep()) times.push_back(query.getColumn(0).getInt64());
    return times;
}

}  // namespace fedblog::store
