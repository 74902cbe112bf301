#include "activitypub/transport/connection_pool.hpp"

#include <boost/asio/post.hpp>

namespace fedblog::transport {

void discard(std::unique_ptr<Connection> connection) {
    auto executor = connection->executor();
    boost::asio::post(executor, [connection = std::move(connection)] {});
}

std::vector<std::unique_ptr<Connection>> ConnectionPool::remove_expired(Clock::time_point now) {
    std::vector<std::unique_ptr<Connection>> expired;
    for (auto origin = idle_.begin(); origin != idle_.end();) {
        auto& connections = origin->second;
        auto fresh = connections.begin();
        while (fresh != connections.end() && now - fresh->since >= idle_timeout_) {
            expired.push_back(std::move(fresh->connection));
            ++fresh;
        }
        connections.erase(connections.begin(), fresh);
        origin = connections.empty() ? idle_.erase(origin) : std::next(origin);
    }
    return expired;
}

std::unique_ptr<Connection> ConnectionPool::take(const std::string& origin) {
    std::unique_ptr<Connection> taken;
    std::vector<std::unique_ptr<Connection>> expired;
    {
        std::lock_guard lock(mutex_);
        expired = remove_expired(Clock::now());
        if (auto found = idle_.find(origin); found != idle_.end()) {
            taken = std::move(found->second.back().connection);
            found->second.pop_back();
            if (found->second.empty()) idle_.erase(found);
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
        expired = remove_expired(now);
        auto& connections = idle_[origin];
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
