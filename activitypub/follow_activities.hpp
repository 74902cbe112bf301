#pragma once
// The blog's answers to followers and the news of its own profile: Accept and Reject of a Follow, and
// Update of the actor (a new key, a new name or avatar).
#include <string_view>

#include "activitypub/ids.hpp"
#include "activitypub/json.hpp"
#include "store/post.hpp"

namespace fedblog::activitypub {

// Accept of the Follow, embedded whole as received (Mastodon matches by the Follow's id and the signer, else by
// the embedded actor and object). The id is derived from the Follow's id: a Follow sent again gets a new
// Accept id only if it has a new id, so receivers can deduplicate redeliveries.
Json accept_follow(const Json& follow, const Ids& ids);
// Reject of the Follow: a request declined, or a follower removed by the owner.
Json reject_follow(const Json& follow, const Ids& ids);
// The Follow as we keep it when only its parts are known (a follower approved from the queue).
Json follow_of(std::string_view follow_id, std::string_view follower_actor_id, const Ids& ids);

// Update of the actor, addressed to the public and the followers; `actor` is the actor document.
Json actor_update(const Json& actor, const Ids& ids, store::Timestamp when);

}  // namespace fedblog::activitypub
