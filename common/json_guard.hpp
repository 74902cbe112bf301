#pragma once
// What is checked in a JSON body from another server before it is parsed: that it is UTF-8, and that its
// nesting stays shallow. nlohmann's parser is iterative, but a megabyte of "[[[[" still becomes a million
// nested values (tens of megabytes) that anything recursive over the document (dump, a visitor) would then
// walk a million frames deep; no activity needs more than a handful of levels.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace fedblog {

// Mastodon's deepest documents (a Note's tag icons, an @context's term definitions) nest about six levels.
inline constexpr std::size_t max_json_depth = 64;

struct JsonProblem {
    std::string reason;  // "invalid_utf8" or "json_too_deep": a word for logs, metrics and the 400
    std::string detail;  // for a person: where, and what the limit is
};

// Nothing when the body may be handed to the parser (which still decides whether it is JSON at all).
// Brackets inside strings do not count; the scan is one pass, with no recursion and no allocation.
std::optional<JsonProblem> check_untrusted_json(std::string_view body, std::size_t max_depth = max_json_depth);

}  // namespace fedblog
