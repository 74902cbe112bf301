#pragma once
// The site's one stylesheet. Its source is web/style.css, compiled into the binary so the server needs no
// files beside its content directory.
#include <string_view>

namespace fedblog::web {

// Where every page links the stylesheet; the router serves stylesheet() there as text/css.
inline constexpr std::string_view stylesheet_path = "/style.css";

std::string_view stylesheet();

}  // namespace fedblog::web
