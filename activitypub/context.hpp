#pragma once
// The JSON-LD @context of every ActivityStreams document we serve, and the well-known IRIs.
#include <string_view>

#include "activitypub/json.hpp"

namespace fedblog::activitypub {

inline constexpr std::string_view activity_streams_context = "https://www.w3.org/ns/activitystreams";
inline constexpr std::string_view security_context = "https://w3id.org/security/v1";
// Always the full IRI: some servers expand neither "as:Public" nor "Public".
inline constexpr std::string_view public_collection = "https://www.w3.org/ns/activitystreams#Public";

// [ActivityStreams, security/v1, {the extension terms we use}]: one context for every document, so a
// property never goes out undefined because a builder picked the shorter one.
Json context();

// `body` with "@context" inserted as its first key: a document ready to serve or deliver.
Json with_context(Json body);
// `document` without "@context", for embedding inside another document.
Json embedded(Json document);

}  // namespace fedblog::activitypub
