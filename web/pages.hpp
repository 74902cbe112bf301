#pragma once
// The HTML pages, as pure functions of the site: no I/O, so the router decides statuses and caching.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "store/post.hpp"
#include "web/comments.hpp"
#include "web/layout.hpp"
#include "web/thread.hpp"

namespace fedblog::web {

inline constexpr std::size_t posts_per_page = 10;

// Pages of the home page: at least 1, so an empty blog still has a home page.
std::size_t index_page_count(const store::Catalog& catalog);

// The home page: page 1 is newest. Nothing when page is 0 or past index_page_count (answer 404).
std::optional<std::string> render_index(const SiteView& site, std::size_t page);

// A published post and one page of its thread of comments (with links to the others). A deleted one
// (post.is_deleted()) gets render_gone instead, with status 410.
// `likes` and `shares` are counts of Likes and Announces from the fediverse (not shown when both are 0).
std::string render_post(const SiteView& site, const store::Post& post, const ThreadPage& thread = {},
                        std::int64_t likes = 0, std::int64_t shares = 0);

// The page at a deleted post's address.
std::string render_gone(const SiteView& site);

// Published posts carrying the tag (matched as the catalog does, case-insensitively). Nothing when none
// does (answer 404). The tag is the decoded path segment.
std::optional<std::string> render_tag(const SiteView& site, std::string_view tag);

std::string render_not_found(const SiteView& site);

// The OStatus "remote interaction" page for a URI that is not one of our posts: the blog follows no one,
// so it explains how to interact from one's own instance and links the object when it is an http(s) URL.
std::string render_interaction(const SiteView& site, std::string_view uri);

// The blog's own profile page, with its fediverse handle and how to follow it.
std::string render_profile(const SiteView& site, std::size_t follower_count);

}  // namespace fedblog::web
