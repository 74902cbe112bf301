#include "activitypub/inbox/configured_blocks.hpp"

#include <algorithm>
#include <map>

#include "common/log.hpp"
#include "store/blocks.hpp"
#include "store/transaction.hpp"

namespace fedblog::activitypub::inbox {

namespace {

constexpr const char* configured_reason = "blocked_domains setting";

void add_effects(BlockEffects& total, const BlockEffects& more) {
    total.comments_hidden += more.comments_hidden;
    total.followers_removed += more.followers_removed;
    total.deliveries_abandoned += more.deliveries_abandoned;
    total.reactions_removed += more.reactions_removed;
}

}  // namespace

ConfiguredBlocksSync sync_configured_blocks(store::Database& db, const Ids& ids, const std::vector<std::string>& domains,
                                            store::Timestamp now) {
    ConfiguredBlocksSync sync;
    store::WriteTransaction transaction(db);
    store::Blocks blocks(db);
    std::map<std::string, store::Block> existing;
    for (auto& block : blocks.list()) existing.emplace(block.target, std::move(block));

    for (const auto& domain : domains) {
        if (existing.contains(domain)) continue;
        auto id = blocks.add("domain", domain, configured_reason, now, true);
        if (!id) continue;  // listed twice
        const store::Block added{*id, "domain", domain, configured_reason, now, true};
        add_effects(sync.effects, apply_block(db, ids, added, now));
        sync.applied.push_back(domain);
    }
    for (const auto& [target, block] : existing) {
        if (!block.configured || std::find(domains.begin(), domains.end(), target) != domains.end()) continue;
        sync.comments_restored += lift_block(db, block);
        sync.lifted.push_back(target);
    }
    transaction.commit();
    if (sync.changed())
        log::info("blocked_domains setting applied", {{"blocked", sync.applied.size()},
                                                      {"lifted", sync.lifted.size()},
                                                      {"comments_hidden", sync.effects.comments_hidden},
                                                      {"comments_restored", sync.comments_restored},
                                                      {"followers_removed", sync.effects.followers_removed}});
    return sync;
}

}  // namespace fedblog::activitypub::inbox
