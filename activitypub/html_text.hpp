#pragma once
// Small HTML helpers for the text we put in documents: settings are plain text, posts are HTML already.
#include <string>
#include <string_view>

#include "common/html.hpp"

namespace fedblog::activitypub {

using fedblog::escape_html;

// Plain text (a setting) to HTML: blank lines separate <p> paragraphs, single newlines become <br>.
// Empty or blank text gives "".
std::string plain_text_to_html(std::string_view text);

// Mastodon shows an Article's summary under its title and expects paragraphs: HTML that does not start
// with <p> is wrapped in one; blank HTML falls back to the escaped `fallback_text` in a <p>.
std::string as_paragraphs(std::string_view html, std::string_view fallback_text);

}  // namespace fedblog::activitypub
