#pragma once
// Images in documents (actor icon and header, a post's image): where they live and what type they are.
#include <optional>
#include <string>
#include <string_view>

#include "activitypub/ids.hpp"
#include "activitypub/json.hpp"

namespace fedblog::activitypub {

// "image/png" for "a/b.PNG"; nothing for an extension we do not know (the property is then left out
// rather than guessed).
std::optional<std::string> image_media_type(std::string_view path_or_url);

// An absolute http(s) URL is kept as is; anything else is a path inside the content directory, served
// under Ids::media(). Empty gives "".
std::string image_url(std::string_view setting, const Ids& ids);

// {type: Image, mediaType?, url, name?}; nothing when `setting` is empty. `alt` becomes `name` when set.
std::optional<Json> image_object(std::string_view setting, const Ids& ids, std::string_view alt = {});

}  // namespace fedblog::activitypub
