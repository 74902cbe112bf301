#pragma once
// Escaping for everything the web pages and the Atom feed write. Inputs are UTF-8; only the few bytes
// that change meaning in markup are touched.
#include <cstddef>
#include <string>
#include <string_view>

namespace fedblog::web {

// Text between tags: & < >.
std::string escape_text(std::string_view text);
// A double-quoted attribute value: & < > " '.
std::string escape_attribute(std::string_view value);
// XML 1.0 text or attribute: as escape_attribute, and drops the control characters XML forbids even as
// references, so a stray byte in a post cannot make the whole feed ill-formed.
std::string escape_xml(std::string_view text);

// Cuts text to at most max_chars characters (code points), at a word boundary when one is near, and
// appends "…" when it cut anything.
std::string shorten(std::string text, std::size_t max_chars);

// OpenGraph consumers show about this much of a description.
inline constexpr std::size_t description_max_chars = 200;

// Plain text for og:description and <meta name="description">: tags removed (block tags become a space),
// the common entities decoded, whitespace collapsed, then shortened to max_chars.
std::string plain_text_from_html(std::string_view html, std::size_t max_chars = description_max_chars);

}  // namespace fedblog::web
