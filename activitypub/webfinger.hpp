#pragma once
// WebFinger (RFC 7033) for the blog's one account, and host-meta (RFC 6415), which Mastodon falls back to
// when WebFinger answers 404.
#include <string>
#include <string_view>
#include <vector>

#include "activitypub/ids.hpp"
#include "activitypub/json.hpp"

namespace fedblog::activitypub {

inline constexpr std::string_view jrd_content_type = "application/jrd+json";
inline constexpr std::string_view xrd_content_type = "application/xrd+xml";

// ok → 200 with the JRD; not_found → 404 (a well-formed resource that is not ours); bad_request → 400
// (no `resource`, several, or one that names nothing).
enum class LookupStatus { ok, not_found, bad_request };

// Whether `resource` (already percent-decoded) names the blog: "acct:handle@authority", the same without
// "acct:" (and with an optional leading '@'), the actor URL or the profile URL. Handle, host and scheme
// compare case-insensitively; the authority includes the port when the public URL has one.
LookupStatus match_resource(std::string_view resource, const Ids& ids);

struct WebfingerAnswer {
    LookupStatus status = LookupStatus::bad_request;
    Json jrd;  // null unless status is ok
};

// Answers /.well-known/webfinger from the request's raw query string (what follows '?', undecoded):
// `resource` may arrive raw or percent-encoded; `rel` parameters, when present, filter the links
// (RFC 7033 §4.3).
WebfingerAnswer webfinger(std::string_view raw_query, const Ids& ids);

// subject exactly Ids::acct(), aliases [actor, profile], links self (application/activity+json) and
// profile-page. No OStatus subscribe link: its template is where *this* account would go to follow
// someone else, and the blog follows no one. An empty `rels` keeps every link.
Json webfinger_jrd(const Ids& ids, const std::vector<std::string>& rels = {});

// XRD with one lrdd Link whose template is Ids::webfinger_template(); served as xrd_content_type.
std::string host_meta_xml(const Ids& ids);
// The same as JSON (/.well-known/host-meta.json), served as jrd_content_type.
Json host_meta_json(const Ids& ids);

}  // namespace fedblog::activitypub
