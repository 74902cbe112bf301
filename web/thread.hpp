#pragma once
// A post's thread as the pages and the comments API read it: every comment with what is shown of its author
// (the cache of remote actors; the blog itself for the owner's answers) and its media, and which of them a
// reader may see.
#include <cstdint>
#include <map>
#include <string>
#include <optional>
#include <vector>

#include "store/database.hpp"
#include "web/comments.hpp"
#include "web/layout.hpp"

namespace fedblog::web {

// Which page of the thread a reader asked for: the first (neither set), the one starting at comment `from`,
// or the one ending just before comment `before` (the query parameters of every surface that shows it).
struct ThreadCursor {
    std::optional<std::int64_t> from;
    std::optional<std::int64_t> before;
};

// One page of the thread (store/comment_pages: at most settings.comments_per_page comments, read as such).
struct ThreadPage {
    std::vector<ThreadEntry> entries;  // what readers see, in thread order
    // When the page opens inside a thread: the ancestors of its first comment, top first (nearest
    // max_context_ancestors), so the page shows where its answers belong. Not part of the page's comments.
    std::vector<ThreadEntry> context;
    std::optional<std::int64_t> next;     // `from` of the following page
    std::optional<std::int64_t> earlier;  // `before` of the preceding page
    std::size_t more_in_thread = 0;       // answers of the last thread carried on to the next page
    bool more_in_thread_bounded = false;  // at least that many
    std::int64_t total = 0;               // comments readers see on the whole thread (placeholders aside)
    // The object ids of the comments that entries on this page answer but that are on other pages (the
    // comments API names each entry's parent).
    std::map<std::int64_t, std::string> off_page_parents;
};

inline constexpr std::size_t max_context_ancestors = 32;

// Nothing when the cursor names no comment readers see on this post (answer 404).
std::optional<ThreadPage> load_thread_page(store::Database& db, const SiteView& site, std::int64_t post_id,
                                           const ThreadCursor& cursor);

// Every comment of the post, oldest first (callers filter with visible_entries or render_thread). Unbounded:
// tools and tests only; what readers ask for goes through load_thread_page.
std::vector<ThreadEntry> load_thread(store::Database& db, const SiteView& site, std::int64_t post_id);

// What a reader sees, in thread order (each entry after the one it answers, answers oldest first):
// approved, non-private comments whose ancestors are all shown (hiding a comment hides what hangs below
// it), and deleted ones kept as placeholders only when something shown hangs below them. The same rule as
// render_thread. Any depth: iterative, a hostile thread cannot exhaust the stack.
std::vector<const ThreadEntry*> visible_entries(const std::vector<ThreadEntry>& entries);

}  // namespace fedblog::web
