#include "activitypub/interactions.hpp"

#include "store/comments.hpp"
#include "store/reactions.hpp"

namespace fedblog::activitypub {

Interactions interactions_of(store::Database& db, const store::Post& post, const Settings& settings,
                             store::Timestamp now) {
    Interactions interactions;
    for (const auto& comment : store::Comments(db).for_post(post.id))
        if (comment.shown() && !comment.parent_id) interactions.reply_ids.push_back(comment.object_id);
    auto counts = store::Reactions(db).counts(post.id);
    interactions.likes = counts.likes;
    interactions.shares = counts.shares;
    interactions.accepts_replies = post.accepts_replies(settings.comments_close_after_days, now);
    return interactions;
}

}  // namespace fedblog::activitypub
