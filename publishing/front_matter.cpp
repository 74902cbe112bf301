#include "publishing/front_matter.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <regex>

#include "common/time.hpp"
#include "publishing/markdown.hpp"
#include "publishing/slug.hpp"
#include "common/utf8.hpp"

namespace fedblog::publishing {

namespace {

// Thrown inside this file only: every check below bails out the same way.
struct Rejected {
    SourceError error;
};

[[noreturn]] void reject(int line, std::string message) { throw Rejected{{line, std::move(message)}}; }

std::string_view trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

int line_at(std::string_view text, std::size_t offset) {
    return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
}

struct Split {
    std::string_view yaml;
    std::string_view body;
    int body_first_line = 0;
};

// The opening "---" must be the first line; the closing one is the next line holding only "---".
Split split(std::string_view text) {
    std::size_t pos = 0;
    int line = 0;
    const auto next_line = [&]() -> std::optional<std::string_view> {
        if (pos >= text.size()) return std::nullopt;
        const auto end = std::min(text.find('\n', pos), text.size());
        const std::string_view content = text.substr(pos, end - pos);
        pos = std::min(end + 1, text.size());
        ++line;
        return content;
    };
    const std::string_view opening = trim(next_line().value_or(""));
    if (opening == "+++") reject(1, "TOML front matter (+++) is not supported: write it in YAML between --- lines");
    if (opening != "---") reject(1, "the file must start with front matter: a line ---, the fields, a line ---");
    const std::size_t yaml_start = pos;
    for (std::size_t line_start = pos; const auto content = next_line(); line_start = pos)
        if (trim(*content) == "---")
            return {text.substr(yaml_start, line_start - yaml_start), text.substr(pos), line + 1};
    reject(1, "the front matter opened here is never closed: add a line --- after its last field");
}

// Reads the fields of a parsed YAML mapping, turning yaml-cpp's 0-based marks into lines of the file.
// Messages about a field point at its key: yaml-cpp marks an empty (null) value at the token after it,
// which can be the next line.
class Fields {
public:
    Fields(const YAML::Node& root, int first_yaml_line) : root_(root), first_yaml_line_(first_yaml_line) {
        for (const auto& entry : root_)
            if (entry.first.IsScalar()) key_lines_.emplace(entry.first.Scalar(), line_of(entry.first));
    }

    YAML::Node get(const char* key) const { return root_[key]; }

    int line_of(const YAML::Node& node) const {
        const YAML::Mark mark = node.Mark();
        return mark.is_null() ? 1 : first_yaml_line_ + mark.line;
    }

    // A missing key has no position: the opening --- (line 1) stands for the whole front matter.
    int line_of_key(std::string_view key) const {
        auto it = key_lines_.find(key);
        return it == key_lines_.end() ? 1 : it->second;
    }

    const std::map<std::string, int, std::less<>>& key_lines() const { return key_lines_; }

    // What yaml-cpp decoded must be UTF-8 text: it turns a NUL into a lone byte 0x85, for one.
    static void check_text(int line, std::string_view key, std::string_view value) {
        const bool control = std::any_of(value.begin(), value.end(), [](char c) {
            return (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f;
        });
        if (control || find_invalid_utf8(value))
            reject(line, std::string(key) + ": not text (a control character or bytes that are not UTF-8)");
    }

    // Absent, null and blank all read as nothing.
    std::optional<std::string> text(const char* key) const {
        const YAML::Node node = get(key);
        if (!node.IsDefined() || node.IsNull()) return std::nullopt;
        if (!node.IsScalar()) reject(line_of_key(key), std::string(key) + ": expected text, not a list or a mapping");
        const std::string_view value = trim(node.Scalar());
        if (value.empty()) return std::nullopt;
        check_text(line_of_key(key), key, value);
        return std::string(value);
    }

    std::string required_text(const char* key) const {
        auto value = text(key);
        if (!value) reject(line_of_key(key), std::string("missing ") + key + " (required)");
        return *value;
    }

private:
    const YAML::Node& root_;
    int first_yaml_line_;
    std::map<std::string, int, std::less<>> key_lines_;
};

std::int64_t read_date(const Fields& fields) {
    const std::string text = fields.required_text("date");
    const auto date = parse_date_time(text);
    if (!date)
        reject(
            fields.line_of_key("date"),
            "date: \"" + text + "\" is not a date (write 2026-11-20, 2026-11-20 10:00 or 2026-11-20T10:00:00+01:00)");
    return *date;
}

std::optional<std::string> read_slug(const Fields& fields) {
    auto slug = fields.text("slug");
    if (slug && !is_valid_slug(*slug)) {
        std::string message =
            "slug: \"" + *slug + "\" is not a valid slug: use lowercase letters, digits and single hyphens";
        if (const std::string suggestion = slugify(*slug); !suggestion.empty())
            message += " (e.g. \"" + suggestion + "\")";
        reject(fields.line_of_key("slug"), message);
    }
    return slug;
}

std::vector<std::string> read_tags(const Fields& fields) {
    const YAML::Node node = fields.get("tags");
    std::vector<std::string> tags;
    std::vector<std::string> seen;  // lowercased
    const auto add = [&](const YAML::Node& item) {
        // A null item carries the mark of the token after it: point at the list instead.
        if (item.IsNull()) reject(fields.line_of_key("tags"), "tags: the list has an empty item");
        if (!item.IsScalar() || trim(item.Scalar()).empty())
            reject(fields.line_of(item), "tags: each tag must be a non-empty text");
        std::string tag(trim(item.Scalar()));
        Fields::check_text(fields.line_of(item), "tags", tag);
        std::string key = lowercase(tag);
        if (std::find(seen.begin(), seen.end(), key) != seen.end()) return;
        seen.push_back(std::move(key));
        tags.push_back(std::move(tag));
    };
    if (!node.IsDefined() || node.IsNull()) return tags;
    if (node.IsScalar()) {
        add(node);
    } else if (node.IsSequence()) {
        for (const YAML::Node& item : node) add(item);
    } else {
        reject(fields.line_of_key("tags"), "tags: expected a list of tags or a single tag");
    }
    return tags;
}

std::optional<std::string> read_language(const Fields& fields) {
    static const std::regex bcp47("[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*");
    auto language = fields.text("language");
    if (language && !std::regex_match(*language, bcp47))
        reject(fields.line_of_key("language"),
               "language: \"" + *language + "\" is not a language tag (e.g. fr, fr-CA, en)");
    return language;
}

std::optional<std::string> read_image(const Fields& fields) {
    auto image = fields.text("image");
    if (!image) return image;
    const int line = fields.line_of_key("image");
    if (!is_relative_url(*image))
        reject(line,
               "image: \"" + *image + "\" must be a path relative to the post's folder, not a URL or an absolute path");
    const auto dot = image->rfind('.');
    const std::string extension = dot == std::string::npos ? std::string{} : lowercase(image->substr(dot));
    static constexpr std::string_view allowed[] = {".png", ".jpg", ".jpeg", ".gif", ".webp"};
    if (std::find(std::begin(allowed), std::end(allowed), extension) == std::end(allowed))
        reject(line, "image: \"" + *image + "\" must be a PNG, JPEG, GIF or WebP file");
    return image;
}

bool read_draft(const Fields& fields) {
    const YAML::Node node = fields.get("draft");
    if (!node.IsDefined() || node.IsNull()) return false;
    bool draft = false;
    if (!node.IsScalar() || !YAML::convert<bool>::decode(node, draft))
        reject(fields.line_of_key("draft"), "draft: expected true or false");
    return draft;
}

bool read_comments_closed(const Fields& fields) {
    const auto comments = fields.text("comments");
    if (!comments || *comments == "open") return false;
    if (*comments == "closed") return true;
    reject(fields.line_of_key("comments"), "comments: expected open or closed, not \"" + *comments + "\"");
}

FrontMatter read_front_matter(std::string_view yaml, int first_yaml_line) {
    YAML::Node root;
    try {
        root = YAML::Load(std::string(yaml));
    } catch (const YAML::Exception& e) {
        reject(e.mark.is_null() ? 1 : first_yaml_line + e.mark.line, "front matter is not valid YAML: " + e.msg);
    }
    if (!root.IsDefined() || root.IsNull()) reject(1, "missing title (required)");
    if (!root.IsMap()) reject(first_yaml_line + root.Mark().line, "front matter must be \"key: value\" lines");

    const YAML::Node& const_root = root;  // operator[] on a non-const node would insert missing keys
    const Fields fields(const_root, first_yaml_line);
    FrontMatter front_matter;
    front_matter.title = fields.required_text("title");
    front_matter.date = read_date(fields);
    front_matter.slug = read_slug(fields);
    front_matter.tags = read_tags(fields);
    front_matter.summary = fields.text("summary");
    front_matter.language = read_language(fields);
    front_matter.image = read_image(fields);
    front_matter.image_alt = fields.text("image_alt").value_or("");
    front_matter.draft = read_draft(fields);
    front_matter.comments_closed = read_comments_closed(fields);
    front_matter.key_lines = fields.key_lines();
    return front_matter;
}

}  // namespace

std::variant<PostSource, SourceError> parse_post_source(std::string_view file_text) {
    try {
        if (const auto bad = find_invalid_utf8(file_text))
            reject(line_at(file_text, *bad), "the file is not valid UTF-8: save it as UTF-8");
        if (file_text.starts_with("\xEF\xBB\xBF")) file_text.remove_prefix(3);  // a BOM some editors add
        const Split parts = split(file_text);
        // The YAML starts on line 2, the line after the opening ---.
        FrontMatter front_matter = read_front_matter(parts.yaml, 2);
        return PostSource{std::move(front_matter), std::string(parts.body), parts.body_first_line};
    } catch (const Rejected& rejected) {
        return rejected.error;
    }
}

}  // namespace fedblog::publishing
