#pragma once
// Backfill: replies that were never delivered to the blog (an answer to a commenter, not to the blog, reaches
// only the commenter's server), found by walking the conversations of the comments we hold:
//   - where an object names a FEP-7888 `context` on its own origin, that collection lists the conversation at
//     once (FEP-f228's "collection of posts"), and the object's `replies` are not walked;
//   - otherwise its `replies` collection (on its own origin): the collection's items, then `first`, then `next`;
//     each reply found is walked in turn, to `max_depth` levels below the comment we hold.
// Trust: a reference is fetched from its own origin (fetch_reply's rules). An object embedded in a page is
// believed as it stands only when its id and author are on the origin that served the page; any other is
// fetched from its own origin. Collection pages must stay on the collection's origin; a page seen once is not
// read again (a `next` that loops ends there). A `replies` collection vouches only for answers to its object.
// Bounded by the budget: GETs, time, pages per collection, replies kept, depth.
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "activitypub/comments/fetched_reply.hpp"

namespace fedblog::activitypub::comments {

struct BackfillWalk {
    std::vector<FetchedReply> replies;  // new replies whose chain reaches our thread, authors cached; parents first
    int objects_read = 0;               // comments and replies whose context or replies collection was read
    int unplaced = 0;                   // found, but left out: not leading to our thread, or its author unknown
};

// `held`: the object ids of the comments whose conversations to walk.
boost::asio::awaitable<BackfillWalk> collect_missing_replies(const Walker& walker, std::vector<std::string> held,
                                                             WalkBudget& budget, std::int64_t now);

}  // namespace fedblog::activitypub::comments
