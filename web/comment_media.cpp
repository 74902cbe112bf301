#include "web/comment_media.hpp"

#include "web/escape.hpp"

namespace fedblog::web {

namespace {

constexpr std::string_view link_attributes = "rel=\"nofollow noopener noreferrer\" target=\"_blank\"";

// Thumbnails keep the image's proportions within a small box; width/height reserve the space before loading.
std::string thumbnail(const store::Attachment& a, const Strings& s) {
    std::string size;
    if (a.width > 0 && a.height > 0)
        size = " width=\"" + std::to_string(a.width) + "\" height=\"" + std::to_string(a.height) + "\"";
    std::string alt = a.name.empty() ? std::string(s.attachment_image) : a.name;
    return "<a href=\"" + escape_attribute(a.url) + "\" " + std::string(link_attributes) + "><img src=\"" +
           escape_attribute(a.url) + "\" alt=\"" + escape_attribute(alt) + "\"" + size +
           " loading=\"lazy\" decoding=\"async\" referrerpolicy=\"no-referrer\"></a>";
}

std::string media_link(const store::Attachment& a, const Strings& s) {
    std::string_view kind = a.kind == "video" ? s.attachment_video : a.kind == "audio" ? s.attachment_audio
                                                                                       : s.attachment_document;
    // French puts a no-break space before the colon.
    std::string label = std::string(kind);
    if (!a.name.empty()) label += (s.language == "fr" ? "\u00A0: " : ": ") + a.name;
    return "<a class=\"media-link\" href=\"" + escape_attribute(a.url) + "\" " + std::string(link_attributes) + ">" +
           escape_text(label) + "</a>";
}

}  // namespace

std::string render_attachments(const std::vector<store::Attachment>& attachments, const Strings& strings) {
    // The store bounds what it returns; this re-check keeps the page safe whatever the caller passes.
    auto shown = store::bounded_attachments(attachments);
    if (shown.empty()) return {};
    std::string out = "<ul class=\"attachments\">";
    for (const auto& a : shown)
        out += "<li>" + (a.kind == "image" ? thumbnail(a, strings) : media_link(a, strings)) + "</li>";
    return out + "</ul>\n";
}

}  // namespace fedblog::web
