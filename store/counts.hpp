#pragma once
// Small aggregate reads for NodeInfo, the profile page and the followers collection.
#include <cstdint>
#include <string>
#include <vector>

#include "store/database.hpp"

namespace fedblog::store {

struct Counts {
    std::int64_t posts = 0;      // published, not deleted
    std::int64_t comments = 0;        // approved, public, not deleted
    std::int64_t local_comments = 0;  // of those, the owner's answers (NodeInfo's localComments)
    std::int64_t followers = 0;       // accepted
};

Counts counts(Database& db);
// Accepted followers alone: what the followers collection and the profile page need, asked on every request
// (during a fan-out, under the lock the delivery engine takes): one row kept by triggers, no count.
std::int64_t follower_count(Database& db);

// Accepted followers' actor ids, oldest first, for one page of the followers collection.
std::vector<std::string> follower_ids(Database& db, std::int64_t offset, std::int64_t limit);

}  // namespace fedblog::store
