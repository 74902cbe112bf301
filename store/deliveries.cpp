#include "store/deliveries.hpp"

#include <unordered_map>

#include "store/columns.hpp"
#include "store/transaction.hpp"

namespace fedblog::store {

namespace {

using namespace columns;

// Every job query reads from `d` joined to its body; callers append WHERE/ORDER BY on d's columns.
constexpr const char* select_jobs =
    "SELECT d.id, d.activity_id, d.inbox, d.host, coalesce(b.body, ''), d.state, d.attempts, d.next_attempt, "
    "d.created_at, d.finished_at, d.last_error FROM deliveries d "
    "LEFT JOIN delivery_bodies b ON b.activity_id = d.activity_id ";

DeliveryJob read_job(SQLite::Statement& row) {
    DeliveryJob job;
    job.id = row.getColumn(0).getInt64();
    job.activity_id = row.getColumn(1).getString();
    job.inbox = row.getColumn(2).getString();
    job.host = row.getColumn(3).getString();
    job.body = row.getColumn(4).getString();
    job.state = row.getColumn(5).getString();
    job.attempts = row.getColumn(6).getInt();
    job.next_attempt = row.getColumn(7).getInt64();
    job.created_at = row.getColumn(8).getInt64();
    job.finished_at = optional_time(row.getColumn(9));
    job.last_error = text_or_empty(row.getColumn(10));
    return job;
}

// A list of ids as the JSON array json_each() reads: a whole batch bound as one parameter.
std::string id_array(const std::vector<std::int64_t>& ids) {
    std::string array = "[";
    for (std::size_t i = 0; i < ids.size(); ++i) array += (i ? "," : "") + std::to_string(ids[i]);
    return array + "]";
}

std::vector<DeliveryJob> read_jobs(SQLite::Statement& query) {
    std::vector<DeliveryJob> jobs;
    while (query.executeStep()) jobs.push_back(read_job(query));
    return jobs;
}

}  // namespace

int Deliveries::enqueue_locked(Database& db, std::string_view activity_id, std::string_view body,
                               const std::vector<DeliveryTarget>& targets, Timestamp now) {
    // The body once per activity; the UNIQUE (activity_id, inbox) constraint dedupes the jobs, within `targets`
    // and across calls.
    auto& keep_body = db.prepared("INSERT OR IGNORE INTO delivery_bodies (activity_id, body) VALUES (?, ?)");
    keep_body.bind(1, std::string(activity_id));
    keep_body.bind(2, std::string(body));
    keep_body.exec();
    auto& insert = db.prepared(
        "INSERT OR IGNORE INTO deliveries (activity_id, inbox, host, state, attempts, next_attempt, created_at) "
        "VALUES (?, ?, ?, 'pending', 0, ?, ?)");
    int added = 0;
    for (const auto& target : targets) {
        insert.reset();
        insert.bind(1, std::string(activity_id));
        insert.bind(2, target.inbox);
        insert.bind(3, target.host);
        insert.bind(4, static_cast<int64_t>(now));
        insert.bind(5, static_cast<int64_t>(now));
        added += insert.exec();
    }
    return added;
}

int Deliveries::enqueue(std::string_view activity_id, std::string_view body,
                        const std::vector<DeliveryTarget>& targets, Timestamp now) {
    WriteTransaction transaction(db_);
    int added = enqueue_locked(db_, activity_id, body, targets, now);
    transaction.commit();
    return added;
}

std::vector<DeliveryJob> Deliveries::due(Timestamp now, int limit, int per_host) {
    std::lock_guard lock(db_.mutex());
    // Ranking within each host caps how many requests one slow server can hold at once.
    // Ranked over ids and hosts only: the bodies are read for the chosen few.
    static const std::string sql = std::string(select_jobs) +
                                   "WHERE d.id IN (SELECT id FROM (SELECT id, next_attempt, ROW_NUMBER() OVER "
                                   "(PARTITION BY host ORDER BY next_attempt, id) AS place FROM deliveries "
                                   "WHERE state = 'pending' AND claimed_at IS NULL AND next_attempt <= ?1 "
                                   "AND host NOT IN (SELECT host FROM hosts WHERE unavailable_since IS NOT NULL)) "
                                   "WHERE place <= ?2 ORDER BY next_attempt, id LIMIT ?3) "
                                   "ORDER BY d.next_attempt, d.id";
    auto& query = db_.prepared(sql.c_str());
    columns::ResetOnExit query_done(query);
    query.bind(1, static_cast<int64_t>(now));
    query.bind(2, per_host);
    query.bind(3, limit);
    return read_jobs(query);
}

std::vector<ReadyJob> Deliveries::ready(Timestamp now, int limit) {
    std::lock_guard lock(db_.mutex());
    // Walks deliveries_due from the first pending job in (next_attempt, id) order: no sort, no body.
    auto& query = db_.prepared(
        "SELECT id, host, next_attempt FROM deliveries WHERE state = 'pending' AND claimed_at IS NULL AND next_attempt <= ?1 "
        "AND host NOT IN (SELECT host FROM hosts WHERE unavailable_since IS NOT NULL) "
        "ORDER BY next_attempt, id LIMIT ?2");
    columns::ResetOnExit query_done(query);
    query.bind(1, static_cast<int64_t>(now));
    query.bind(2, limit);
    std::vector<ReadyJob> jobs;
    while (query.executeStep())
        jobs.push_back({query.getColumn(0).getInt64(), query.getColumn(1).getString(), query.getColumn(2).getInt64()});
    return jobs;
}

std::vector<ReadyJob> Deliveries::ready_after(Timestamp now, const ReadyJob& last, int limit) {
    std::lock_guard lock(db_.mutex());
    auto& query = db_.prepared(
        "SELECT id, host, next_attempt FROM deliveries WHERE state = 'pending' AND claimed_at IS NULL "
        "AND next_attempt <= ?1 AND (next_attempt, id) > (?3, ?4) "
        "AND host NOT IN (SELECT host FROM hosts WHERE unavailable_since IS NOT NULL) "
        "ORDER BY next_attempt, id LIMIT ?2");
    columns::ResetOnExit query_done(query);
    query.bind(1, static_cast<int64_t>(now));
    query.bind(2, limit);
    query.bind(3, static_cast<int64_t>(last.next_attempt));
    query.bind(4, static_cast<int64_t>(last.id));
    std::vector<ReadyJob> jobs;
    while (query.executeStep())
        jobs.push_back({query.getColumn(0).getInt64(), query.getColumn(1).getString(), query.getColumn(2).getInt64()});
    return jobs;
}

std::vector<DeliveryJob> Deliveries::due_probes(Timestamp now, Timestamp probe_before) {
    WriteTransaction transaction(db_);
    // The oldest waiting job goes first, whether or not its retry is due: the probe is about the host.
    // CROSS JOIN and "+e.state": from the few unavailable hosts to their rows by deliveries_host, not through every
    // pending job (or every job) looking each host up.
    static const std::string sql =
        std::string(select_jobs) +
        "WHERE d.id IN (SELECT id FROM (SELECT e.id, ROW_NUMBER() OVER (PARTITION BY e.host ORDER BY e.next_attempt, "
        "e.id) AS place FROM hosts h CROSS JOIN deliveries e ON e.host = h.host WHERE h.unavailable_since IS NOT NULL "
        "AND (h.last_probe IS NULL OR h.last_probe <= ?) AND +e.state = 'pending' AND e.claimed_at IS NULL) "
        "WHERE place = 1) ORDER BY d.host";
    auto& query = db_.prepared(sql.c_str());
    columns::ResetOnExit query_done(query);
    query.bind(1, static_cast<int64_t>(probe_before));
    auto probes = read_jobs(query);
    auto& probed = db_.prepared("UPDATE hosts SET last_probe = ? WHERE host = ?");
    for (const auto& job : probes) {
        probed.reset();
        probed.bind(1, static_cast<int64_t>(now));
        probed.bind(2, job.host);
        probed.exec();
    }
    transaction.commit();
    return probes;
}

void Deliveries::claim(std::int64_t id, Timestamp now) {
    std::lock_guard lock(db_.mutex());
    auto& update = db_.prepared("UPDATE deliveries SET claimed_at = ? WHERE id = ? AND state = 'pending'");
    update.bind(1, static_cast<int64_t>(now));
    update.bind(2, static_cast<int64_t>(id));
    update.exec();
}

std::vector<DeliveryJob> Deliveries::claim_pending(const std::vector<std::int64_t>& ids, Timestamp now) {
    if (ids.empty()) return {};
    std::lock_guard lock(db_.mutex());
    // "+state": without it the planner walks every pending job through deliveries_due instead of looking the
    // few ids up by rowid. OR FAIL: see mark_done below.
    auto& update = db_.prepared(
        "UPDATE OR FAIL deliveries SET claimed_at = ?1 WHERE id IN (SELECT value FROM json_each(?2)) "
        "AND +state = 'pending' "
        "RETURNING id, activity_id, inbox, host, attempts, next_attempt, created_at");
    columns::ResetOnExit update_done(update);
    update.bind(1, static_cast<int64_t>(now));
    update.bind(2, id_array(ids));
    std::unordered_map<std::int64_t, DeliveryJob> claimed;
    while (update.executeStep()) {
        DeliveryJob job;
        job.id = update.getColumn(0).getInt64();
        job.activity_id = update.getColumn(1).getString();
        job.inbox = update.getColumn(2).getString();
        job.host = update.getColumn(3).getString();
        job.state = "pending";
        job.attempts = update.getColumn(4).getInt();
        job.next_attempt = update.getColumn(5).getInt64();
        job.created_at = update.getColumn(6).getInt64();
        claimed.emplace(job.id, std::move(job));
    }
    std::vector<DeliveryJob> jobs;
    jobs.reserve(claimed.size());
    for (auto id : ids)
        if (auto found = claimed.find(id); found != claimed.end()) jobs.push_back(std::move(found->second));
    return jobs;
}

std::string Deliveries::body(std::string_view activity_id) {
    std::lock_guard lock(db_.mutex());
    auto& query = db_.prepared("SELECT body FROM delivery_bodies WHERE activity_id = ?");
    columns::ResetOnExit query_done(query);
    query.bind(1, std::string(activity_id));
    return query.executeStep() ? query.getColumn(0).getString() : std::string();
}

int Deliveries::release_claims() {
    std::lock_guard lock(db_.mutex());
    auto& update = db_.prepared("UPDATE deliveries SET claimed_at = NULL WHERE claimed_at IS NOT NULL");
    return update.exec();
}

void Deliveries::release(const std::vector<std::int64_t>& ids) {
    if (ids.empty()) return;
    std::lock_guard lock(db_.mutex());
    auto& update = db_.prepared(
        "UPDATE deliveries SET claimed_at = NULL WHERE id IN (SELECT value FROM json_each(?1)) AND +state = 'pending'");
    update.bind(1, id_array(ids));
    update.exec();
}

void Deliveries::mark_done(std::int64_t id, Timestamp now) {
    std::lock_guard lock(db_.mutex());
    auto& update = db_.prepared(
        "UPDATE deliveries SET state = 'done', attempts = attempts + 1, claimed_at = NULL, finished_at = ? "
        "WHERE id = ?");
    update.bind(1, static_cast<int64_t>(now));
    update.bind(2, static_cast<int64_t>(id));
    update.exec();
}

void Deliveries::mark_done(const std::vector<std::int64_t>& ids, Timestamp now) {
    if (ids.empty()) return;
    std::lock_guard lock(db_.mutex());
    // OR FAIL: a statement that changes many rows and may abort midway keeps a statement journal to undo its
    // own part, which for a batch spills to a temporary file and doubled its cost. Nothing is lost without
    // it: a failure throws, and the caller's transaction rolls back as a whole.
    auto& update = db_.prepared(
        "UPDATE OR FAIL deliveries SET state = 'done', attempts = attempts + 1, claimed_at = NULL, finished_at = ?1 "
        "WHERE id IN (SELECT value FROM json_each(?2))");
    update.bind(1, static_cast<int64_t>(now));
    update.bind(2, id_array(ids));
    update.exec();
}

void Deliveries::reschedule(std::int64_t id, Timestamp next_attempt, std::string_view error) {
    std::lock_guard lock(db_.mutex());
    auto& update = db_.prepared(
        "UPDATE deliveries SET attempts = attempts + 1, claimed_at = NULL, next_attempt = ?, last_error = ? "
        "WHERE id = ?");
    update.bind(1, static_cast<int64_t>(next_attempt));
    update.bind(2, std::string(error));
    update.bind(3, static_cast<int64_t>(id));
    update.exec();
}

void Deliveries::mark_dead(std::int64_t id, Timestamp now, std::string_view error) {
    std::lock_guard lock(db_.mutex());
    auto& update = db_.prepared(
        "UPDATE deliveries SET state = 'dead', attempts = attempts + 1, claimed_at = NULL, finished_at = ?, "
        "last_error = ? WHERE id = ?");
    update.bind(1, static_cast<int64_t>(now));
    update.bind(2, std::string(error));
    update.bind(3, static_cast<int64_t>(id));
    update.exec();
}

int Deliveries::abandon_inbox(std::string_view inbox, Timestamp now, std::string_view reason) {
    std::lock_guard lock(db_.mutex());
    auto& update = db_.prepared(
        "UPDATE deliveries SET state = 'dead', finished_at = ?, last_error = ? "
        "WHERE inbox = ? AND state = 'pending' AND claimed_at IS NULL");
    update.bind(1, static_cast<int64_t>(now));
    update.bind(2, std::string(reason));
    update.bind(3, std::string(inbox));
    return update.exec();
}

int Deliveries::abandon_host(std::string_view host, Timestamp now, std::string_view reason) {
    std::lock_guard lock(db_.mutex());
    auto& update = db_.prepared(
        "UPDATE deliveries SET state = 'dead', finished_at = ?, last_error = ? "
        "WHERE host = ? AND state = 'pending' AND claimed_at IS NULL");
    update.bind(1, static_cast<int64_t>(now));
    update.bind(2, std::string(reason));
    update.bind(3, std::string(host));
    return update.exec();
}

std::vector<std::string> Deliveries::pending_hosts() {
    std::lock_guard lock(db_.mutex());
    auto& query = db_.prepared("SELECT DISTINCT host FROM deliveries WHERE state = 'pending'");
    columns::ResetOnExit query_done(query);
    std::vector<std::string> hosts;
    while (query.executeStep()) hosts.push_back(query.getColumn(0).getString());
    return hosts;
}

bool Deliveries::retry(std::int64_t id, Timestamp now) {
    std::lock_guard lock(db_.mutex());
    // The claim stays: a job in a worker's hands must not be handed out twice.
    auto& update = db_.prepared(
        "UPDATE deliveries SET state = 'pending', next_attempt = ?, finished_at = NULL "
        "WHERE id = ? AND state IN ('pending', 'dead')");
    update.bind(1, static_cast<int64_t>(now));
    update.bind(2, static_cast<int64_t>(id));
    return update.exec() == 1;
}

int Deliveries::retry_dead(std::string_view host, Timestamp now) {
    std::lock_guard lock(db_.mutex());
    auto& update = db_.prepared(
        "UPDATE deliveries SET state = 'pending', next_attempt = ?1, finished_at = NULL "
        "WHERE state = 'dead' AND (?2 = '' OR host = ?2)");
    update.bind(1, static_cast<int64_t>(now));
    update.bind(2, std::string(host));
    return update.exec();
}

std::vector<HostDeliveries> Deliveries::by_host() {
    std::lock_guard lock(db_.mutex());
    // Failure times are not stored: a failing pending job speaks for the trouble now, else the latest dead one.
    auto& query = db_.prepared(
        "SELECT d.host, sum(d.state = 'pending'), sum(d.state = 'pending' AND d.attempts > 0), "
        "sum(d.state = 'dead'), sum(d.state = 'done'), min(CASE WHEN d.state = 'pending' THEN d.next_attempt END), "
        "(SELECT e.last_error FROM deliveries e WHERE e.host = d.host AND e.state <> 'done' "
        "AND e.last_error IS NOT NULL ORDER BY e.state = 'pending' DESC, coalesce(e.finished_at, e.next_attempt) DESC, "
        "e.id DESC LIMIT 1), "
        "EXISTS (SELECT 1 FROM hosts h WHERE h.host = d.host AND h.unavailable_since IS NOT NULL) "
        "FROM deliveries d GROUP BY d.host ORDER BY d.host");
    columns::ResetOnExit query_done(query);
    std::vector<HostDeliveries> hosts;
    while (query.executeStep()) {
        HostDeliveries row;
        row.host = query.getColumn(0).getString();
        row.pending = query.getColumn(1).getInt();
        row.failing = query.getColumn(2).getInt();
        row.dead = query.getColumn(3).getInt();
        row.done = query.getColumn(4).getInt();
        row.next_attempt = optional_time(query.getColumn(5));
        row.last_error = text_or_empty(query.getColumn(6));
        row.unavailable = query.getColumn(7).getInt() != 0;
        hosts.push_back(std::move(row));
    }
    return hosts;
}

std::vector<DeliveryJob> Deliveries::list(std::string_view state, std::string_view host, int limit) {
    std::lock_guard lock(db_.mutex());
    static const std::string sql = std::string(select_jobs) +
                                   "WHERE (?1 = '' OR d.state = ?1) AND (?2 = '' OR d.host = ?2) "
                                   "ORDER BY d.created_at DESC, d.id DESC LIMIT ?3";
    auto& query = db_.prepared(sql.c_str());
    columns::ResetOnExit query_done(query);
    query.bind(1, std::string(state));
    query.bind(2, std::string(host));
    query.bind(3, limit);
    return read_jobs(query);
}

std::optional<DeliveryJob> Deliveries::find(std::int64_t id) {
    std::lock_guard lock(db_.mutex());
    static const std::string sql = std::string(select_jobs) + "WHERE d.id = ?";
    auto& query = db_.prepared(sql.c_str());
    columns::ResetOnExit query_done(query);
    query.bind(1, static_cast<int64_t>(id));
    if (!query.executeStep()) return std::nullopt;
    return read_job(query);
}

int Deliveries::count(std::string_view state) {
    std::lock_guard lock(db_.mutex());
    auto& query = db_.prepared("SELECT count(*) FROM deliveries WHERE state = ?");
    columns::ResetOnExit query_done(query);
    query.bind(1, std::string(state));
    query.executeStep();
    return query.getColumn(0).getInt();
}

int Deliveries::forget_done_before(Timestamp before) {
    std::lock_guard lock(db_.mutex());
    auto& erase = db_.prepared("DELETE FROM deliveries WHERE state = 'done' AND finished_at < ?");
    erase.bind(1, static_cast<int64_t>(before));
    int forgotten = erase.exec();
    auto& orphans = db_.prepared(
        "DELETE FROM delivery_bodies WHERE NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.activity_id = "
        "delivery_bodies.activity_id)");
    orphans.exec();
    return forgotten;
}

}  // namespace fedblog::store
