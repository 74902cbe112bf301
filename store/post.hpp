#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace fedblog::store {

// Unix seconds, UTC.
using Timestamp = std::int64_t;

// A blog post as the store holds it: already rendered, ready to serve.
struct Post {
    std::int64_t id = 0;
    std::string slug;
    std::string source_path;  // relative to the content directory
    std::string source_hash;  // SHA-256 hex of the source file, decides "changed"
    std::string title;
    std::string summary_html;  // always set: front matter summary or first paragraph
    std::string content_html;
    std::string language;  // BCP 47, e.g. "fr"
    std::vector<std::string> tags;
    std::string image_path;  // relative to the content directory, empty when none
    std::string image_alt;
    bool comments_closed = false;
    Timestamp published = 0;
    std::optional<Timestamp> updated;
    std::optional<Timestamp> deleted;  // set: the post is a Tombstone

    bool is_deleted() const { return deleted.has_value(); }
    // Open to replies: not closed by its front matter and, when the blog closes comments after some days,
    // younger than that.
    bool accepts_replies(unsigned close_after_days, Timestamp now) const {
        if (comments_closed) return false;
        return close_after_days == 0 || now < published + Timestamp(close_after_days) * 86400;
    }
};

}  // namespace fedblog::store
