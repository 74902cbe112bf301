#pragma once
// Replies from the fediverse as comments: a Create of a Note (or Article, Question, Page) answering one of
// our posts, or a comment we hold, joins that thread; its author's Update edits it, their Delete removes it.
// Every function runs inside the inbox's WriteTransaction.
#include <string>

#include "activitypub/ids.hpp"
#include "activitypub/inbox/comment_policy.hpp"
#include "activitypub/inbox/incoming.hpp"
#include "store/database.hpp"
#include "store/post.hpp"

namespace fedblog::activitypub::inbox {

struct ReplyOutcome {
    std::string result;  // "comment_added", "comment_held", "not_a_reply", "duplicate_object", ...
    std::string detail;
    unsigned status = 202;  // 422 for a reply refused (over `policy.max_bytes`): nothing is stored
};

// `policy` decides approved or held (and why); a reply over its max_bytes is refused. A reply to a post that
// no longer takes replies is kept, held, for the owner to read.
ReplyOutcome receive_reply(store::Database& db, const Ids& ids, const IncomingActivity& create, store::Timestamp now,
                           const CommentPolicy& policy = {});
ReplyOutcome receive_reply_update(store::Database& db, const IncomingActivity& update, store::Timestamp now,
                                  const CommentPolicy& policy = {});
ReplyOutcome receive_reply_delete(store::Database& db, const IncomingActivity& removal, store::Timestamp now);

// Like and Announce of one of our posts are counted, one of each per actor; their Undo takes them back.
ReplyOutcome receive_reaction(store::Database& db, const Ids& ids, const IncomingActivity& reaction, store::Timestamp now);
ReplyOutcome undo_reaction(store::Database& db, const Ids& ids, const IncomingActivity& undo);

// Types a reply may have (what Mastodon itself accepts as statuses).
bool is_reply_type(std::string_view type);

}  // namespace fedblog::activitypub::inbox
