#pragma once
// The `blocked_domains` setting made to act like `fedblog block add`: each configured domain is mirrored into
// the store's blocks (marked `configured`), so the comments from it are hidden, its follows end with a Reject,
// its pending deliveries are abandoned and the fan-out skips it; a domain taken out of the setting is lifted
// and the comments it hid come back. Run by `fedblog serve` at start and on every reload.
#include <string>
#include <vector>

#include "activitypub/ids.hpp"
#include "activitypub/inbox/blocking.hpp"
#include "store/database.hpp"

namespace fedblog::activitypub::inbox {

struct ConfiguredBlocksSync {
    std::vector<std::string> applied;  // domains newly blocked
    std::vector<std::string> lifted;   // domains no longer in the setting
    BlockEffects effects;              // of the applied ones, summed
    int comments_restored = 0;         // by the lifted ones

    bool changed() const { return !applied.empty() || !lifted.empty(); }
};

// One transaction. `domains` are normalized (as the configuration reader leaves them). A domain blocked by
// `fedblog block add` already stays that command's block: the setting neither re-applies nor lifts it.
ConfiguredBlocksSync sync_configured_blocks(store::Database& db, const Ids& ids, const std::vector<std::string>& domains,
                                            store::Timestamp now);

}  // namespace fedblog::activitypub::inbox
