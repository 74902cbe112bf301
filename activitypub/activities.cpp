#include "activitypub/activities.hpp"

#include "activitypub/context.hpp"
#include "common/time.hpp"

namespace fedblog::activitypub {

namespace {

// Activities are addressed like the object they carry, so every recipient sees the same audience.
Json activity(std::string id, std::string_view type, const Ids& ids, store::Timestamp published, Json object) {
    return with_context({
        {"id", std::move(id)},
        {"type", type},
        {"actor", ids.actor()},
        {"published", format_rfc3339(published)},
        {"to", Json::array({public_collection})},
        {"cc", Json::array({ids.followers()})},
        {"object", embedded(std::move(object))},
    });
}

}  // namespace

Json create_activity(const store::Post& post, const Settings& settings, const Ids& ids,
                     const Interactions& interactions) {
    return activity(ids.post_create(post.slug), "Create", ids, post.published,
                    article_object(post, settings, ids, interactions));
}

Json update_activity(const store::Post& post, const Settings& settings, const Ids& ids,
                     const Interactions& interactions) {
    const store::Timestamp revision = post.updated.value_or(post.published);
    return activity(ids.post_update(post.slug, revision), "Update", ids, revision,
                    article_object(post, settings, ids, interactions));
}

Json comments_closed_update(const store::Post& post, const Settings& settings, const Ids& ids,
                            const Interactions& interactions, store::Timestamp when) {
    return activity(ids.post_create(post.slug) + "/comments-closed", "Update", ids, when,
                    article_object(post, settings, ids, interactions));
}

Json delete_activity(const store::Post& post, const Settings& settings, const Ids& ids) {
    const store::Timestamp when = post.deleted.value_or(post.updated.value_or(post.published));
    return activity(ids.post_delete(post.slug), "Delete", ids, when, tombstone(post, settings, ids));
}

}  // namespace fedblog::activitypub
