#include "http/media_type.hpp"

#include <algorithm>
#include <charconv>

namespace fedblog::http {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

// Splits on `separator` outside double quotes.
std::vector<std::string_view> split_unquoted(std::string_view s, char separator) {
    std::vector<std::string_view> parts;
    bool quoted = false;
    std::size_t start = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && quoted) {
            ++i;
        } else if (s[i] == '"') {
            quoted = !quoted;
        } else if (s[i] == separator && !quoted) {
            parts.push_back(s.substr(start, i - start));
            start = i + 1;
        }
    }
    parts.push_back(s.substr(start));
    return parts;
}

std::string unquote(std::string_view v) {
    if (v.size() < 2 || v.front() != '"' || v.back() != '"') return std::string(v);
    std::string out;
    for (std::size_t i = 1; i + 1 < v.size(); ++i) {
        if (v[i] == '\\' && i + 2 < v.size()) ++i;
        out += v[i];
    }
    return out;
}

bool parse_one(std::string_view text, MediaRange& out) {
    auto parts = split_unquoted(text, ';');
    std::string_view full = trim(parts[0]);
    auto slash = full.find('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 == full.size()) return false;
    out.type = lower(trim(full.substr(0, slash)));
    out.subtype = lower(trim(full.substr(slash + 1)));
    if (out.type.find_first_of(" \t/") != std::string::npos || out.subtype.find_first_of(" \t/") != std::string::npos)
        return false;
    out.parameters.clear();
    out.q = 1.0;
    for (std::size_t i = 1; i < parts.size(); ++i) {
        std::string_view param = trim(parts[i]);
        if (param.empty()) continue;
        auto eq = param.find('=');
        if (eq == std::string_view::npos) return false;
        std::string name = lower(trim(param.substr(0, eq)));
        std::string value = unquote(trim(param.substr(eq + 1)));
        if (name == "q") {
            double q = 0;
            auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), q);
            if (ec != std::errc{} || end != value.data() + value.size() || q < 0 || q > 1) return false;
            out.q = q;
        } else {
            out.parameters.emplace_back(std::move(name), std::move(value));
        }
    }
    return true;
}

}  // namespace

const std::string* MediaRange::parameter(std::string_view name) const {
    for (const auto& [key, value] : parameters)
        if (key == name) return &value;
    return nullptr;
}

std::vector<MediaRange> parse_accept(std::string_view header) {
    std::vector<MediaRange> ranges;
    for (std::string_view item : split_unquoted(header, ',')) {
        if (trim(item).empty()) continue;
        MediaRange range;
        if (parse_one(item, range)) ranges.push_back(std::move(range));  // a malformed range is skipped alone
    }
    return ranges;
}

bool parse_media_type(std::string_view header, MediaRange& out) {
    return parse_one(header, out) && out.type != "*" && out.subtype != "*";
}

bool is_activity_pub_type(const MediaRange& range) {
    if (range.type != "application") return false;
    if (range.subtype == "activity+json") return true;
    if (range.subtype != "ld+json") return false;
    const std::string* profile = range.parameter("profile");
    if (!profile) return true;
    // The profile parameter is a space-separated list of URIs.
    std::string_view list = *profile;
    while (!list.empty()) {
        auto space = list.find(' ');
        if (list.substr(0, space) == "https://www.w3.org/ns/activitystreams") return true;
        if (space == std::string_view::npos) break;
        list.remove_prefix(space + 1);
    }
    return false;
}

}  // namespace fedblog::http
