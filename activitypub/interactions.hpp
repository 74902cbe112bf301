#pragma once
// A post's interactions as they stand now, read from the store: what its live Article document and its
// replies collection say.
#include "activitypub/article.hpp"
#include "common/settings.hpp"
#include "store/database.hpp"
#include "store/post.hpp"

namespace fedblog::activitypub {

// Direct replies shown on the blog (oldest first), likes and shares counted, and whether the post still
// takes replies at `now` (its front matter, and the blog's comments_close_after_days).
Interactions interactions_of(store::Database& db, const store::Post& post, const Settings& settings,
                             store::Timestamp now);

}  // namespace fedblog::activitypub
