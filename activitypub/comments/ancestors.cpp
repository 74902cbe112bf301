#include "activitypub/comments/ancestors.hpp"

#include <algorithm>
#include <set>

namespace fedblog::activitypub::comments {

namespace asio = boost::asio;

asio::awaitable<AncestorWalk> fetch_missing_ancestors(const Walker& walker, std::string parent, WalkBudget& budget,
                                                      std::int64_t now) {
    AncestorWalk walk;
    std::set<std::string> visited;
    while (!walker.holds(parent)) {
        if (parent.empty()) {
            walk.detail = "the thread's first post is not one of ours";
            co_return walk;
        }
        if (!visited.insert(parent).second) {
            walk.detail = "the inReplyTo chain loops back to " + parent;
            co_return walk;
        }
        if (static_cast<int>(walk.chain.size()) >= budget.limits().max_depth) {
            budget.exhaust("depth");
            walk.detail = "our thread is more than " + std::to_string(budget.limits().max_depth) + " replies above";
            co_return walk;
        }
        auto fetched = co_await fetch_reply(walker, parent, budget);
        if (auto* refused = std::get_if<ReplyRefused>(&fetched)) {
            walk.unavailable = refused->unavailable;
            walk.detail = "ancestor " + parent + ": " + refused->detail;
            co_return walk;
        }
        walk.chain.push_back(std::move(std::get<FetchedReply>(fetched)));
        parent = walk.chain.back().in_reply_to;
    }
    for (const auto& ancestor : walk.chain) {
        if (!co_await remember_author(walker, ancestor.author, budget, now)) {
            walk.detail = "the author " + ancestor.author + " of " + ancestor.id + " could not be fetched";
            co_return walk;
        }
    }
    std::reverse(walk.chain.begin(), walk.chain.end());
    walk.reached = true;
    co_return walk;
}

}  // namespace fedblog::activitypub::comments
