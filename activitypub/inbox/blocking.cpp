#include "activitypub/inbox/blocking.hpp"

#include "activitypub/delivery/fanout.hpp"
#include "activitypub/inbox/follows.hpp"
#include "common/domains.hpp"
#include "common/log.hpp"
#include "store/columns.hpp"
#include "store/deliveries.hpp"
#include "store/followers.hpp"
#include "store/reactions.hpp"
#include "store/remote_actors.hpp"

namespace fedblog::activitypub::inbox {

namespace {

std::string host_of(const std::string& url) {
    return std::string(host_without_port(delivery::inbox_host(url).value_or("")));
}

bool covers(const store::Block& block, const std::string& actor_id) {
    if (block.kind == "actor") return actor_id == block.target;
    auto host = delivery::inbox_host(actor_id);
    return host && within_domain(*host, block.target);
}

std::optional<BlockMatch> configured_block(const std::vector<std::string>& configured_domains, const std::string& host) {
    for (const auto& domain : configured_domains)
        if (!host.empty() && within_domain(host, domain)) return BlockMatch{"domain", domain, true};
    return std::nullopt;
}

// The actor, then "a.b.example", "b.example", "example": what a block's target may be to cover `url`.
std::vector<std::string> targets_covering(const std::string& url, const std::string& host) {
    std::vector<std::string> targets{url};
    for (std::size_t dot = 0; !host.empty() && dot != std::string::npos; dot = host.find('.', dot + 1))
        targets.push_back(host.substr(dot == 0 ? 0 : dot + 1));
    return targets;
}

}  // namespace

std::optional<BlockMatch> find_block(store::Database& db, const std::vector<std::string>& configured_domains,
                                     const std::string& url) {
    const std::string host = host_of(url);
    if (auto configured = configured_block(configured_domains, host)) return configured;
    if (auto block = store::Blocks(db).first_of(targets_covering(url, host)))
        return BlockMatch{block->kind, block->target, false};
    return std::nullopt;
}

std::optional<BlockMatch> BlockCache::find(const std::vector<std::string>& configured_domains, const std::string& url) {
    const std::string host = host_of(url);
    if (auto configured = configured_block(configured_domains, host)) return configured;
    std::lock_guard lock(mutex_);
    std::int64_t version = 0;
    {
        std::lock_guard reader_lock(reader_.mutex());
        auto& query = reader_.prepared("PRAGMA data_version");  // asked per activity: prepared once
        store::columns::ResetOnExit query_done(query);
        query.executeStep();
        version = query.getColumn(0).getInt64();
    }
    if (version != version_) {
        // Read after the version: a commit in between moves it again, and the next check reads once more.
        blocks_.clear();
        for (auto& block : store::Blocks(reader_).list()) blocks_.emplace(block.target, std::move(block));
        version_ = version;
    }
    // An actor's block wins over a domain's, then the oldest, as Blocks::first_of orders them.
    const store::Block* found = nullptr;
    for (const auto& target : targets_covering(url, host)) {
        auto it = blocks_.find(target);
        if (it == blocks_.end()) continue;
        const store::Block& block = it->second;
        if (!found || (block.kind == "actor" && found->kind != "actor") ||
            (block.kind == found->kind && block.id < found->id))
            found = &block;
    }
    if (!found) return std::nullopt;
    return BlockMatch{found->kind, found->target, false};
}


BlockEffects apply_block(store::Database& db, const Ids& ids, const store::Block& block, store::Timestamp now) {
    BlockEffects effects;
    store::Blocks blocks(db);
    store::Deliveries deliveries(db);
    const std::string why = "blocked: " + block.target;
    if (block.kind == "actor") {
        effects.comments_hidden = blocks.hide_comments_of_actor(block.id, block.target);
        // Only its personal inbox: a shared inbox also serves the other accounts of its server.
        if (auto actor = store::RemoteActors(db).find(block.target))
            effects.deliveries_abandoned += deliveries.abandon_inbox(actor->inbox, now, why);
        if (auto follower = store::Followers(db).find(block.target); follower && !follower->inbox.empty())
            effects.deliveries_abandoned += deliveries.abandon_inbox(follower->inbox, now, why);
    } else {
        for (const auto& host : blocks.comment_hosts())
            if (within_domain(host, block.target)) effects.comments_hidden += blocks.hide_comments_of_host(block.id, host);
        for (const auto& host : deliveries.pending_hosts())
            if (within_domain(host, block.target)) effects.deliveries_abandoned += deliveries.abandon_host(host, now, why);
    }
    store::Reactions reactions(db);
    for (const auto& actor : reactions.actors())
        if (covers(block, actor)) effects.reactions_removed += reactions.remove_by_actor(actor);
    store::Followers followers(db);
    for (const auto& list : {followers.accepted(), followers.pending()})
        for (const auto& follower : list)
            if (covers(block, follower.actor_id) && !remove_follower(db, ids, follower.actor_id, now))
                ++effects.followers_removed;
    log::info("block applied", {{"kind", block.kind},
                                {"target", block.target},
                                {"comments_hidden", effects.comments_hidden},
                                {"followers_removed", effects.followers_removed},
                                {"deliveries_abandoned", effects.deliveries_abandoned},
                                {"reactions_removed", effects.reactions_removed}});
    return effects;
}

int lift_block(store::Database& db, const store::Block& block) {
    store::Blocks blocks(db);
    int restored = blocks.restore_comments(block.id);
    blocks.remove(block.id);
    log::info("block lifted", {{"kind", block.kind}, {"target", block.target}, {"comments_restored", restored}});
    return restored;
}

}  // namespace fedblog::activitypub::inbox
