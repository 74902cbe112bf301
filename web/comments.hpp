#pragma once
// The fediverse replies under a post: a nested thread, oldest first, each with its author, date, an edited
// mark and a link to the original; a content warning (or a sensitive flag) folds the text and media behind it,
// without script (<details>). Only approved, non-private
// comments show; a deleted one stays as a placeholder when answers to it are shown.
#include <string>
#include <string_view>
#include <vector>

#include "store/comment_attachments.hpp"
#include "store/comments.hpp"
#include "store/post.hpp"
#include "web/layout.hpp"

namespace fedblog::web {

struct CommentAuthor {
    std::string name;         // display name; the handle stands in when empty
    std::string handle;       // user@host
    std::string avatar_url;   // https only, else none
    std::string profile_url;  // the author's page, else the actor id
};

struct ThreadEntry {
    store::Comment comment;
    CommentAuthor author;
    std::vector<store::Attachment> attachments{};  // shown under the text, inside the fold when sensitive
    // An ancestor shown only to place a page's first answers in their thread (their text is on an earlier
    // page): a one-line reminder of who wrote it, with a link back.
    bool context = false;
};

// Visual nesting stops here; deeper answers line up at this depth (a thread can be any depth).
inline constexpr std::size_t max_thread_depth = 6;

// The <ol> of the thread, or an empty string when nothing is shown. Context entries link to `earlier_href`
// (the page before this one), at the comment's anchor.
std::string render_thread(const SiteView& site, const std::vector<ThreadEntry>& entries,
                          std::string_view earlier_href = {});

}  // namespace fedblog::web
