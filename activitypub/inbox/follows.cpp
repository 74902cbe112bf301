#include "activitypub/inbox/follows.hpp"

#include "activitypub/delivery/fanout.hpp"
#include "activitypub/follow_activities.hpp"
#include "activitypub/inbox/incoming.hpp"
#include "common/log.hpp"
#include "store/followers.hpp"

namespace fedblog::activitypub::inbox {

namespace {

store::Follower follower_row(const Json& follow, const store::RemoteActor& actor, bool accepted, store::Timestamp now) {
    store::Follower row;
    row.actor_id = actor.id;
    row.inbox = actor.inbox;
    row.shared_inbox = actor.shared_inbox;
    row.handle = actor.handle;
    row.display_name = actor.display_name;
    row.follow_activity_id = id_of(follow.value("id", Json()));
    row.accepted = accepted;
    row.created_at = now;
    return row;
}

}  // namespace

bool receive_follow(store::Database& db, const Ids& ids, const Json& follow, const store::RemoteActor& follower,
                    bool manual_approval, store::Timestamp now) {
    store::Followers followers(db);
    auto existing = followers.find(follower.id);
    bool accept_now = !manual_approval || (existing && existing->accepted);
    followers.save(follower_row(follow, follower, accept_now, now));
    if (accept_now) delivery::enqueue_to_inbox(db, accept_follow(follow, ids), follower.inbox, now);
    log::info(accept_now ? "follower accepted" : "follow request held for approval",
              {{"actor", follower.id}, {"handle", follower.handle}, {"follow", id_of(follow.value("id", Json()))}});
    return accept_now;
}

void refuse_follow(store::Database& db, const Ids& ids, const Json& follow, const store::RemoteActor& follower,
                   store::Timestamp now) {
    delivery::enqueue_to_inbox(db, reject_follow(follow, ids), follower.inbox, now);
    log::info("follow refused", {{"actor", follower.id}, {"reason", "blocked domain"}});
}

bool undo_follow(store::Database& db, const std::string& follow_id, const std::string& actor_id) {
    store::Followers followers(db);
    auto follower = followers.find(actor_id);
    if (!follower) return false;
    // The Undo names the Follow by id; an unknown id from the same actor still means "unfollow" (the Follow
    // may have been sent again since, with a new id).
    if (follower->follow_activity_id != follow_id)
        log::debug("undo of an earlier follow", {{"actor", actor_id}, {"follow", follow_id}});
    followers.remove(actor_id);
    log::info("follower removed", {{"actor", actor_id}, {"reason", "Undo Follow"}});
    return true;
}

std::optional<std::string> approve_follower(store::Database& db, const Ids& ids, const std::string& actor_id,
                                            store::Timestamp now) {
    store::Followers followers(db);
    auto follower = followers.find(actor_id);
    if (!follower) return "no follow request from " + actor_id;
    if (follower->accepted) return actor_id + " already follows the blog";
    followers.accept(actor_id);
    delivery::enqueue_to_inbox(db, accept_follow(follow_of(follower->follow_activity_id, actor_id, ids), ids),
                               follower->inbox, now);
    log::info("follower approved", {{"actor", actor_id}});
    return std::nullopt;
}

std::optional<std::string> reject_follower(store::Database& db, const Ids& ids, const std::string& actor_id,
                                           store::Timestamp now) {
    store::Followers followers(db);
    auto follower = followers.find(actor_id);
    if (!follower) return "no follow request from " + actor_id;
    if (follower->accepted) return actor_id + " is an accepted follower: use `fedblog followers remove`";
    followers.remove(actor_id);
    delivery::enqueue_to_inbox(db, reject_follow(follow_of(follower->follow_activity_id, actor_id, ids), ids),
                               follower->inbox, now);
    log::info("follow request rejected", {{"actor", actor_id}});
    return std::nullopt;
}

std::optional<std::string> remove_follower(store::Database& db, const Ids& ids, const std::string& actor_id,
                                           store::Timestamp now) {
    store::Followers followers(db);
    auto follower = followers.find(actor_id);
    if (!follower) return actor_id + " does not follow the blog";
    followers.remove(actor_id);
    delivery::enqueue_to_inbox(db, reject_follow(follow_of(follower->follow_activity_id, actor_id, ids), ids),
                               follower->inbox, now);
    log::info("follower removed", {{"actor", actor_id}, {"reason", "removed by the owner"}});
    return std::nullopt;
}

}  // namespace fedblog::activitypub::inbox
