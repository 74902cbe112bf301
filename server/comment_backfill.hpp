#pragma once
// Backfilling a post's conversation: the replies to its comments that never reached the blog are collected
// from their servers (activitypub/comments/backfill), then imported as comments in one transaction.
// Run by `fedblog comments backfill <slug>` and, for recent posts, periodically by the federation.
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <functional>
#include <string>

#include "activitypub/comments/fetched_reply.hpp"
#include "activitypub/inbox/comment_policy.hpp"
#include "activitypub/ids.hpp"
#include "store/post.hpp"

namespace fedblog::server {

struct BackfillReport {
    std::string slug;
    int comments = 0;      // comments of the post whose conversations were walked
    int objects_read = 0;  // of those and of the replies found, the ones whose replies or context were read
    int fetches = 0;
    int added = 0;             // new comments, shown
    int held = 0;              // new comments waiting for approval
    int private_messages = 0;  // followers-only or direct replies: kept, never shown
    int left_out = 0;          // found, but not leading to the post, their author unknown, or already there
    std::string bounds;        // the bounds that cut the walk short, empty when it ran to its end
};

boost::asio::awaitable<BackfillReport> backfill_post(const activitypub::comments::Walker& walker,
                                                     const activitypub::Ids& ids, const store::Post& post,
                                                     const activitypub::comments::WalkLimits& limits,
                                                     const activitypub::inbox::CommentPolicy& policy,
                                                     std::function<std::int64_t()> clock);

// Two lines for the operator: what was walked, what was imported.
std::string format_backfill_report(const BackfillReport& report);

}  // namespace fedblog::server
