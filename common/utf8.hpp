#pragma once
// The little UTF-8 handling slugs and tags need, without pulling in ICU.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace fedblog {

inline constexpr char32_t replacement_character = U'\uFFFD';

// Decodes the code point starting at text[pos] and advances pos past it. A malformed sequence (overlong,
// surrogate, truncated, beyond U+10FFFF) yields U+FFFD and advances by one byte.
char32_t next_code_point(std::string_view text, std::size_t& pos);

// Surrogates and values past U+10FFFF are written as U+FFFD.
void append_utf8(std::string& out, char32_t code_point);

// Byte offset of the first malformed sequence, nothing when the whole text is valid UTF-8.
std::optional<std::size_t> find_invalid_utf8(std::string_view text);

// Lowercases ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic capitals (enough to tell that "Économie"
// and "économie" are one tag); other characters are kept as they are.
std::string lowercase(std::string_view text);

// Whether two tags (or other names) are the same word, by the case folding of lowercase().
bool same_ignoring_case(std::string_view a, std::string_view b);

}  // namespace fedblog
