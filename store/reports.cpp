#include "store/reports.hpp"

#include <nlohmann/json.hpp>

#include "store/columns.hpp"

namespace fedblog::store {

namespace {

constexpr const char* select_columns =
    "SELECT id, activity_id, actor_id, objects, content, received_at, state, resolved_at FROM reports ";

Report read_report(SQLite::Statement& row) {
    Report report;
    report.id = row.getColumn(0).getInt64();
    report.activity_id = row.getColumn(1).getString();
    report.actor_id = row.getColumn(2).getString();
    auto objects = nlohmann::json::parse(row.getColumn(3).getString(), nullptr, false);
    if (objects.is_array())
        for (const auto& object : objects)
            if (object.is_string()) report.objects.push_back(object.get<std::string>());
    report.content = row.getColumn(4).getString();
    report.received_at = row.getColumn(5).getInt64();
    report.state = row.getColumn(6).getString();
    report.resolved_at = columns::optional_time(row.getColumn(7));
    return report;
}

}  // namespace

std::optional<std::int64_t> Reports::insert(const Report& report) {
    std::lock_guard lock(db_.mutex());
    auto& insert = db_.prepared(
        "INSERT OR IGNORE INTO reports (activity_id, actor_id, objects, content, received_at, state) "
        "VALUES (?, ?, ?, ?, ?, ?)");
    insert.bind(1, report.activity_id);
    insert.bind(2, report.actor_id);
    insert.bind(3, nlohmann::json(report.objects).dump());
    insert.bind(4, report.content);
    insert.bind(5, static_cast<int64_t>(report.received_at));
    insert.bind(6, report.state);
    if (insert.exec() == 0) return std::nullopt;
    return db_.sqlite().getLastInsertRowid();
}

std::optional<Report> Reports::find(std::int64_t id) {
    std::lock_guard lock(db_.mutex());
    static const std::string sql = std::string(select_columns) + "WHERE id = ?";
    auto& query = db_.prepared(sql.c_str());
    columns::ResetOnExit query_done(query);
    query.bind(1, static_cast<int64_t>(id));
    if (!query.executeStep()) return std::nullopt;
    return read_report(query);
}

std::vector<Report> Reports::list(std::string_view state, int limit) {
    std::lock_guard lock(db_.mutex());
    static const std::string sql =
        std::string(select_columns) + "WHERE (?1 = '' OR state = ?1) ORDER BY received_at DESC, id DESC LIMIT ?2";
    auto& query = db_.prepared(sql.c_str());
    columns::ResetOnExit query_done(query);
    query.bind(1, std::string(state));
    query.bind(2, limit);
    std::vector<Report> found;
    while (query.executeStep()) found.push_back(read_report(query));
    return found;
}

bool Reports::resolve(std::int64_t id, Timestamp now) {
    std::lock_guard lock(db_.mutex());
    auto& update = db_.prepared("UPDATE reports SET state = 'resolved', resolved_at = ? WHERE id = ? AND state = 'open'");
    update.bind(1, static_cast<int64_t>(now));
    update.bind(2, static_cast<int64_t>(id));
    return update.exec() > 0;
}

}  // namespace fedblog::store
