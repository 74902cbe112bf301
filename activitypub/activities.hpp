#pragma once
// The activities that carry a post to followers: Create when published, Update for each revision,
// Delete when removed. Each has its own id (Ids::post_create/post_update/post_delete), never the post's.
#include "activitypub/article.hpp"

namespace fedblog::activitypub {

// Create of the post, object embedded; served at Ids::post_create(slug) and listed in the outbox.
Json create_activity(const store::Post& post, const Settings& settings, const Ids& ids,
                     const Interactions& interactions = {});

// Update for the post's latest revision: its id and `published` come from Post::updated, which must be
// set (Mastodon 4.5+ applies an Update only when the object's `updated` is newer than its copy).
Json update_activity(const store::Post& post, const Settings& settings, const Ids& ids,
                     const Interactions& interactions = {});

// Update telling that the post stopped taking replies (it aged past comments_close_after_days), with the
// object as served now (its interactionPolicy says so). `interactions.accepts_replies` is expected false.
Json comments_closed_update(const store::Post& post, const Settings& settings, const Ids& ids,
                            const Interactions& interactions, store::Timestamp when);

// Delete with the Tombstone embedded. Precondition: the post is deleted.
Json delete_activity(const store::Post& post, const Settings& settings, const Ids& ids);

}  // namespace fedblog::activitypub
