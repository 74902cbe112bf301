#pragma once
// The delivery queue at a glance, for `fedblog doctor`: what is stuck, since when, and where.
#include <optional>
#include <string>
#include <vector>

#include "store/database.hpp"
#include "store/post.hpp"

namespace fedblog::store {

struct DeliveryHealth {
    int pending = 0;
    int dead = 0;
    struct Oldest {
        Timestamp created_at = 0;
        std::string host;
        int attempts = 0;
        std::string last_error;
    };
    std::optional<Oldest> oldest_pending;
    struct ParkedHost {
        std::string host;
        Timestamp since = 0;
        int pending = 0;
    };
    std::vector<ParkedHost> parked;  // hosts marked unavailable, by name
};

DeliveryHealth delivery_health(Database& db);

}  // namespace fedblog::store
