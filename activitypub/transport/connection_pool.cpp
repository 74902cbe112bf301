#include "activitypub/transport/connection_pool.hpp"

#include <boost/asio/post.hpp>

namespace fedblog::transport {

void discard(std::unique_ptr<Connection> connection) {
    auto executor = connection->executor();
    boost::asio::post(executor, [connection = std::move(connection)] {});
}

ConnectionPool::~ConnectionPool() {
    for (auto& [origin, connections] : idle_)
        for (auto& idle : connections) discard(std::move(idle.connection));
}

std::vector<std::unique_ptr<Connection>> ConnectionPool::remove_expired(Clock::time_point now) {
    std::vector<std::unique_ptr<Connection>> expired;
    for (auto origin = idle_.begin(); origin != idle_.end();) {
        trim(origin->second, now, expired);
        origin = origin->second.empty() ? idle_.erase(origin) : std::next(origin);
    }
    return expired;
}

// The whole pool is swept at most once a second: a sweep walks every origin, and during a fan-out to a hundred
// hosts doing it at each take and put made every delivery walk them all under the pool's lock. The origin at hand is trimmed every time
// (trim), so an expired connection is never handed out nor holds a place.
std::vector<std::unique_ptr<Connection>> ConnectionPool::sweep_if_due(Clock::time_point now) {
    if (now - last_sweep_ < sweep_interval) return {};
    last_sweep_ = now;
    return remove_expired(now);
}

void ConnectionPool::trim(std::vector<Idle>& connections, Clock::time_point now,
                          std::vector<std::unique_ptr<Connection>>& expired) const {
    auto fresh = connections.begin();  // oldest first
    while (fresh != connections.end() && now - fresh->since >= idle_timeout_) {
        expired.push_back(std::move(fresh->connection));
        ++fresh;
    }
    connections.erase(connections.begin(), fresh);
}

std::unique_ptr<Connection> ConnectionPool::take(const std::string& origin) {
    std::unique_ptr<Connection> taken;
    std::vector<std::unique_ptr<Connection>> expired;
    {
        std::lock_guard lock(mutex_);
        const auto now = Clock::now();
        expired = sweep_if_due(now);
        if (auto found = idle_.find(origin); found != idle_.end()) {
            auto& connections = found->second;
            trim(connections, now, expired);
            if (!connections.empty()) {
                taken = std::move(connections.back().connection);
                connections.pop_back();
            }
            if (connections.empty()) idle_.erase(found);
        }
    }
    for (auto& connection : expired) discard(std::move(connection));
    return taken;
}

void ConnectionPool::put(const std::string& origin, std::unique_ptr<Connection> connection) {
    std::vector<std::unique_ptr<Connection>> expired;
    {
        std::lock_guard lock(mutex_);
        auto now = Clock::now();
        expired = sweep_if_due(now);
        auto& connections = idle_[origin];
        trim(connections, now, expired);
        if (connections.size() < max_idle_per_origin_) {
            connections.push_back({std::move(connection), now});
        } else {
            expired.push_back(std::move(connection));
            if (connections.empty()) idle_.erase(origin);
        }
    }
    for (auto& connection : expired) discard(std::move(connection));
}

}  // namespace fedblog::transport
