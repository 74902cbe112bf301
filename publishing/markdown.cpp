#include "publishing/markdown.hpp"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>

#include <cstdlib>
#include <memory>
#include <stdexcept>

namespace fedblog::publishing {

namespace {

struct ParserDeleter {
    void operator()(cmark_parser* parser) const { cmark_parser_free(parser); }
};
struct NodeDeleter {
    void operator()(cmark_node* node) const { cmark_node_free(node); }
};
struct IterDeleter {
    void operator()(cmark_iter* iter) const { cmark_iter_free(iter); }
};
using ParserPtr = std::unique_ptr<cmark_parser, ParserDeleter>;
using NodePtr = std::unique_ptr<cmark_node, NodeDeleter>;
using IterPtr = std::unique_ptr<cmark_iter, IterDeleter>;

// Safe mode is cmark-gfm's default (CMARK_OPT_UNSAFE not set): raw HTML blocks and inline tags become
// "<!-- raw HTML omitted -->" and javascript:/data: links are emptied, so a post cannot inject script into
// the pages and fediverse timelines that show it (Hugo's default renderer behaves the same way).
// No CMARK_OPT_SMART: French typography has its own quotes (« ») and the author types them.
constexpr int parse_options = CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8;
constexpr int render_options = CMARK_OPT_DEFAULT;

// tagfilter only matters for raw HTML, which safe mode already drops; it is attached so that turning
// safe mode off later would still neutralize <script>, <iframe> and the like.
constexpr const char* extension_names[] = {"table", "strikethrough", "autolink", "tagfilter"};

ParserPtr make_parser() {
    // cmark-gfm registers extensions in a global list without locking: do it once, under C++'s static-init guard.
    static const bool registered = (cmark_gfm_core_extensions_ensure_registered(), true);
    (void)registered;
    ParserPtr parser(cmark_parser_new(parse_options));
    if (!parser) throw std::bad_alloc();
    for (const char* name : extension_names) {
        cmark_syntax_extension* extension = cmark_find_syntax_extension(name);
        if (!extension) throw std::logic_error(std::string("cmark-gfm extension missing: ") + name);
        cmark_parser_attach_syntax_extension(parser.get(), extension);
    }
    return parser;
}

// The rendered buffer comes from the default allocator (the parser's), i.e. malloc.
std::string render_html(cmark_node* node, cmark_parser* parser) {
    std::unique_ptr<char, decltype(&std::free)> html(
        cmark_render_html(node, render_options, cmark_parser_get_syntax_extensions(parser)), &std::free);
    if (!html) throw std::bad_alloc();
    std::string result(html.get());
    while (!result.empty() && result.back() == '\n') result.pop_back();
    return result;
}

// Points relative image URLs at the media route and records them, before anything is rendered.
void rewrite_relative_images(cmark_node* document, std::string_view prefix, std::vector<ImageReference>& found) {
    IterPtr iter(cmark_iter_new(document));
    if (!iter) throw std::bad_alloc();
    for (cmark_event_type event; (event = cmark_iter_next(iter.get())) != CMARK_EVENT_DONE;) {
        cmark_node* node = cmark_iter_get_node(iter.get());
        if (event != CMARK_EVENT_ENTER || cmark_node_get_type(node) != CMARK_NODE_IMAGE) continue;
        const char* url = cmark_node_get_url(node);
        if (!url || !is_relative_url(url)) continue;
        found.push_back({url, cmark_node_get_start_line(node)});
        cmark_node_set_url(node, (std::string(prefix) + url).c_str());
    }
}

cmark_node* first_top_level_paragraph(cmark_node* document) {
    for (cmark_node* child = cmark_node_first_child(document); child; child = cmark_node_next(child))
        if (cmark_node_get_type(child) == CMARK_NODE_PARAGRAPH) return child;
    return nullptr;
}

}  // namespace

bool is_relative_url(std::string_view url) {
    if (url.empty() || url.front() == '/' || url.front() == '#' || url.front() == '?') return false;
    // A scheme is letters, digits, '+', '-', '.' up to the first ':', which must come before any '/', '?', '#'.
    const auto colon = url.find(':');
    return colon == std::string_view::npos || url.find_first_of("/?#") < colon;
}

RenderedMarkdown render_markdown(std::string_view markdown, std::string_view relative_image_prefix) {
    // The parser owns the extension list the renderer needs: it outlives every render below.
    ParserPtr parser = make_parser();
    cmark_parser_feed(parser.get(), markdown.data(), markdown.size());
    NodePtr document(cmark_parser_finish(parser.get()));
    if (!document) throw std::bad_alloc();

    RenderedMarkdown rendered;
    rewrite_relative_images(document.get(), relative_image_prefix, rendered.relative_images);
    rendered.html = render_html(document.get(), parser.get());
    if (cmark_node* paragraph = first_top_level_paragraph(document.get()))
        rendered.first_paragraph_html = render_html(paragraph, parser.get());
    return rendered;
}

}  // namespace fedblog::publishing
