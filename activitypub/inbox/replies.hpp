#pragma once
// Replies from the fediverse as comments: a Create of a Note (or Article, Question, Page) answering one of
// our posts, or a comment we hold, joins that thread; its author's Update edits it, their Delete removes it.
// Every function that writes runs inside the caller's WriteTransaction.
#include <optional>
#include <string>

#include "activitypub/comments/content_shape.hpp"
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

// Where a reply to `in_reply_to` joins: one of our posts (no parent), or a comment we hold (on its post).
// Nothing when this blog holds neither.
struct ThreadPlace {
    store::Post post;  // its head only (store::Posts::find_head_by_slug): no texts
    std::optional<std::int64_t> parent_id;
};
std::optional<ThreadPlace> find_thread_place(store::Database& db, const Ids& ids, const std::string& in_reply_to);

// A reply's content as it will be stored and its shape for the spam signals: the costly part of an import
// (one HTML parse), done by the inbox before the write so that its single writer thread only writes.
struct PreparedContent {
    std::string html;              // `content` (or contentMap's first), sanitized
    comments::ContentShape shape;  // of `html`
    std::string summary;           // `summary` as plain text
};
PreparedContent prepare_content(const Json& object);
// The Create's note prepared, when receive_reply would get as far as its content (an embedded note by the
// actor, within the size limit); nothing otherwise, and nothing is parsed.
std::optional<PreparedContent> prepare_reply(const IncomingActivity& create, const CommentPolicy& policy);

// A Create's embedded note, written by the activity's actor, is imported as below.
ReplyOutcome receive_reply(store::Database& db, const Ids& ids, const IncomingActivity& create, store::Timestamp now,
                           const CommentPolicy& policy = {}, const PreparedContent* prepared = nullptr);
// One reply object, believed as it stands: its author signed the Create that carried it, or it was fetched
// from its own origin (a missing ancestor, a backfilled reply). It becomes a comment where its `inReplyTo`
// places it, written by its `attributedTo`; a comment already held is never overwritten. `policy` decides
// approved or held (and why): held on a post that no longer takes replies, kept for the owner to read; a
// reply over its max_bytes is refused. `prepared`, when given, is prepare_content(object).
ReplyOutcome import_reply(store::Database& db, const Ids& ids, const Json& object, store::Timestamp now,
                          const CommentPolicy& policy = {}, const PreparedContent* prepared = nullptr);
ReplyOutcome receive_reply_update(store::Database& db, const IncomingActivity& update, store::Timestamp now,
                                  const CommentPolicy& policy = {});
ReplyOutcome receive_reply_delete(store::Database& db, const IncomingActivity& removal, store::Timestamp now);

// Like and Announce of one of our posts are counted, one of each per actor; their Undo takes them back.
ReplyOutcome receive_reaction(store::Database& db, const Ids& ids, const IncomingActivity& reaction, store::Timestamp now);
ReplyOutcome undo_reaction(store::Database& db, const Ids& ids, const IncomingActivity& undo);

// Types a reply may have (what Mastodon itself accepts as statuses).
bool is_reply_type(std::string_view type);

}  // namespace fedblog::activitypub::inbox
