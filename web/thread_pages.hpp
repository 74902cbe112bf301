#pragma once
// One page of a post's thread as HTML, on the post page and in the embed: its comments (after the reminders
// of what its first answers answer), where a cut thread carries on, and links to the pages before and after.
// The links are query strings of the page's own address ("?from=12", "?before=7"), so they work without
// script on both; in the embed they stay in the frame (target="_self": the frame's <base> opens links outside).
#include <cstdint>
#include <string>

#include "web/layout.hpp"
#include "web/thread.hpp"

namespace fedblog::web {

enum class ThreadPlace { post_page, frame };

// "?from=12" / "?before=7": the page starting at a comment, or ending just before one.
std::string thread_page_from(std::int64_t comment_id);
std::string thread_page_before(std::int64_t comment_id);

// Empty when the page has no comment and no neighbour.
std::string render_thread_page(const SiteView& site, const ThreadPage& page, ThreadPlace place);

}  // namespace fedblog::web
