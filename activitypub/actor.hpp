#pragma once
// The blog's one actor: what Mastodon fetches to show the profile and to verify our signatures.
#include <string_view>

#include "activitypub/ids.hpp"
#include "activitypub/json.hpp"
#include "common/settings.hpp"
#include "store/post.hpp"

namespace fedblog::activitypub {

// A Person (a Service would carry Mastodon's BOT badge; a blog is written by a person). `published` is
// when the actor came to be (e.g. the key's creation); `public_key_pem` an SPKI PEM.
Json actor_document(const Settings& settings, const Ids& ids, std::string_view public_key_pem,
                    store::Timestamp published);

}  // namespace fedblog::activitypub
