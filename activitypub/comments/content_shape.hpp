#pragma once
// What a reply's sanitized HTML is made of, for the spam signals: its links, its mentions, and whether any
// text is left once they are taken out. Any letter, digit, emoji or other symbol of any script is text;
// only whitespace and ASCII punctuation are not, so "🎉" or "ありがとう" alone is a real answer.
#include <string>
#include <string_view>
#include <vector>

namespace fedblog::activitypub::comments {

struct ContentShape {
    int links = 0;                            // links that are not mentions or hashtags, bare URLs included
    std::vector<std::string> mention_hrefs;   // <a class="mention"> (or "@..." text), in order
    bool has_text = false;                    // anything besides links, mentions, hashtags and punctuation

    bool links_only() const { return links > 0 && !has_text; }
};

// Builds a ContentShape from the text and the links of sanitized HTML in document order. sanitize_html feeds
// one while it writes (one parse for both); content_shape() feeds one from a parse of its own.
class ShapeReader {
public:
    // A run of text outside links, between two tags (as an HTML parser would make it one text node).
    void text(std::string_view text);
    // A link: its class attribute, its href and all the text inside it.
    void link(std::string_view classes, std::string_view href, std::string_view text);
    ContentShape finish() { return std::move(shape_); }

private:
    ContentShape shape_;
};

// `html` as sanitize_html returns it (only http(s) links are left, with Mastodon's classes).
ContentShape content_shape(std::string_view html);

}  // namespace fedblog::activitypub::comments
