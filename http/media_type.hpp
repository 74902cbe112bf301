#pragma once
// Accept and Content-Type media ranges (RFC 9110 §12.5.1), parsed strictly enough for negotiation.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fedblog::http {

struct MediaRange {
    std::string type;     // lower-cased, "*" allowed
    std::string subtype;  // lower-cased, "*" allowed
    std::vector<std::pair<std::string, std::string>> parameters;  // names lower-cased, values unquoted
    double q = 1.0;

    const std::string* parameter(std::string_view name) const;
};

std::vector<MediaRange> parse_accept(std::string_view header);
// One media type as in Content-Type; nothing when malformed.
bool parse_media_type(std::string_view header, MediaRange& out);
// application/activity+json, or application/ld+json with no profile or the ActivityStreams profile.
bool is_activity_pub_type(const MediaRange& range);

}  // namespace fedblog::http
