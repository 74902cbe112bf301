#pragma once
// Slugs are the last segment of a post's URL, and so part of its ActivityPub id: ASCII only, stable.
#include <string>
#include <string_view>

namespace fedblog::publishing {

// "L'Économie sociale, été 2026" -> "l-economie-sociale-ete-2026": lowercase, Latin accents and ligatures
// folded to ASCII, every run of other characters turned into one '-', none at either end.
// Empty when nothing usable remains (e.g. a title written only in CJK characters).
std::string slugify(std::string_view text);

// [a-z0-9]+(-[a-z0-9]+)*
bool is_valid_slug(std::string_view slug);

}  // namespace fedblog::publishing
