#pragma once
// What the blog's own changes send to its followers. Both run inside the transaction of the change
// (store::Posts calls the observer inside its own), so a change and its delivery jobs commit together.
#include <functional>

#include "activitypub/ids.hpp"
#include "activitypub/json.hpp"
#include "common/settings.hpp"
#include "store/database.hpp"
#include "store/posts.hpp"

namespace fedblog::activitypub::delivery {

// Create for a new post, Update for an edited one, Delete (with the Tombstone) for a removed one, each to
// every follower's inbox (shared inboxes once). `deliveries_queued` is told after each change (it may run
// before the commit, so it must only wake the workers, whose next look finds the committed jobs).
store::PostObserver post_fanout(store::Database& db, const Settings& settings, const Ids& ids,
                                std::function<store::Timestamp()> clock,
                                std::function<void()> deliveries_queued = {});

// The actor document as published now, compared with the last one sent: when it differs (a new key, name,
// summary, icon, fields), an Update of the actor is queued to the followers and the new one remembered.
// With nothing remembered yet it counts as changed (a new blog has no followers to tell). Returns true
// when the document changed.
bool announce_actor_changes(store::Database& db, const Json& actor, const Ids& ids, store::Timestamp now);

// Posts that aged past `comments_close_after_days` since the last call get an Update to the followers,
// so servers that honour GoToSocial's interactionPolicy stop offering replies. The first call (or the first
// after the setting is turned on) only records where it stands: posts already past the limit then are not
// announced, their Article says it when fetched. Returns the number of posts announced.
int announce_comments_closed_by_age(store::Database& db, const Settings& settings, const Ids& ids,
                                    store::Timestamp now);

// Records the actor document as announced when nothing is recorded yet (a new data folder), so that the
// first `serve` does not send an Update of a profile no one has seen change.
void record_actor_baseline(store::Database& db, const Json& actor);

}  // namespace fedblog::activitypub::delivery
