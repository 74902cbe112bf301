#include "store/comment_attachments.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "common/utf8.hpp"
#include "store/columns.hpp"

namespace fedblog::store {

namespace {

using nlohmann::json;

// Valid UTF-8 without control characters (each becomes a space), cut at a character boundary.
std::string clean_cut(std::string_view text, std::size_t max_bytes) {
    std::string out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t start = pos;
        const char32_t c = next_code_point(text, pos);
        std::string piece = (c < 0x20 || (c >= 0x7F && c <= 0x9F)) ? std::string(" ")
                            : c == replacement_character ? std::string("\xEF\xBF\xBD")
                                                          : std::string(text.substr(start, pos - start));
        if (out.size() + piece.size() > max_bytes) break;
        out += piece;
    }
    return out;
}

// An absolute http(s) URL with a host, and nothing a browser would read differently from us: no spaces,
// no control characters, no backslashes.
bool acceptable_url(std::string_view url) {
    if (url.size() > max_attachment_url_bytes) return false;
    std::size_t rest;
    if (url.starts_with("https://")) rest = 8;
    else if (url.starts_with("http://")) rest = 7;
    else return false;
    if (rest >= url.size() || url[rest] == '/' || url[rest] == '?' || url[rest] == '#') return false;
    for (unsigned char c : url)
        if (c <= 0x20 || c == 0x7F || c == '\\') return false;
    return find_invalid_utf8(url) == std::nullopt;
}

bool known_kind(std::string_view kind) {
    return kind == "image" || kind == "video" || kind == "audio" || kind == "document";
}

// Media types are tokens ("image/png"); anything else is dropped rather than repaired.
std::string clean_media_type(std::string_view type) {
    if (type.size() > max_attachment_media_type_bytes) return {};
    for (unsigned char c : type)
        if (c <= 0x20 || c >= 0x7F || c == '"' || c == '<' || c == '>') return {};
    return std::string(type);
}

std::string clean_blurhash(std::string_view hash) {
    if (hash.size() > max_attachment_blurhash_bytes) return {};
    for (unsigned char c : hash)  // the blurhash base-83 alphabet is printable ASCII without quotes
        if (c <= 0x20 || c >= 0x7F || c == '"' || c == '\'' || c == '<' || c == '>' || c == '&') return {};
    return std::string(hash);
}

int clean_dimension(int value) { return value > 0 && value <= max_attachment_dimension ? value : 0; }

std::string string_field(const json& node, const char* key) {
    auto found = node.find(key);
    return found != node.end() && found->is_string() ? found->get<std::string>() : std::string();
}

int int_field(const json& node, const char* key) {
    auto found = node.find(key);
    return found != node.end() && found->is_number_integer() ? static_cast<int>(std::clamp<std::int64_t>(
                                                                    found->get<std::int64_t>(), 0, max_attachment_dimension + 1))
                                                              : 0;
}

}  // namespace

std::vector<Attachment> bounded_attachments(std::vector<Attachment> attachments) {
    std::vector<Attachment> kept;
    for (auto& a : attachments) {
        if (kept.size() == max_attachments) break;
        if (!known_kind(a.kind) || !acceptable_url(a.url)) continue;
        a.media_type = clean_media_type(a.media_type);
        a.name = clean_cut(a.name, max_attachment_name_bytes);
        a.blurhash = clean_blurhash(a.blurhash);
        a.width = clean_dimension(a.width);
        a.height = clean_dimension(a.height);
        kept.push_back(std::move(a));
    }
    return kept;
}

std::string encode_attachments(const std::vector<Attachment>& attachments) {
    auto bounded = bounded_attachments(attachments);
    if (bounded.empty()) return {};
    json list = json::array();
    for (const auto& a : bounded) {
        json entry = {{"kind", a.kind}, {"url", a.url}};
        if (!a.media_type.empty()) entry["media_type"] = a.media_type;
        if (!a.name.empty()) entry["name"] = a.name;
        if (!a.blurhash.empty()) entry["blurhash"] = a.blurhash;
        if (a.width > 0) entry["width"] = a.width;
        if (a.height > 0) entry["height"] = a.height;
        list.push_back(std::move(entry));
    }
    return list.dump();
}

std::vector<Attachment> decode_attachments(std::string_view text) {
    if (text.empty()) return {};
    json list = json::parse(text, nullptr, false);
    if (!list.is_array()) return {};
    std::vector<Attachment> attachments;
    for (const auto& entry : list) {
        if (!entry.is_object()) continue;
        attachments.push_back({string_field(entry, "kind"), string_field(entry, "url"), string_field(entry, "media_type"),
                               string_field(entry, "name"), string_field(entry, "blurhash"), int_field(entry, "width"),
                               int_field(entry, "height")});
    }
    return bounded_attachments(std::move(attachments));
}

bool CommentAttachments::replace(std::string_view object_id, const std::vector<Attachment>& attachments) {
    std::lock_guard lock(db_.mutex());
    auto& update = db_.prepared("UPDATE comments SET attachments = ? WHERE object_id = ? AND deleted IS NULL");
    columns::bind_text_or_null(update, 1, encode_attachments(attachments));
    update.bind(2, std::string(object_id));
    return update.exec() > 0;
}

std::vector<Attachment> CommentAttachments::of(std::int64_t comment_id) {
    std::lock_guard lock(db_.mutex());
    auto& query = db_.prepared("SELECT attachments FROM comments WHERE id = ? AND deleted IS NULL");
    columns::ResetOnExit query_done(query);
    query.bind(1, static_cast<int64_t>(comment_id));
    if (!query.executeStep()) return {};
    return decode_attachments(columns::text_or_empty(query.getColumn(0)));
}

std::map<std::int64_t, std::vector<Attachment>> CommentAttachments::for_post(std::int64_t post_id) {
    std::lock_guard lock(db_.mutex());
    auto& query = db_.prepared(
        "SELECT id, attachments FROM comments WHERE post_id = ? AND attachments IS NOT NULL AND deleted IS NULL");
    columns::ResetOnExit query_done(query);
    query.bind(1, static_cast<int64_t>(post_id));
    std::map<std::int64_t, std::vector<Attachment>> found;
    while (query.executeStep()) {
        auto list = decode_attachments(columns::text_or_empty(query.getColumn(1)));
        if (!list.empty()) found.emplace(query.getColumn(0).getInt64(), std::move(list));
    }
    return found;
}

}  // namespace fedblog::store
