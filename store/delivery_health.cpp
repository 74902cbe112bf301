#include "store/delivery_health.hpp"

namespace fedblog::store {

DeliveryHealth delivery_health(Database& db) {
    std::lock_guard lock(db.mutex());
    SQLite::Database& sql = db.sqlite();
    DeliveryHealth health;
    SQLite::Statement counts(sql, "SELECT count(*) FILTER (WHERE state = 'pending'), "
                                  "count(*) FILTER (WHERE state = 'dead') FROM deliveries");
    if (counts.executeStep()) {
        health.pending = counts.getColumn(0).getInt();
        health.dead = counts.getColumn(1).getInt();
    }
    SQLite::Statement oldest(sql, "SELECT created_at, host, attempts, coalesce(last_error, '') FROM deliveries "
                                  "WHERE state = 'pending' ORDER BY created_at, id LIMIT 1");
    if (oldest.executeStep())
        health.oldest_pending = DeliveryHealth::Oldest{oldest.getColumn(0).getInt64(), oldest.getColumn(1).getString(),
                                                       oldest.getColumn(2).getInt(), oldest.getColumn(3).getString()};
    SQLite::Statement parked(sql, "SELECT h.host, h.unavailable_since, "
                                  "(SELECT count(*) FROM deliveries d WHERE d.host = h.host AND d.state = 'pending') "
                                  "FROM hosts h WHERE h.unavailable_since IS NOT NULL ORDER BY h.host");
    while (parked.executeStep())
        health.parked.push_back({parked.getColumn(0).getString(), parked.getColumn(1).getInt64(), parked.getColumn(2).getInt()});
    return health;
}

}  // namespace fedblog::store
