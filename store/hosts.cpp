#include "store/hosts.hpp"

#include <nlohmann/json.hpp>

#include "store/columns.hpp"
#include "store/transaction.hpp"

namespace fedblog::store {

namespace {

using namespace columns;

constexpr std::int64_t seconds_per_day = 86400;

constexpr const char* select_columns =
    "SELECT host, failure_days, last_failure_day, unavailable_since, last_probe FROM hosts ";

HostHealth read_health(SQLite::Statement& row) {
    HostHealth health;
    health.host = row.getColumn(0).getString();
    health.failure_days = row.getColumn(1).getInt();
    health.last_failure_day = optional_time(row.getColumn(2));
    health.unavailable_since = optional_time(row.getColumn(3));
    health.last_probe = optional_time(row.getColumn(4));
    return health;
}

std::optional<HostHealth> find_locked(Database& db, std::string_view host) {
    static const std::string sql = std::string(select_columns) + "WHERE host = ?";
    auto& query = db.prepared(sql.c_str());
    columns::ResetOnExit query_done(query);
    query.bind(1, std::string(host));
    if (!query.executeStep()) return std::nullopt;
    HostHealth health = read_health(query);
    query.reset();  // leaves no statement running inside record_failure's transaction
    return health;
}

}  // namespace

bool Hosts::record_failure(std::string_view host, Timestamp now, int unavailable_after_days) {
    WriteTransaction transaction(db_);
    const std::int64_t day = now / seconds_per_day;
    HostHealth health = find_locked(db_, host).value_or(HostHealth{});
    // Many failures in one day are one bad day: a burst of deliveries to a host that is briefly down is no sign.
    if (health.last_failure_day == day) return false;
    ++health.failure_days;
    const bool made_unavailable = !health.unavailable_since && health.failure_days >= unavailable_after_days;
    if (made_unavailable) health.unavailable_since = now;
    auto& upsert = db_.prepared(
        "INSERT INTO hosts (host, failure_days, last_failure_day, unavailable_since) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (host) DO UPDATE SET failure_days = excluded.failure_days, "
        "last_failure_day = excluded.last_failure_day, unavailable_since = excluded.unavailable_since");
    upsert.bind(1, std::string(host));
    upsert.bind(2, health.failure_days);
    upsert.bind(3, static_cast<int64_t>(day));
    bind_time_or_null(upsert, 4, health.unavailable_since);
    upsert.exec();
    if (made_unavailable) {
        // The failure that parked the host counts as today's probe: the next one goes out a day later.
        auto& probed = db_.prepared("UPDATE hosts SET last_probe = ? WHERE host = ?");
        probed.bind(1, static_cast<int64_t>(now));
        probed.bind(2, std::string(host));
        probed.exec();
    }
    transaction.commit();
    return made_unavailable;
}

bool Hosts::record_success(std::string_view host) {
    std::lock_guard lock(db_.mutex());
    // Called for every delivery and every signed request: a healthy host costs one read and no write.
    auto health = find_locked(db_, host);
    if (!health || (health->failure_days == 0 && !health->unavailable_since)) return false;
    auto& reset = db_.prepared(
        "UPDATE hosts SET failure_days = 0, last_failure_day = NULL, unavailable_since = NULL, last_probe = NULL "
        "WHERE host = ?");
    reset.bind(1, std::string(host));
    reset.exec();
    return health->unavailable_since.has_value();
}

std::vector<std::string> Hosts::record_successes(const std::vector<std::string>& hosts) {
    std::vector<std::string> available_again;
    if (hosts.empty()) return available_again;
    std::lock_guard lock(db_.mutex());
    // Only hosts with something to reset, of which there are usually none: one read for the whole batch.
    auto& query = db_.prepared(
        "SELECT host FROM hosts WHERE host IN (SELECT value FROM json_each(?)) "
        "AND (failure_days > 0 OR unavailable_since IS NOT NULL)");
    std::vector<std::string> failing;
    {
        columns::ResetOnExit query_done(query);
        query.bind(1, nlohmann::json(hosts).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
        while (query.executeStep()) failing.push_back(query.getColumn(0).getString());
    }
    for (const auto& host : failing)
        if (record_success(host)) available_again.push_back(host);
    return available_again;
}

bool Hosts::is_unavailable(std::string_view host) {
    std::lock_guard lock(db_.mutex());
    auto& query = db_.prepared("SELECT 1 FROM hosts WHERE host = ? AND unavailable_since IS NOT NULL");
    columns::ResetOnExit query_done(query);
    query.bind(1, std::string(host));
    return query.executeStep();
}

std::optional<HostHealth> Hosts::find(std::string_view host) {
    std::lock_guard lock(db_.mutex());
    return find_locked(db_, host);
}

std::vector<HostHealth> Hosts::unavailable() {
    std::lock_guard lock(db_.mutex());
    static const std::string sql = std::string(select_columns) + "WHERE unavailable_since IS NOT NULL ORDER BY host";
    auto& query = db_.prepared(sql.c_str());
    columns::ResetOnExit query_done(query);
    std::vector<HostHealth> found;
    while (query.executeStep()) found.push_back(read_health(query));
    return found;
}

std::optional<std::string> Hosts::signature_scheme(std::string_view host) {
    std::lock_guard lock(db_.mutex());
    auto& query = db_.prepared("SELECT signature_scheme FROM hosts WHERE host = ? AND signature_scheme IS NOT NULL");
    columns::ResetOnExit query_done(query);
    query.bind(1, std::string(host));
    if (!query.executeStep()) return std::nullopt;
    return query.getColumn(0).getString();
}

void Hosts::set_signature_scheme(std::string_view host, std::string_view scheme) {
    std::lock_guard lock(db_.mutex());
    auto& upsert = db_.prepared(
        "INSERT INTO hosts (host, signature_scheme) VALUES (?, ?) "
        "ON CONFLICT (host) DO UPDATE SET signature_scheme = excluded.signature_scheme");
    upsert.bind(1, std::string(host));
    upsert.bind(2, std::string(scheme));
    upsert.exec();
}

std::vector<std::pair<std::string, std::string>> Hosts::signature_schemes() {
    std::lock_guard lock(db_.mutex());
    auto& query =
        db_.prepared("SELECT host, signature_scheme FROM hosts WHERE signature_scheme IS NOT NULL ORDER BY host");
    std::vector<std::pair<std::string, std::string>> schemes;
    while (query.executeStep()) schemes.emplace_back(query.getColumn(0).getString(), query.getColumn(1).getString());
    return schemes;
}

}  // namespace fedblog::store
