#pragma once
// The life of a follow, shared by the inbox (Follow, Undo) and the owner's `fedblog followers` commands.
// Every function runs inside a store::WriteTransaction the caller holds, so the follower row and the Accept or
// Reject it causes commit together.
#include <optional>
#include <string>

#include "activitypub/ids.hpp"
#include "activitypub/json.hpp"
#include "store/database.hpp"
#include "store/remote_actors.hpp"

namespace fedblog::activitypub::inbox {

// Stores the follower and queues the Accept (to its personal inbox), or with manual approval keeps it
// pending without a word. A Follow sent again by a follower refreshes its addresses (and gets a new Accept,
// since its side evidently lost the first). Returns true when accepted now.
bool receive_follow(store::Database& db, const Ids& ids, const Json& follow, const store::RemoteActor& follower,
                    bool manual_approval, store::Timestamp now);

// Queues a Reject without storing anything (a Follow from a blocked domain).
void refuse_follow(store::Database& db, const Ids& ids, const Json& follow, const store::RemoteActor& follower,
                   store::Timestamp now);

// Undo of a Follow: the follower whose Follow has this id — or, when the id is unknown, the actor
// itself (Mastodon matches on actor and object too). True when a follower was removed.
bool undo_follow(store::Database& db, const std::string& follow_id, const std::string& actor_id);

// The owner's decisions. Each returns an error message for the operator, or nothing on success.
std::optional<std::string> approve_follower(store::Database& db, const Ids& ids, const std::string& actor_id,
                                            store::Timestamp now);
std::optional<std::string> reject_follower(store::Database& db, const Ids& ids, const std::string& actor_id,
                                           store::Timestamp now);
// An accepted follower removed: a Reject tells its server, which then stops showing the follow.
std::optional<std::string> remove_follower(store::Database& db, const Ids& ids, const std::string& actor_id,
                                           store::Timestamp now);

}  // namespace fedblog::activitypub::inbox
