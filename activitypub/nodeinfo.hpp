#pragma once
// NodeInfo 2.1 (FEP-f1d5): what crawlers and server lists read about this server.
#include <cstdint>
#include <string_view>

#include "activitypub/ids.hpp"
#include "activitypub/json.hpp"
#include "common/settings.hpp"

namespace fedblog::activitypub {

inline constexpr std::string_view nodeinfo_schema_2_1 = "http://nodeinfo.diaspora.software/ns/schema/2.1";
inline constexpr std::string_view nodeinfo_content_type =
    "application/json; profile=\"http://nodeinfo.diaspora.software/ns/schema/2.1#\"";

struct NodeUsage {
    std::int64_t local_posts = 0;     // published posts
    std::int64_t local_comments = 0;  // the owner's answers shown on the blog (remote replies are not local)
};

// /.well-known/nodeinfo: {links: [{rel: schema 2.1, href: Ids::nodeinfo()}]}, served as plain JSON.
Json nodeinfo_links(const Ids& ids);

// The document at Ids::nodeinfo(), valid against the 2.1 schema (no extra keys outside `metadata`).
// The blog is one user, always active.
Json nodeinfo_2_1(const Settings& settings, const NodeUsage& usage);

}  // namespace fedblog::activitypub
