#pragma once
// A reply whose parent we do not hold: its ancestors are fetched from their own origins, walking up
// `inReplyTo` until one of our posts or a comment we hold, within the walk's bounds. Only a chain that
// reaches our thread is kept; the caller imports it, top first, with the reply, in one transaction.
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "activitypub/comments/fetched_reply.hpp"

namespace fedblog::activitypub::comments {

struct AncestorWalk {
    std::vector<FetchedReply> chain;  // the missing ancestors, the one answering our thread first
    bool reached = false;             // the chain ends at one of our posts or a comment we hold
    bool unavailable = false;         // a GET failed for now: the same walk may succeed later
    std::string detail;               // why it did not reach, for the log
};

// `parent`: the reply's inReplyTo. Each ancestor's author is fetched and cached too (one the walk cannot
// fetch makes the chain fail: a comment is shown with its author).
boost::asio::awaitable<AncestorWalk> fetch_missing_ancestors(const Walker& walker, std::string parent,
                                                             WalkBudget& budget, std::int64_t now);

}  // namespace fedblog::activitypub::comments
