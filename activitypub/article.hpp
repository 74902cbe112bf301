#pragma once
// A blog post as an ActivityStreams object: an Article (Mastodon shows title, summary and a link) or,
// when Settings::object_type is note, a Note (Mastodon shows the whole text).
#include <cstdint>
#include <string>
#include <vector>

#include "activitypub/ids.hpp"
#include "activitypub/json.hpp"
#include "common/settings.hpp"
#include "store/post.hpp"

namespace fedblog::activitypub {

// What others did with a post, and whether it still takes replies. The defaults describe a post nobody has
// interacted with yet.
struct Interactions {
    std::vector<std::string> reply_ids;  // published comments answering the post directly, oldest first
    std::int64_t likes = 0;
    std::int64_t shares = 0;
    bool accepts_replies = true;
};

// "Article" or "Note", as the settings choose.
std::string object_type_name(const Settings& settings);

// The post served at Ids::post(slug). Precondition: the post is not deleted (serve tombstone() then).
Json article_object(const store::Post& post, const Settings& settings, const Ids& ids,
                    const Interactions& interactions = {});

// What a deleted post's URL answers, with 410 Gone.
Json tombstone(const store::Post& post, const Settings& settings, const Ids& ids);

}  // namespace fedblog::activitypub
