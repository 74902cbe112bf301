#include "activitypub/delivery/publication.hpp"

#include "activitypub/activities.hpp"
#include "activitypub/delivery/fanout.hpp"
#include "activitypub/follow_activities.hpp"
#include "activitypub/interactions.hpp"
#include "common/hex.hpp"
#include "common/log.hpp"
#include "keys/digest.hpp"
#include "store/meta.hpp"
#include "store/transaction.hpp"

namespace fedblog::activitypub::delivery {

store::PostObserver post_fanout(store::Database& db, const Settings& settings, const Ids& ids,
                                std::function<store::Timestamp()> clock, std::function<void()> deliveries_queued) {
    return [&db, settings, ids, clock = std::move(clock), deliveries_queued = std::move(deliveries_queued)](
               const store::Post& post, store::PostChange change) {
        Json activity;
        switch (change) {
            case store::PostChange::created: activity = create_activity(post, settings, ids); break;
            case store::PostChange::updated: activity = update_activity(post, settings, ids); break;
            case store::PostChange::deleted: activity = delete_activity(post, settings, ids); break;
        }
        int jobs = enqueue_to_followers(db, activity, clock());
        if (jobs > 0) {
            log::info("delivery queued", {{"activity", activity.value("id", "")}, {"inboxes", jobs}});
            if (deliveries_queued) deliveries_queued();
        }
    };
}

namespace {

constexpr const char* actor_fingerprint_key = "actor_document_sha256";

std::string fingerprint_of(const Json& actor) {
    keys::Sha256 hash = keys::sha256(serialize(actor));
    return hex_encode(hash);
}

}  // namespace

int announce_comments_closed_by_age(store::Database& db, const Settings& settings, const Ids& ids,
                                    store::Timestamp now) {
    constexpr const char* cutoff_key = "comments_closed_by_age_through";
    if (settings.comments_close_after_days == 0) return 0;
    // Posts published at or before the cutoff are closed now.
    const store::Timestamp cutoff = now - store::Timestamp(settings.comments_close_after_days) * 86400;
    store::WriteTransaction transaction(db);
    auto previous = store::get_meta(db, cutoff_key);
    store::set_meta(db, cutoff_key, std::to_string(cutoff));
    if (!previous) {
        transaction.commit();
        return 0;
    }
    const store::Timestamp since = std::stoll(*previous);
    int announced = 0;
    for (const store::Post& post : store::Posts(db).all()) {
        if (post.is_deleted() || post.comments_closed || post.published <= since || post.published > cutoff) continue;
        auto interactions = interactions_of(db, post, settings, now);
        int jobs = enqueue_to_followers(db, comments_closed_update(post, settings, ids, interactions, now), now);
        log::info("comments closed by age: Update queued", {{"post", post.slug}, {"inboxes", jobs}});
        ++announced;
    }
    transaction.commit();
    return announced;
}

void record_actor_baseline(store::Database& db, const Json& actor) {
    store::get_or_set_meta(db, actor_fingerprint_key, fingerprint_of(actor));
}

bool announce_actor_changes(store::Database& db, const Json& actor, const Ids& ids, store::Timestamp now) {
    const std::string fingerprint = fingerprint_of(actor);
    store::WriteTransaction transaction(db);
    auto previous = store::get_meta(db, actor_fingerprint_key);
    if (previous == fingerprint) return false;
    store::set_meta(db, actor_fingerprint_key, fingerprint);
    int jobs = enqueue_to_followers(db, actor_update(actor, ids, now), now);
    transaction.commit();
    if (jobs > 0) log::info("profile changed: actor Update queued", {{"inboxes", jobs}});
    return true;
}

}  // namespace fedblog::activitypub::delivery
