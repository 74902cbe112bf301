#pragma once
// The JSON type every document builder returns, and the one way to turn it into bytes for the wire.
#include <nlohmann/json.hpp>
#include <string>

namespace fedblog::activitypub {

// Insertion-ordered so documents read like Mastodon's (@context, id, type first) and golden files stay
// stable; readers never depend on key order.
using Json = nlohmann::ordered_json;

// Compact UTF-8 (non-ASCII kept as is). Invalid UTF-8 from a post becomes U+FFFD instead of throwing:
// one broken byte in a title must not turn a document into a 500.
std::string serialize(const Json& document);

}  // namespace fedblog::activitypub
