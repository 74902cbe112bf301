#pragma once
// A post's thread as the pages and the comments API read it: every comment with what is shown of its author
// (the cache of remote actors; the blog itself for the owner's answers) and its media, and which of them a
// reader may see.
#include <cstdint>
#include <vector>

#include "store/database.hpp"
#include "web/comments.hpp"
#include "web/layout.hpp"

namespace fedblog::web {

// Every comment of the post, oldest first (callers filter with visible_entries or render_thread).
std::vector<ThreadEntry> load_thread(store::Database& db, const SiteView& site, std::int64_t post_id);

// What a reader sees, in thread order (each entry after the one it answers, answers oldest first):
// approved, non-private comments whose ancestors are all shown (hiding a comment hides what hangs below
// it), and deleted ones kept as placeholders only when something shown hangs below them. The same rule as
// render_thread. Any depth: iterative, a hostile thread cannot exhaust the stack.
std::vector<const ThreadEntry*> visible_entries(const std::vector<ThreadEntry>& entries);

}  // namespace fedblog::web
