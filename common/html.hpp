#pragma once
#include <string>
#include <string_view>

namespace fedblog {

// Escapes text for HTML element content and double- or single-quoted attribute values alike.
std::string escape_html(std::string_view text);

}  // namespace fedblog
