#pragma once
// Likes and boosts of the blog's posts: one of each kind per actor and post, taken back by an Undo.
#include <string>
#include <string_view>
#include <vector>

#include "store/database.hpp"
#include "store/post.hpp"

namespace fedblog::store {

enum class ReactionKind { like, announce };

struct ReactionCounts {
    std::int64_t likes = 0;
    std::int64_t shares = 0;
};

class Reactions {
public:
    explicit Reactions(Database& db) : db_(db) {}

    // True when counted; false when this actor already reacted so (or the activity id is known).
    bool add(std::int64_t post_id, std::string_view actor_id, ReactionKind kind, std::string_view activity_id,
             Timestamp now);
    // An Undo names the Like or Announce by id; failing that, by who reacted how to which post.
    bool remove_by_activity(std::string_view activity_id, std::string_view actor_id);
    bool remove(std::int64_t post_id, std::string_view actor_id, ReactionKind kind);
    // An actor gone: their reactions go with them.
    int remove_by_actor(std::string_view actor_id);
    // The actors who reacted to anything, for a block that covers a whole domain.
    std::vector<std::string> actors();
    ReactionCounts counts(std::int64_t post_id);

private:
    Database& db_;
};

}  // namespace fedblog::store
