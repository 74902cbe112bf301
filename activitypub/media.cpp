#include "activitypub/media.hpp"

#include <array>
#include <boost/url/parse.hpp>
#include <cctype>
#include <utility>

namespace fedblog::activitypub {

namespace {

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// The http(s) URL in `setting`, or nothing when it is a local path.
std::optional<boost::urls::url_view> absolute_http_url(std::string_view setting) {
    auto parsed = boost::urls::parse_absolute_uri(setting);
    if (!parsed || !parsed->has_authority()) return std::nullopt;
    std::string scheme = lower(parsed->scheme());
    if (scheme != "http" && scheme != "https") return std::nullopt;
    return *parsed;
}

}  // namespace

std::optional<std::string> image_media_type(std::string_view path_or_url) {
    std::string_view path = path_or_url;
    if (auto url = absolute_http_url(path_or_url)) path = url->encoded_path();
    std::size_t dot = path.rfind('.');
    if (dot == std::string_view::npos || path.find('/', dot) != std::string_view::npos) return std::nullopt;
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 8> types{{
        {"png", "image/png"},
        {"jpg", "image/jpeg"},
        {"jpeg", "image/jpeg"},
        {"gif", "image/gif"},
        {"webp", "image/webp"},
        {"avif", "image/avif"},
        {"svg", "image/svg+xml"},
        {"ico", "image/x-icon"},
    }};
    std::string extension = lower(path.substr(dot + 1));
    for (const auto& [ext, type] : types)
        if (extension == ext) return std::string(type);
    return std::nullopt;
}

std::string image_url(std::string_view setting, const Ids& ids) {
    if (setting.empty()) return {};
    if (absolute_http_url(setting)) return std::string(setting);
    while (!setting.empty() && setting.front() == '/') setting.remove_prefix(1);
    return ids.media(setting);
}

std::optional<Json> image_object(std::string_view setting, const Ids& ids, std::string_view alt) {
    if (setting.empty()) return std::nullopt;
    Json image = {{"type", "Image"}};
    if (auto type = image_media_type(setting)) image["mediaType"] = *type;
    image["url"] = image_url(setting, ids);
    if (!alt.empty()) image["name"] = alt;
    return image;
}

}  // namespace fedblog::activitypub
