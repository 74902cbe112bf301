#pragma once
// How fast comments arrive, per actor and per host: what the spam signals compare with their limits. Each
// count stops at `cap` (a limit + 1 is enough to know it is exceeded) and reads an index on
// (actor, received_at) or (host, received_at), so a flood costs no more than the limit to measure.
#include <string_view>

#include "store/database.hpp"
#include "store/post.hpp"

namespace fedblog::store {

class CommentRates {
public:
    explicit CommentRates(Database& db) : db_(db) {}

    // Comments from the actor received at or after `since`.
    int from_actor(std::string_view actor_id, Timestamp since, int cap);
    // Comments from the host (an authority, lower-case: "m.example", "m.example:8443").
    int from_host(std::string_view host, Timestamp since, int cap);
    // Actors of the host whose first comment here arrived at or after `since`.
    int new_commenters_from_host(std::string_view host, Timestamp since, int cap);
    // Whether the actor ever commented here (any state, deleted ones too).
    bool has_commented(std::string_view actor_id);

private:
    Database& db_;
};

}  // namespace fedblog::store
