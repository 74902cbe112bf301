#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fedblog {

// Unix seconds, UTC.
std::int64_t now_seconds();

// "2026-11-26T06:34:13Z": the form ActivityStreams, Atom and NodeInfo all accept.
std::string format_rfc3339(std::int64_t unix_seconds);

// "Thu, 26 Nov 2026 06:34:13 GMT": the HTTP Date header form (RFC 9110 IMF-fixdate).
std::string format_http_date(std::int64_t unix_seconds);

// Accepts the date forms blog front matter uses: "2026-11-20", "2026-11-20 10:00",
// "2026-11-20T10:00:00", with optional seconds, fraction, "Z" or "+01:00". Returns nothing when malformed.
std::optional<std::int64_t> parse_date_time(std::string_view text);

}  // namespace fedblog
