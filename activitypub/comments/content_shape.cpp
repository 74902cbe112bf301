#include "activitypub/comments/content_shape.hpp"

#include <gumbo.h>

#include <cctype>
#include <memory>
#include <vector>

namespace fedblog::activitypub::comments {

namespace {

std::string_view attribute(const GumboElement& element, const char* name) {
    const GumboAttribute* found = gumbo_get_attribute(&element.attributes, name);
    return found ? std::string_view(found->value) : std::string_view();
}

bool has_class(std::string_view classes, std::string_view name) {
    std::size_t pos = 0;
    while (pos < classes.size()) {
        std::size_t end = classes.find(' ', pos);
        if (end == std::string_view::npos) end = classes.size();
        if (classes.substr(pos, end - pos) == name) return true;
        pos = end + 1;
    }
    return false;
}

// The text of a subtree, concatenated.
std::string text_of(const GumboNode* root) {
    std::string text;
    std::vector<const GumboNode*> stack{root};
    while (!stack.empty()) {
        const GumboNode* node = stack.back();
        stack.pop_back();
        if (node->type == GUMBO_NODE_TEXT || node->type == GUMBO_NODE_WHITESPACE) text += node->v.text.text;
        if (node->type != GUMBO_NODE_ELEMENT) continue;
        const GumboVector& children = node->v.element.children;
        for (unsigned i = children.length; i-- > 0;) stack.push_back(static_cast<const GumboNode*>(children.data[i]));
    }
    return text;
}

bool is_ascii_punctuation(unsigned char c) { return c < 0x80 && std::ispunct(c); }

// A word of the text outside links: a bare URL counts as a link, @mention and #tag as nothing, and
// anything else with a character other than ASCII punctuation as text.
void read_word(std::string_view word, ContentShape& shape) {
    // "(https://...)" or "«@alice»": what opens a word does not hide what it is.
    while (!word.empty() && is_ascii_punctuation(word.front()) && word.front() != '@' && word.front() != '#')
        word.remove_prefix(1);
    if (word.empty()) return;
    if (word.starts_with("http://") || word.starts_with("https://") || word.starts_with("www.")) {
        ++shape.links;
        return;
    }
    if (word.starts_with('@') || word.starts_with('#')) return;
    for (unsigned char c : word)
        if (!is_ascii_punctuation(c)) shape.has_text = true;
}

void read_text(std::string_view text, ContentShape& shape) {
    std::string spaced(text);
    // No-break spaces (U+00A0, which &nbsp; becomes) separate words too.
    for (std::size_t pos = 0; (pos = spaced.find("\xC2\xA0", pos)) != std::string::npos;) spaced.replace(pos, 2, "  ");
    std::size_t pos = 0;
    while (pos < spaced.size()) {
        std::size_t end = spaced.find_first_of(" \t\r\n\f", pos);
        if (end == std::string::npos) end = spaced.size();
        read_word(std::string_view(spaced).substr(pos, end - pos), shape);
        pos = end + 1;
    }
}

}  // namespace

void ShapeReader::text(std::string_view text) { read_text(text, shape_); }

void ShapeReader::link(std::string_view classes, std::string_view href, std::string_view text) {
    if (has_class(classes, "hashtag") || text.starts_with('#')) return;
    if (has_class(classes, "mention") || text.starts_with('@'))
        shape_.mention_hrefs.emplace_back(href);
    else
        ++shape_.links;
}

ContentShape content_shape(std::string_view html) {
    ShapeReader reader;
    std::unique_ptr<GumboOutput, void (*)(GumboOutput*)> output(
        gumbo_parse_with_options(&kGumboDefaultOptions, html.data(), html.size()),
        [](GumboOutput* parsed) { gumbo_destroy_output(&kGumboDefaultOptions, parsed); });
    std::vector<const GumboNode*> stack{output->root};
    while (!stack.empty()) {
        const GumboNode* node = stack.back();
        stack.pop_back();
        if (node->type == GUMBO_NODE_TEXT) reader.text(node->v.text.text);
        if (node->type != GUMBO_NODE_ELEMENT) continue;
        const GumboElement& element = node->v.element;
        if (element.tag == GUMBO_TAG_A) {
            reader.link(attribute(element, "class"), attribute(element, "href"), text_of(node));
            continue;  // a link's own text is not the reply's text
        }
        for (unsigned i = element.children.length; i-- > 0;)
            stack.push_back(static_cast<const GumboNode*>(element.children.data[i]));
    }
    return reader.finish();
}

}  // namespace fedblog::activitypub::comments
