#pragma once
// Blocks as the inbox and the owner's `fedblog block` commands apply them: the domains of the
// `blocked_domains` setting, and the store's blocks (domains and single actors), which a running server sees
// as soon as the command commits (BlockCache: read again whenever the database changed).
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "activitypub/ids.hpp"
#include "store/blocks.hpp"
#include "store/database.hpp"

namespace fedblog::activitypub::inbox {

struct BlockMatch {
    std::string kind;    // "domain" | "actor"
    std::string target;  // the blocked domain or actor id
    bool configured = false;  // from the blocked_domains setting rather than `fedblog block add`
};

// The block covering `url` (an actor id, or any id on its host), if any: the actor itself, its host, or a
// parent domain of it.
std::optional<BlockMatch> find_block(store::Database& db, const std::vector<std::string>& configured_domains,
                                     const std::string& url);

// The store's blocks held in memory for the inbox, which asks for every activity. `reader` is a connection
// of its own to the database file: its PRAGMA data_version moves with every commit by any other connection
// (this process's writer, `fedblog block` in another process), and only then are the blocks read again, so
// a block applies as soon as it is committed. A reader connection also never waits for the writer's lock.
class BlockCache {
public:
    explicit BlockCache(store::Database& reader) : reader_(reader) {}
    // As find_block.
    std::optional<BlockMatch> find(const std::vector<std::string>& configured_domains, const std::string& url);

private:
    store::Database& reader_;
    std::mutex mutex_;
    std::int64_t version_ = -1;                              // guarded by mutex_
    std::unordered_map<std::string, store::Block> blocks_;  // by target; guarded by mutex_
};

struct BlockEffects {
    int comments_hidden = 0;
    int followers_removed = 0;  // each sent a Reject
    int deliveries_abandoned = 0;
    int reactions_removed = 0;  // likes and boosts no longer counted
};

// What a new block does to what is already here, inside the caller's WriteTransaction: the comments of the
// actor (or of every host in the domain) are hidden, remembering the block; pending deliveries to them are
// abandoned; their follows are removed with a Reject, queued after the abandoning so that it still goes out;
// their likes and boosts stop counting (deleted: lifting the block does not bring them back).
BlockEffects apply_block(store::Database& db, const Ids& ids, const store::Block& block, store::Timestamp now);

// The block is lifted: the comments it hid are shown (or held) again as they were. Followers it removed
// stay removed; they may follow again. Returns how many comments came back.
int lift_block(store::Database& db, const store::Block& block);

}  // namespace fedblog::activitypub::inbox
