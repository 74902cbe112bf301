#include "activitypub/inbox/attachments.hpp"

#include <boost/url/parse.hpp>

#include "activitypub/comments/sanitizer.hpp"

namespace fedblog::activitypub::inbox {

namespace {

std::string string_of(const Json& node, std::string_view key) {
    auto found = node.find(key);
    return found != node.end() && found->is_string() ? found->get<std::string>() : std::string();
}

int int_of(const Json& node, std::string_view key) {
    auto found = node.find(key);
    if (found == node.end() || !found->is_number()) return 0;
    double value = found->get<double>();
    return value >= 1 && value <= store::max_attachment_dimension ? static_cast<int>(value) : 0;
}

// Absolute, http or https, with a host: checked by Boost.URL, so what the page links is what we checked.
bool is_web_url(const std::string& text) {
    auto url = boost::urls::parse_absolute_uri(text);
    if (!url) return false;
    return (url->scheme_id() == boost::urls::scheme::https || url->scheme_id() == boost::urls::scheme::http) &&
           url->has_authority() && !url->encoded_host().empty();
}

struct Location {
    std::string href;
    std::string media_type;
};

// `url` as a string, a Link ({href, mediaType}), or a list of those: the first web URL.
Location location_of(const Json& attachment) {
    auto found = attachment.find("url");
    if (found == attachment.end()) return {};
    auto one = [](const Json& node) -> Location {
        if (node.is_string()) return {node.get<std::string>(), ""};
        if (node.is_object()) return {string_of(node, "href"), string_of(node, "mediaType")};
        return {};
    };
    if (!found->is_array()) {
        Location location = one(*found);
        return is_web_url(location.href) ? location : Location{};
    }
    for (const auto& item : *found)
        if (Location location = one(item); is_web_url(location.href)) return location;
    return {};
}

// Image, Video and Audio say what they are; a Document (Mastodon's choice for all media) by its media type.
std::string kind_of(const std::string& type, const std::string& media_type) {
    if (type == "Image") return "image";
    if (type == "Video") return "video";
    if (type == "Audio") return "audio";
    if (type != "Document") return {};
    if (media_type.starts_with("image/")) return "image";
    if (media_type.starts_with("video/")) return "video";
    if (media_type.starts_with("audio/")) return "audio";
    return "document";
}

}  // namespace

std::vector<store::Attachment> attachments_of(const Json& object) {
    auto found = object.find("attachment");
    if (found == object.end()) return {};
    std::vector<const Json*> entries;
    if (found->is_array())
        for (const auto& item : *found) entries.push_back(&item);
    else
        entries.push_back(&*found);

    std::vector<store::Attachment> attachments;
    for (const Json* entry : entries) {
        if (attachments.size() == store::max_attachments) break;
        if (!entry->is_object()) continue;
        Location location = location_of(*entry);
        if (location.href.empty()) continue;
        std::string media_type = string_of(*entry, "mediaType");
        if (media_type.empty()) media_type = location.media_type;
        std::string kind = kind_of(string_of(*entry, "type"), media_type);
        if (kind.empty()) continue;
        // Some servers put HTML in descriptions: keep its text only.
        std::string name = comments::html_to_text(string_of(*entry, "name"),
                                                  {.max_output_bytes = store::max_attachment_name_bytes});
        attachments.push_back({std::move(kind), std::move(location.href), std::move(media_type), std::move(name),
                               string_of(*entry, "blurhash"), int_of(*entry, "width"), int_of(*entry, "height")});
    }
    return store::bounded_attachments(std::move(attachments));
}

}  // namespace fedblog::activitypub::inbox
