#pragma once
// `Flag`: a report sent to the blog about its account, a post, or a comment it shows. Mastodon sends them
// from the reporter's instance actor, with `object` the reported account and statuses and `content` the
// reason. Kept for the owner (`fedblog reports`); nothing is decided automatically.
#include <optional>
#include <string>

#include "activitypub/ids.hpp"
#include "activitypub/inbox/incoming.hpp"
#include "activitypub/inbox/replies.hpp"
#include "store/database.hpp"

namespace fedblog::activitypub::inbox {

// Runs inside the inbox's WriteTransaction. Stored only when at least one reported id is ours.
ReplyOutcome receive_flag(store::Database& db, const Ids& ids, const IncomingActivity& flag, store::Timestamp now);

// What a reported id is on this blog.
struct ReportedObject {
    std::string kind;  // "account" | "post" | "comment" | "unknown"
    std::string slug;  // the post's, or the commented post's
    std::optional<std::int64_t> comment_id;
};
ReportedObject reported_object(store::Database& db, const Ids& ids, const std::string& id);

}  // namespace fedblog::activitypub::inbox
