#include "activitypub/follow_activities.hpp"

#include "activitypub/context.hpp"
#include "common/hex.hpp"
#include "common/time.hpp"
#include "keys/digest.hpp"

namespace fedblog::activitypub {

namespace {

// A short stable token for an id we did not mint: 16 hex digits of its SHA-256.
std::string token_of(std::string_view remote_id) {
    keys::Sha256 hash = keys::sha256(remote_id);
    return hex_encode(std::span<const unsigned char>(hash.data(), 8));
}

Json answer(std::string_view type, std::string_view fragment, const Json& follow, const Ids& ids) {
    std::string follow_id = follow.contains("id") && follow["id"].is_string() ? follow["id"].get<std::string>() : "";
    return with_context({
        {"id", ids.actor() + "#" + std::string(fragment) + "/" + token_of(follow_id)},
        {"type", type},
        {"actor", ids.actor()},
        {"object", embedded(follow)},
    });
}

}  // namespace

Json accept_follow(const Json& follow, const Ids& ids) { return answer("Accept", "accepts", follow, ids); }

Json reject_follow(const Json& follow, const Ids& ids) { return answer("Reject", "rejects", follow, ids); }

Json follow_of(std::string_view follow_id, std::string_view follower_actor_id, const Ids& ids) {
    return Json{{"id", follow_id}, {"type", "Follow"}, {"actor", follower_actor_id}, {"object", ids.actor()}};
}

Json actor_update(const Json& actor, const Ids& ids, store::Timestamp when) {
    return with_context({
        {"id", ids.actor() + "#updates/" + std::to_string(when)},
        {"type", "Update"},
        {"actor", ids.actor()},
        {"published", format_rfc3339(when)},
        {"to", Json::array({public_collection})},
        {"cc", Json::array({ids.followers()})},
        {"object", embedded(actor)},
    });
}

}  // namespace fedblog::activitypub
