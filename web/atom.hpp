#pragma once
// The Atom 1.0 feed (RFC 4287) at Ids::feed(), for feed readers: the newest posts, whole.
#include <cstddef>
#include <string>

#include "web/layout.hpp"

namespace fedblog::web {

inline constexpr std::size_t feed_entries = 20;

// Serve as application/atom+xml. Entry ids are the Article ids, so a reader and the fediverse agree on
// which post is which.
std::string render_atom(const SiteView& site);

}  // namespace fedblog::web
