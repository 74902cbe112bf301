#pragma once
// The owner's blocks: a domain (its subdomains too) or one actor. The inbox refuses them, the fan-out skips
// them, and the comments they wrote are hidden while the block stands. Which URL a block matches is decided
// above the store (activitypub/inbox/blocking); here are the rows and the comment bookkeeping.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/database.hpp"
#include "store/post.hpp"

namespace fedblog::store {

struct Block {
    std::int64_t id = 0;
    std::string kind;    // "domain" | "actor"
    std::string target;  // a lower-case domain, or an actor id exactly as published
    std::string reason;  // the owner's note
    Timestamp created_at = 0;
    bool configured = false;  // mirrors the blocked_domains setting: added and lifted with it, never by hand
};

class Blocks {
public:
    explicit Blocks(Database& db) : db_(db) {}

    // The new block's id; nothing when the target is blocked already (left as it is).
    std::optional<std::int64_t> add(std::string_view kind, std::string_view target, std::string_view reason,
                                    Timestamp now, bool configured = false);
    std::optional<Block> find(std::string_view target);
    bool remove(std::int64_t id);
    // Oldest first.
    std::vector<Block> list();
    // The block among `targets` (an actor id, its host and each parent domain), an actor's first: one query
    // on the unique index, cheap enough for every inbox request.
    std::optional<Block> first_of(const std::vector<std::string>& targets);
    // The blocked domains, for checks over many hosts at once (a fan-out).
    std::vector<std::string> domains();

    // Hides every comment of the actor (or of the host, an authority as comments.actor_host holds it) that
    // is not hidden already, remembering the block and the state it had. Returns how many.
    int hide_comments_of_actor(std::int64_t block_id, std::string_view actor_id);
    int hide_comments_of_host(std::int64_t block_id, std::string_view host);
    // The block is lifted: the comments it hid go back to the state they had. Returns how many.
    int restore_comments(std::int64_t block_id);
    // Every authority some comment came from.
    std::vector<std::string> comment_hosts();

private:
    Database& db_;
};

}  // namespace fedblog::store
