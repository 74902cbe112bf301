#pragma once
// The comment thread for other sites: GET /api/posts/<slug>/comments (JSON, CORS open to every origin),
// GET /embed/<slug> (the thread as a page for an iframe) and GET /embed.js (the loader). Each answer carries
// an ETag of its body and is revalidated cheaply (If-None-Match → 304); the thread changes with every
// comment, so caches keep it a minute at most.
#include <optional>
#include <string>
#include <string_view>

#include "http/message.hpp"
#include "server/site.hpp"
#include "store/database.hpp"
#include "web/thread.hpp"

namespace fedblog::server {

inline constexpr std::string_view comments_api_prefix = "/api/posts/";

// Which page of a thread a request target asks for: `from=<id>` or `before=<id>` (a comment's decimal id), or
// neither for the first. Nothing, with `error` set, when one is malformed or both are given (answer 400).
// Other parameters are left alone.
std::optional<web::ThreadCursor> thread_cursor(std::string_view target, std::string& error);

// `slug` is the decoded path segment. 404 for an unknown post, 410 for a deleted one, as JSON.
http::Response comments_api(const http::Request& request, const Site& site, store::Database& db, std::string_view slug);
// The answer to a CORS preflight (OPTIONS) on the API.
http::Response comments_api_preflight(const http::Request& request);
// 404/410 as small pages.
http::Response embed_page(const http::Request& request, const Site& site, store::Database& db, std::string_view slug);
http::Response embed_loader(const http::Request& request);

}  // namespace fedblog::server
