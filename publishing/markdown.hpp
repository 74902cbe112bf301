#pragma once
// Markdown to HTML with cmark-gfm (GitHub Flavored Markdown: tables, strikethrough, autolinks).
#include <string>
#include <string_view>
#include <vector>

namespace fedblog::publishing {

// An image the Markdown refers to by a path relative to the post's folder.
struct ImageReference {
    std::string url;  // as written, e.g. "photos/atelier.jpg"
    int line = 0;     // 1-based, within the Markdown text
};

struct RenderedMarkdown {
    std::string html;
    // The first top-level paragraph rendered alone ("<p>…</p>"); empty when there is none.
    std::string first_paragraph_html;
    std::vector<ImageReference> relative_images;
};

// Renders `markdown`; every relative image URL becomes relative_image_prefix + URL, so that images kept
// beside a post are served from the media route (the prefix ends with '/', e.g. "https://blog.example/media/posts/").
// Raw HTML is not passed through (see markdown.cpp).
RenderedMarkdown render_markdown(std::string_view markdown, std::string_view relative_image_prefix);

// No scheme ("https:", "mailto:"), not absolute ("/…", "//host/…"), not a fragment or a query: a path.
bool is_relative_url(std::string_view url);

}  // namespace fedblog::publishing
