#pragma once
// GET /comments/<n>, /comments/<n>/activity and /comments/<n>/replies: the owner's answers to comments as the
// fediverse dereferences them (the Note, its Create, the comments answering it); browsers are sent to the
// answer in its post's thread. A deleted answer's id answers 410 with a Tombstone, like a deleted post's.
#include <optional>
#include <string>
#include <vector>

#include "http/message.hpp"
#include "server/site.hpp"
#include "store/database.hpp"
#include "web/layout.hpp"

namespace fedblog::server {

// `segments`: the decoded path, segments[0] == "comments". Nothing when no answer of the owner's lives there
// (the router answers 404): remote comments have ids on their own servers, held or hidden ones are not public.
std::optional<http::Response> answer_resource(const http::Request& request, const Site& site, store::Database& db,
                                              const web::SiteView& view, const std::vector<std::string>& segments);

}  // namespace fedblog::server
