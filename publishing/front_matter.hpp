#pragma once
// A post file: YAML front matter between two "---" lines, then the Markdown body (Hugo and Jekyll style).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace fedblog::publishing {

struct FrontMatter {
    std::string title;
    std::int64_t date = 0;                // Unix seconds, UTC
    std::optional<std::string> slug;      // validated; absent: derived from the file name
    std::vector<std::string> tags;        // the author's spelling, duplicates (ignoring case) removed
    std::optional<std::string> summary;   // Markdown
    std::optional<std::string> language;  // absent: the blog's language
    std::optional<std::string> image;     // relative to the post's folder, extension checked, existence not
    std::string image_alt;
    bool draft = false;
    bool comments_closed = false;

    std::map<std::string, int, std::less<>> key_lines;  // line of the file of every key present
    // For messages about a key: its line, or the opening --- (line 1) when the key is absent.
    int line_of(std::string_view key) const {
        auto it = key_lines.find(key);
        return it == key_lines.end() ? 1 : it->second;
    }
};

struct PostSource {
    FrontMatter front_matter;
    std::string body;         // Markdown
    int body_first_line = 0;  // line of the file on which the body starts (1-based)
};

struct SourceError {
    int line = 0;  // 1-based line of the file
    std::string message;
};

// Splits and checks a whole post file. Unknown keys are ignored: Hugo themes use many we have no use for.
std::variant<PostSource, SourceError> parse_post_source(std::string_view file_text);

}  // namespace fedblog::publishing
