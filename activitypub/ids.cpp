#include "activitypub/ids.hpp"

#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/pchars.hpp>
#include <cctype>
#include <stdexcept>

namespace fedblog::activitypub {

Ids::Ids(std::string origin, std::string handle) : origin_(std::move(origin)), handle_(std::move(handle)) {
    while (!origin_.empty() && origin_.back() == '/') origin_.pop_back();
    auto parsed = boost::urls::parse_absolute_uri(origin_);
    if (!parsed || !parsed->has_authority() || parsed->host().empty())
        throw std::invalid_argument("public URL is not an absolute http(s) URL: " + origin_);
    authority_ = parsed->encoded_authority();
    host_ = parsed->encoded_host();
    for (char& c : host_) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

static std::string encode_segments(std::string_view path) {
    // Keep '/' between segments, encode everything a path segment may not hold.
    std::string out;
    std::size_t start = 0;
    while (true) {
        std::size_t slash = path.find('/', start);
        std::string_view segment = path.substr(start, slash == std::string_view::npos ? slash : slash - start);
        out += boost::urls::encode(segment, boost::urls::pchars);
        if (slash == std::string_view::npos) break;
        out += '/';
        start = slash + 1;
    }
    return out;
}

std::string Ids::tag_path(std::string_view tag) const {
    return std::string(tag_prefix) + boost::urls::encode(tag, boost::urls::pchars);
}

std::string Ids::media(std::string_view relative_path) const {
    return origin_ + std::string(media_prefix) + encode_segments(relative_path);
}

}  // namespace fedblog::activitypub
