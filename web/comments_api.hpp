#pragma once
// GET /api/posts/<slug>/comments: a post's thread as plain JSON, a page at a time (`next` and `prev` are the
// addresses of the neighbouring pages), for static blogs and widgets (the shape is documented in README.md). Only what the post page shows: approved, non-private comments, and deleted ones
// as placeholders when shown answers hang below them. content_html is the sanitized HTML the page shows;
// every other string is plain text for the client to escape.
#include <string>
#include <vector>

#include "activitypub/json.hpp"
#include "store/post.hpp"
#include "store/reactions.hpp"
#include "web/comments.hpp"
#include "web/layout.hpp"
#include "web/thread.hpp"

namespace fedblog::web {

// The API's own address for a post's thread ("https://blog.example/api/posts/<slug>/comments").
std::string comments_api_url(const SiteView& site, const store::Post& post);

activitypub::Json comments_document(const SiteView& site, const store::Post& post, const ThreadPage& thread,
                                    const store::ReactionCounts& reactions);

}  // namespace fedblog::web
