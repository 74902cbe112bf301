#include "activitypub/comments/sanitizer.hpp"

#include <gumbo.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <optional>
#include <vector>

#include "common/html.hpp"
#include "common/utf8.hpp"

namespace fedblog::activitypub::comments {

namespace {

// ---------------------------------------------------------------------------------------------------------
// Parsing. gumbo_destroy_output frees the tree recursively, which overflows the stack on a deeply nested
// document, so the tree is never freed node by node: every block gumbo asks for comes from the parse's own
// arena, freed at once in a loop when the parse ends. Small blocks are cut from chunks (gumbo makes thousands
// of tiny allocations per reply, each a malloc and a free otherwise; what it frees early stays until the end,
// a bounded waste: past `arena_cap` bytes of chunks, blocks are allocated one by one and freed when asked).

struct alignas(std::max_align_t) BlockHeader {
    BlockHeader* previous;  // `in_chunk` for a block cut from a chunk
    BlockHeader* next;
};

// Marks a block cut from a chunk: never the address of a real header.
BlockHeader* const in_chunk = reinterpret_cast<BlockHeader*>(alignof(std::max_align_t));

constexpr std::size_t chunk_bytes = 16 * 1024;
constexpr std::size_t largest_cut = 1024;        // larger blocks are gumbo's growing buffers: malloc'd alone
constexpr std::size_t arena_cap = 1024 * 1024;   // chunks beyond this: blocks one by one, freed as gumbo asks

struct Arena {
    BlockHeader* head = nullptr;  // every chunk and every block allocated alone, freed with the parse
    char* cursor = nullptr;
    char* end = nullptr;
    std::size_t chunked = 0;
};

void link(Arena& arena, BlockHeader* header) {
    header->previous = nullptr;
    header->next = arena.head;
    if (arena.head != nullptr) arena.head->previous = header;
    arena.head = header;
}

void* checked_malloc(std::size_t size) {
    void* raw = std::malloc(size);
    // gumbo does not check for allocation failure; neither can it unwind, so stop here.
    if (raw == nullptr) std::abort();
    return raw;
}

void* allocate_block(void* userdata, std::size_t size) {
    auto* arena = static_cast<Arena*>(userdata);
    constexpr std::size_t align = alignof(std::max_align_t);
    const std::size_t needed = sizeof(BlockHeader) + (size + align - 1) / align * align;
    if (size <= largest_cut && static_cast<std::size_t>(arena->end - arena->cursor) < needed &&
        arena->chunked < arena_cap) {
        auto* chunk = static_cast<BlockHeader*>(checked_malloc(chunk_bytes));
        link(*arena, chunk);
        arena->cursor = reinterpret_cast<char*>(chunk + 1);
        arena->end = reinterpret_cast<char*>(chunk) + chunk_bytes;
        arena->chunked += chunk_bytes;
    }
    if (size <= largest_cut && static_cast<std::size_t>(arena->end - arena->cursor) >= needed) {
        auto* header = reinterpret_cast<BlockHeader*>(arena->cursor);
        arena->cursor += needed;
        header->previous = in_chunk;
        return header + 1;
    }
    auto* header = static_cast<BlockHeader*>(checked_malloc(sizeof(BlockHeader) + size));
    link(*arena, header);
    return header + 1;
}

void free_block(void* userdata, void* pointer) {
    if (pointer == nullptr) return;
    auto* header = static_cast<BlockHeader*>(pointer) - 1;
    if (header->previous == in_chunk) return;  // its chunk goes with the parse
    auto* arena = static_cast<Arena*>(userdata);
    if (header->previous != nullptr) header->previous->next = header->next;
    else arena->head = header->next;
    if (header->next != nullptr) header->next->previous = header->previous;
    std::free(header);
}

// Cuts the input at a character boundary (gumbo would read a cut sequence as U+FFFD). A tag cut short is
// dropped by the parser, except a bare "<" or "</", which it would read as text: those go too.
std::string_view bounded_input(std::string_view html, std::size_t max_bytes) {
    if (html.size() <= max_bytes) return html;
    std::size_t end = max_bytes;
    while (end > 0 && (static_cast<unsigned char>(html[end]) & 0xC0) == 0x80) --end;
    std::string_view cut = html.substr(0, end);
    if (cut.ends_with("</")) cut.remove_suffix(2);
    else if (cut.ends_with('<')) cut.remove_suffix(1);
    return cut;
}

// An HTML5 fragment parsed as the content of a <div>.
class Fragment {
public:
    explicit Fragment(std::string_view html) : html_(html) {
        GumboOptions options = kGumboDefaultOptions;
        options.allocator = &allocate_block;
        options.deallocator = &free_block;
        options.userdata = &arena_;
        options.max_errors = 0;  // parse errors are not kept
        options.fragment_context = GUMBO_TAG_DIV;
        options.fragment_namespace = GUMBO_NAMESPACE_HTML;
        output_ = gumbo_parse_with_options(&options, html_.data(), html_.size());
    }
    ~Fragment() {
        while (arena_.head != nullptr) {
            BlockHeader* next = arena_.head->next;
            std::free(arena_.head);
            arena_.head = next;
        }
    }
    Fragment(const Fragment&) = delete;
    Fragment& operator=(const Fragment&) = delete;

    // The fragment's nodes: the children of the <html> root gumbo puts them in.
    const GumboVector* nodes() const {
        static const GumboVector empty{nullptr, 0, 0};
        if (output_ == nullptr || output_->root == nullptr || output_->root->type != GUMBO_NODE_ELEMENT) return &empty;
        return &output_->root->v.element.children;
    }

private:
    std::string_view html_;  // gumbo points into the buffer, which must outlive the tree
    Arena arena_;
    GumboOutput* output_ = nullptr;
};

const GumboNode* child_at(const GumboVector* children, unsigned index) {
    return static_cast<const GumboNode*>(children->data[index]);
}

// ---------------------------------------------------------------------------------------------------------
// Classification of elements.

enum class Treatment {
    keep,     // on the allow-list
    heading,  // h1-h6: <p><strong>
    drop,     // the element and everything in it
    unwrap,   // the element's tags go, its content stays
};

Treatment treatment_of(const GumboNode& node) {
    if (node.type == GUMBO_NODE_TEMPLATE) return Treatment::drop;
    const GumboElement& element = node.v.element;
    // Everything in SVG or MathML goes, HTML integration points included.
    if (element.tag_namespace != GUMBO_NAMESPACE_HTML) return Treatment::drop;
    switch (element.tag) {
        case GUMBO_TAG_P: case GUMBO_TAG_BR: case GUMBO_TAG_SPAN: case GUMBO_TAG_A: case GUMBO_TAG_DEL:
        case GUMBO_TAG_S: case GUMBO_TAG_PRE: case GUMBO_TAG_BLOCKQUOTE: case GUMBO_TAG_CODE: case GUMBO_TAG_B:
        case GUMBO_TAG_STRONG: case GUMBO_TAG_U: case GUMBO_TAG_I: case GUMBO_TAG_EM: case GUMBO_TAG_UL:
        case GUMBO_TAG_OL: case GUMBO_TAG_LI: case GUMBO_TAG_RUBY: case GUMBO_TAG_RT: case GUMBO_TAG_RP:
            return Treatment::keep;
        case GUMBO_TAG_H1: case GUMBO_TAG_H2: case GUMBO_TAG_H3: case GUMBO_TAG_H4: case GUMBO_TAG_H5:
        case GUMBO_TAG_H6:
            return Treatment::heading;
        case GUMBO_TAG_SCRIPT: case GUMBO_TAG_STYLE: case GUMBO_TAG_TEMPLATE: case GUMBO_TAG_NOSCRIPT:
        case GUMBO_TAG_IFRAME: case GUMBO_TAG_OBJECT: case GUMBO_TAG_EMBED: case GUMBO_TAG_APPLET:
        case GUMBO_TAG_SVG: case GUMBO_TAG_MATH: case GUMBO_TAG_TEXTAREA: case GUMBO_TAG_SELECT:
        case GUMBO_TAG_HEAD: case GUMBO_TAG_TITLE: case GUMBO_TAG_NOEMBED: case GUMBO_TAG_NOFRAMES:
        case GUMBO_TAG_FRAMESET: case GUMBO_TAG_FRAME: case GUMBO_TAG_IMG: case GUMBO_TAG_IMAGE:
            return Treatment::drop;
        default:
            return Treatment::unwrap;
    }
}

// How far apart the text before and after an element is, when its tags are gone.
enum class Separation { none, space, line, paragraph };

Separation separation_of(GumboTag tag) {
    switch (tag) {
        case GUMBO_TAG_P: case GUMBO_TAG_H1: case GUMBO_TAG_H2: case GUMBO_TAG_H3: case GUMBO_TAG_H4:
        case GUMBO_TAG_H5: case GUMBO_TAG_H6: case GUMBO_TAG_BLOCKQUOTE: case GUMBO_TAG_PRE:
        case GUMBO_TAG_TABLE: case GUMBO_TAG_HR: case GUMBO_TAG_FIGURE: case GUMBO_TAG_LISTING:
        case GUMBO_TAG_XMP: case GUMBO_TAG_PLAINTEXT:
            return Separation::paragraph;
        case GUMBO_TAG_UL: case GUMBO_TAG_OL: case GUMBO_TAG_LI: case GUMBO_TAG_DL: case GUMBO_TAG_DT:
        case GUMBO_TAG_DD: case GUMBO_TAG_DIV: case GUMBO_TAG_TR: case GUMBO_TAG_CAPTION: case GUMBO_TAG_TBODY:
        case GUMBO_TAG_THEAD: case GUMBO_TAG_TFOOT: case GUMBO_TAG_ARTICLE: case GUMBO_TAG_SECTION:
        case GUMBO_TAG_NAV: case GUMBO_TAG_ASIDE: case GUMBO_TAG_HGROUP: case GUMBO_TAG_HEADER:
        case GUMBO_TAG_FOOTER: case GUMBO_TAG_ADDRESS: case GUMBO_TAG_FIGCAPTION: case GUMBO_TAG_MAIN:
        case GUMBO_TAG_FORM: case GUMBO_TAG_FIELDSET: case GUMBO_TAG_LEGEND: case GUMBO_TAG_DETAILS:
        case GUMBO_TAG_SUMMARY: case GUMBO_TAG_MENU: case GUMBO_TAG_DIR: case GUMBO_TAG_CENTER:
        case GUMBO_TAG_OPTION: case GUMBO_TAG_OPTGROUP: case GUMBO_TAG_BODY:
            return Separation::line;
        case GUMBO_TAG_TD: case GUMBO_TAG_TH: case GUMBO_TAG_BR: case GUMBO_TAG_INPUT: case GUMBO_TAG_BUTTON:
        case GUMBO_TAG_LABEL:
            return Separation::space;
        default:
            return Separation::none;
    }
}

// Block elements cannot sit in a <p>: the parser would close the paragraph before them.
bool closes_paragraph(GumboTag tag) {
    switch (tag) {
        case GUMBO_TAG_P: case GUMBO_TAG_PRE: case GUMBO_TAG_BLOCKQUOTE: case GUMBO_TAG_UL: case GUMBO_TAG_OL:
        case GUMBO_TAG_LI:
            return true;
        default:
            return false;
    }
}

// ---------------------------------------------------------------------------------------------------------
// Text and attribute values.

bool is_ascii_whitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }

bool is_dropped_control(char32_t c) {
    return (c < 0x20 && c != '\t' && c != '\n' && c != '\f' && c != '\r') || (c >= 0x7F && c <= 0x9F);
}

// The noncharacters (U+FDD0..U+FDEF and the last two code points of every plane): a character reference such as
// &#xFFFFF; yields one as it is, but written out raw gumbo reads it back as U+FFFD.
bool is_noncharacter(char32_t c) { return (c >= 0xFDD0 && c <= 0xFDEF) || (c & 0xFFFE) == 0xFFFE; }

// Valid UTF-8 (malformed sequences and noncharacters as U+FFFD) without control characters other than
// whitespace, CR as LF.
// Well-formed text is copied byte for byte.
std::string clean_text(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t pos = 0;
    while (pos < text.size()) {
        // A run of printable ASCII is copied as it is, at once.
        const std::size_t run = pos;
        while (pos < text.size() && static_cast<unsigned char>(text[pos]) >= 0x20 &&
               static_cast<unsigned char>(text[pos]) < 0x7F)
            ++pos;
        if (pos > run) {
            out.append(text.substr(run, pos - run));
            continue;
        }
        const std::size_t start = pos;
        const char32_t c = next_code_point(text, pos);
        if (is_dropped_control(c)) continue;
        // A CR (from &#13;) would be read back as LF, since a parser normalizes line breaks: write the LF.
        if (c == '\r') {
            out += '\n';
            continue;
        }
        if (c == replacement_character || is_noncharacter(c)) append_utf8(out, replacement_character);
        else out.append(text.substr(start, pos - start));
    }
    return out;
}

std::string_view attribute(const GumboElement& element, const char* name) {
    const GumboAttribute* found = gumbo_get_attribute(&element.attributes, name);
    return found == nullptr || found->value == nullptr ? std::string_view() : std::string_view(found->value);
}

bool has_attribute(const GumboElement& element, const char* name) {
    return gumbo_get_attribute(&element.attributes, name) != nullptr;
}

bool equals_ignoring_ascii_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

std::string_view trim_ascii_whitespace(std::string_view text) {
    while (!text.empty() && is_ascii_whitespace(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_ascii_whitespace(text.back())) text.remove_suffix(1);
    return text;
}

constexpr std::size_t max_url_bytes = 8 * 1024;

// An absolute http(s) URL with a host, as a browser would read the (already entity-decoded) attribute: tab,
// CR and LF removed wherever they are, C0 controls and spaces trimmed at both ends. Spaces inside are
// percent-encoded; any other control character (or the U+FFFD gumbo put in its place) rejects the URL.
std::optional<std::string> safe_href(std::string_view value) {
    std::string url;
    url.reserve(value.size());
    for (char c : value) {
        if (c != '\t' && c != '\n' && c != '\r') url += c;
    }
    const auto is_trimmed = [](char c) { return static_cast<unsigned char>(c) <= 0x20; };
    std::size_t begin = 0, end = url.size();
    while (begin < end && is_trimmed(url[begin])) ++begin;
    while (end > begin && is_trimmed(url[end - 1])) --end;
    std::string_view trimmed = std::string_view(url).substr(begin, end - begin);
    if (trimmed.empty() || trimmed.size() > max_url_bytes) return std::nullopt;

    const std::size_t colon = trimmed.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    const std::string_view scheme = trimmed.substr(0, colon);
    const bool https = equals_ignoring_ascii_case(scheme, "https");
    if (!https && !equals_ignoring_ascii_case(scheme, "http")) return std::nullopt;
    std::string_view rest = trimmed.substr(colon + 1);
    if (rest.size() < 3 || rest[0] != '/' || rest[1] != '/') return std::nullopt;
    const char host_start = rest[2];
    if (host_start == '/' || host_start == '\\' || host_start == '?' || host_start == '#') return std::nullopt;

    std::string safe = https ? "https:" : "http:";
    for (char c : rest) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == ' ') safe += "%20";
        else if (byte < 0x20 || byte == 0x7F) return std::nullopt;
        else safe += c;
    }
    // Non-ASCII bytes are kept (an IRI); they are valid UTF-8 since gumbo decoded them, but make sure. A
    // U+FFFD is where gumbo found a control character, a NUL or a malformed sequence: not a usable URL. A C1
    // control or a noncharacter (from a character reference such as &#x81; or &#xFFFE;) is refused too: written
    // out raw, gumbo would read it back as U+FFFD, so the output would not sanitize to itself.
    if (find_invalid_utf8(safe) || safe.find("\xEF\xBF\xBD") != std::string::npos) return std::nullopt;
    for (std::size_t pos = 0; pos < safe.size();) {
        const char32_t c = next_code_point(safe, pos);
        if (is_dropped_control(c) || is_noncharacter(c)) return std::nullopt;
    }
    return safe;
}

bool is_kept_class(std::string_view name) {
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                        c == '_';
        if (!ok) return false;
    }
    if (name == "mention" || name == "hashtag" || name == "ellipsis" || name == "invisible") return true;
    for (std::string_view prefix : {"h-", "p-", "u-", "dt-", "e-"}) {
        if (name.size() > prefix.size() && name.substr(0, prefix.size()) == prefix) return true;
    }
    return false;
}

// Mastodon's classes out of a class attribute, in their order, without repeats; "" when none is left.
std::string kept_classes(std::string_view value) {
    std::vector<std::string_view> kept;
    std::size_t pos = 0;
    while (pos < value.size()) {
        while (pos < value.size() && is_ascii_whitespace(value[pos])) ++pos;
        std::size_t end = pos;
        while (end < value.size() && !is_ascii_whitespace(value[end])) ++end;
        const std::string_view name = value.substr(pos, end - pos);
        if (!name.empty() && is_kept_class(name) && std::find(kept.begin(), kept.end(), name) == kept.end()) {
            kept.push_back(name);
        }
        pos = end;
    }
    std::string joined;
    for (std::string_view name : kept) {
        if (!joined.empty()) joined += ' ';
        joined += name;
    }
    return joined;
}

// A valid integer ("3", "-2", " 10 "), written back normalised; nothing for anything else.
std::optional<std::string> integer_attribute(std::string_view value) {
    value = trim_ascii_whitespace(value);
    if (!value.empty() && value.front() == '+') value.remove_prefix(1);
    if (value.empty() || value.size() > 10) return std::nullopt;
    long number = 0;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), number);
    if (error != std::errc() || end != value.data() + value.size()) return std::nullopt;
    return std::to_string(number);
}

void append_attribute(std::string& out, std::string_view name, std::string_view value) {
    out += ' ';
    out += name;
    out += "=\"";
    out += escape_html(value);
    out += '"';
}

// The attributes kept on an allowed element, serialised with a leading space each.
std::string kept_attributes(const GumboElement& element, const std::string& href) {
    std::string out;
    switch (element.tag) {
        case GUMBO_TAG_A:
        case GUMBO_TAG_SPAN: {
            if (element.tag == GUMBO_TAG_A) append_attribute(out, "href", href);
            const std::string classes = kept_classes(attribute(element, "class"));
            if (!classes.empty()) append_attribute(out, "class", classes);
            if (equals_ignoring_ascii_case(trim_ascii_whitespace(attribute(element, "translate")), "no")) {
                append_attribute(out, "translate", "no");
            }
            if (element.tag == GUMBO_TAG_A) {
                append_attribute(out, "rel", "nofollow noopener noreferrer");
                append_attribute(out, "target", "_blank");
            }
            break;
        }
        case GUMBO_TAG_OL:
            if (has_attribute(element, "start")) {
                if (auto start = integer_attribute(attribute(element, "start"))) append_attribute(out, "start", *start);
            }
            if (has_attribute(element, "reversed")) out += " reversed";
            break;
        case GUMBO_TAG_LI:
            if (has_attribute(element, "value")) {
                if (auto value = integer_attribute(attribute(element, "value"))) append_attribute(out, "value", *value);
            }
            break;
        default:
            break;
    }
    return out;
}

// The size of the escaped form of one code point.
std::size_t escaped_size(std::string_view code_point) {
    if (code_point.size() != 1) return code_point.size();
    switch (code_point[0]) {
        case '&': return 5;   // &amp;
        case '<': return 4;   // &lt;
        case '>': return 4;   // &gt;
        case '"': return 6;   // &quot;
        case '\'': return 5;  // &#39;
        default: return 1;
    }
}

// How many bytes of `text` (clean UTF-8) fit in `budget` once escaped (escape = true) or as they are: whole
// code points only, backing off to the last whitespace when that loses little.
std::size_t fitting_prefix(std::string_view text, std::size_t budget, bool escape) {
    constexpr std::size_t word_backoff = 64;
    std::size_t used = 0, pos = 0, last_space = std::string_view::npos;
    while (pos < text.size()) {
        std::size_t next = pos;
        next_code_point(text, next);
        const std::string_view code_point = text.substr(pos, next - pos);
        const std::size_t size = escape ? escaped_size(code_point) : code_point.size();
        if (used + size > budget) break;
        used += size;
        if (code_point.size() == 1 && is_ascii_whitespace(code_point[0])) last_space = pos;
        pos = next;
    }
    if (pos < text.size() && last_space != std::string_view::npos && last_space > 0 && pos - last_space <= word_backoff) {
        return last_space;
    }
    return pos;
}

// ---------------------------------------------------------------------------------------------------------
// The sanitised HTML, within its size budget: every chunk is written only when it and the end tags of the
// elements then open fit.

// The shape of the output as it is written: its text in runs between tags (the text nodes a parser of the
// output would make), and each output <a> with all the text written inside it.
class ShapeTracker {
public:
    void add(std::string_view clean_text) { (anchor_ ? anchor_text_ : run_) += clean_text; }
    // A tag was written: the text run before it ends (inside a link, the link's text goes on).
    void tag() {
        if (anchor_ || run_.empty()) return;
        reader_.text(run_);
        run_.clear();
    }
    void open_anchor(std::string classes, std::string href, std::size_t depth) {
        anchor_ = true;
        anchor_classes_ = std::move(classes);
        anchor_href_ = std::move(href);
        anchor_depth_ = depth;
        anchor_text_.clear();
    }
    // An element at `depth` (its level once open) was closed, or removed when left empty.
    void closed(std::size_t depth, bool removed) {
        if (!anchor_ || depth != anchor_depth_) return;
        anchor_ = false;
        if (!removed) reader_.link(anchor_classes_, anchor_href_, anchor_text_);
    }
    ContentShape finish() {
        tag();
        return reader_.finish();
    }

private:
    ShapeReader reader_;
    std::string run_;
    bool anchor_ = false;
    std::string anchor_classes_, anchor_href_, anchor_text_;
    std::size_t anchor_depth_ = 0;
};

class HtmlWriter {
public:
    HtmlWriter(std::size_t max_bytes, ShapeTracker* shape) : max_bytes_(max_bytes), shape_(shape) {}

    bool full() const { return full_; }
    std::size_t depth() const { return open_.size(); }
    // The name of the open element at `level` (0: the outermost).
    std::string_view open_name(std::size_t level) const { return open_[level].name; }

    // Words around an unwrapped block element must not run together.
    void separate() {
        if (!out_.empty() && !is_ascii_whitespace(out_.back())) pending_space_ = true;
    }

    void text(std::string_view raw) {
        if (full_) return;
        std::string clean = clean_text(raw);
        if (clean.empty()) return;
        if (pending_space_ && !is_ascii_whitespace(clean.front())) flush_space();
        pending_space_ = false;
        // A parser drops a line feed right after <pre>'s start tag: text that would begin there with one (its
        // own, or that of an unwrapped element) gets another before it, and the two are never cut apart.
        const bool doubled = clean.front() == '\n' && !open_.empty() && open_.back().name == "pre" &&
                             out_.size() == open_.back().content_start;
        if (doubled) clean.insert(0, 1, '\n');
        const std::string escaped = escape_html(clean);
        if (fits(escaped.size())) {
            out_ += escaped;
            if (shape_) shape_->add(clean);
            return;
        }
        const std::size_t budget = max_bytes_ - std::min(max_bytes_, out_.size() + closing_bytes_);
        std::size_t kept = fitting_prefix(clean, budget, true);
        if (doubled && kept < 2) kept = 0;
        out_ += escape_html(std::string_view(clean).substr(0, kept));
        if (shape_) shape_->add(std::string_view(clean).substr(0, kept));
        full_ = true;
    }

    bool open(std::string_view name, std::string_view attributes) {
        if (full_) return false;
        const std::size_t close_size = name.size() + 3;
        if (pending_space_) flush_space();
        if (!fits(name.size() + attributes.size() + 2 + close_size)) {
            full_ = true;
            return false;
        }
        const std::size_t start = out_.size();
        out_ += '<';
        out_ += name;
        out_ += attributes;
        out_ += '>';
        if (shape_) shape_->tag();
        open_.push_back({name, start, out_.size()});
        closing_bytes_ += close_size;
        return true;
    }

    void void_element(std::string_view name) {
        if (full_) return;
        pending_space_ = false;
        if (!fits(name.size() + 2)) {
            full_ = true;
            return;
        }
        out_ += '<';
        out_ += name;
        out_ += '>';
        if (shape_) shape_->tag();
    }

    void close() {
        if (open_.empty()) return;
        const OpenElement element = open_.back();
        if (shape_) shape_->tag(), shape_->closed(open_.size(), false);
        open_.pop_back();
        closing_bytes_ -= element.name.size() + 3;
        out_ += "</";
        out_ += element.name;
        out_ += '>';
    }

    std::string finish() {
        // Once cut, an element left empty by the cut goes rather than being closed.
        while (!open_.empty()) {
            const OpenElement element = open_.back();
            if (full_ && out_.size() == element.content_start) {
                if (shape_) shape_->closed(open_.size(), true);
                open_.pop_back();
                closing_bytes_ -= element.name.size() + 3;
                out_.resize(element.start);
            } else {
                close();
            }
        }
        return std::move(out_);
    }

private:
    struct OpenElement {
        std::string_view name;  // static strings from gumbo
        std::size_t start;
        std::size_t content_start;
    };

    bool fits(std::size_t size) const { return out_.size() + size + closing_bytes_ <= max_bytes_; }

    void flush_space() {
        pending_space_ = false;
        if (!fits(1)) return;
        out_ += ' ';
        if (shape_) shape_->add(" ");
    }

    std::size_t max_bytes_;
    ShapeTracker* shape_;
    std::string out_;
    std::vector<OpenElement> open_;
    std::size_t closing_bytes_ = 0;
    bool pending_space_ = false;
    bool full_ = false;
};

// Whether the HTML parser, meeting <tag> with the writer's elements open, would first close some of them, so
// that the output would not parse back to the tree written. Blocks in a <p> are handled by the paragraph
// count; these are the "in body" rules for <li> (an open <li> up to the nearest list, quote or <pre>) and for
// <rp>/<rt> (inside a <ruby>, an innermost <p>, <li>, <rp> or <rt> is closed first).
bool parser_would_close_open_elements(GumboTag tag, const HtmlWriter& writer) {
    const std::size_t depth = writer.depth();
    if (tag == GUMBO_TAG_LI) {
        for (std::size_t level = depth; level-- > 0;) {
            const std::string_view name = writer.open_name(level);
            if (name == "li") return true;
            if (name == "ul" || name == "ol" || name == "blockquote" || name == "pre") return false;
        }
        return false;
    }
    if (tag == GUMBO_TAG_RP || tag == GUMBO_TAG_RT) {
        bool in_ruby = false;
        for (std::size_t level = 0; level < depth; ++level) in_ruby = in_ruby || writer.open_name(level) == "ruby";
        if (!in_ruby) return false;
        const std::string_view innermost = writer.open_name(depth - 1);
        return innermost == "p" || innermost == "li" || innermost == "rp" || innermost == "rt";
    }
    return false;
}

struct HtmlFrame {
    const GumboVector* children;
    unsigned next = 0;
    std::uint8_t opened = 0;   // output elements to close when leaving
    bool separate = false;     // an unwrapped block: keep words apart
    bool anchor = false;       // an output <a>
    bool paragraph = false;    // an output <p>
};

// ---------------------------------------------------------------------------------------------------------
// The plain text, within its size budget.

class TextWriter {
public:
    explicit TextWriter(std::size_t max_bytes) : max_bytes_(max_bytes) {}

    bool full() const { return full_; }

    void separate(Separation separation) {
        switch (separation) {
            case Separation::none: break;
            case Separation::space: pending_space_ = true; break;
            case Separation::line: pending_lines_ = std::max(pending_lines_, 1); break;
            case Separation::paragraph: pending_lines_ = std::max(pending_lines_, 2); break;
        }
    }

    void line_break() { ++pending_breaks_; }

    void text(std::string_view raw, bool preformatted) {
        if (full_) return;
        const std::string clean = clean_text(raw);
        std::size_t pos = 0;
        while (pos < clean.size() && !full_) {
            std::size_t next = pos;
            next_code_point(clean, next);
            const std::string_view code_point = std::string_view(clean).substr(pos, next - pos);
            pos = next;
            if (!preformatted && code_point.size() == 1 && is_ascii_whitespace(code_point[0])) {
                pending_space_ = true;
                continue;
            }
            write_separators();
            append(code_point);
        }
    }

    std::string finish() {
        // Separators are only written before text, so only whitespace from <pre> can be at either end.
        const std::string_view trimmed = trim_ascii_whitespace(out_);
        return std::string(trimmed);
    }

private:
    void write_separators() {
        const int lines = std::max(pending_lines_, pending_breaks_);
        if (!out_.empty()) {
            if (lines > 0) {
                for (int i = 0; i < lines; ++i) append("\n");
            } else if (pending_space_ && !is_ascii_whitespace(out_.back())) {
                append(" ");
            }
        }
        pending_lines_ = pending_breaks_ = 0;
        pending_space_ = false;
    }

    void append(std::string_view code_point) {
        if (full_) return;
        if (out_.size() + code_point.size() > max_bytes_) {
            full_ = true;
            return;
        }
        out_ += code_point;
    }

    std::size_t max_bytes_;
    std::string out_;
    int pending_lines_ = 0;   // from block elements: the largest wins
    int pending_breaks_ = 0;  // from <br>: they add up
    bool pending_space_ = false;
    bool full_ = false;
};

struct TextFrame {
    const GumboVector* children;
    unsigned next = 0;
    Separation separation = Separation::none;
    bool preformatted = false;
};

bool is_text(const GumboNode& node) {
    return node.type == GUMBO_NODE_TEXT || node.type == GUMBO_NODE_WHITESPACE || node.type == GUMBO_NODE_CDATA;
}

bool is_element(const GumboNode& node) {
    return node.type == GUMBO_NODE_ELEMENT || node.type == GUMBO_NODE_TEMPLATE;
}

}  // namespace

std::string sanitize_html(std::string_view remote_html, const SanitizeOptions& options, ContentShape* shape) {
    const Fragment fragment(bounded_input(remote_html, options.max_input_bytes));
    std::optional<ShapeTracker> tracker;
    if (shape) tracker.emplace();
    HtmlWriter writer(options.max_output_bytes, tracker ? &*tracker : nullptr);
    int anchors = 0, paragraphs = 0;
    std::vector<HtmlFrame> stack;
    stack.push_back({fragment.nodes()});

    while (!stack.empty() && !writer.full()) {
        HtmlFrame& frame = stack.back();
        if (frame.next == frame.children->length) {
            for (int i = 0; i < frame.opened; ++i) writer.close();
            if (frame.separate) writer.separate();
            if (frame.anchor) --anchors;
            if (frame.paragraph) --paragraphs;
            stack.pop_back();
            continue;
        }
        const GumboNode& node = *child_at(frame.children, frame.next++);
        if (is_text(node)) {
            writer.text(node.v.text.text);
            continue;
        }
        if (!is_element(node)) continue;  // comments

        const Treatment treatment = treatment_of(node);
        if (treatment == Treatment::drop) continue;
        const GumboElement& element = node.v.element;
        const bool block = separation_of(element.tag) != Separation::none;
        HtmlFrame child{&element.children};

        if (element.tag == GUMBO_TAG_BR && treatment == Treatment::keep) {
            writer.void_element("br");
            continue;
        }
        if (treatment == Treatment::heading) {
            if (paragraphs == 0 && writer.depth() + 2 <= options.max_depth) {
                if (!writer.open("p", "")) break;
                child.opened = 1;
                child.paragraph = true;
                ++paragraphs;
                if (writer.open("strong", "")) ++child.opened;
            } else if (writer.depth() + 1 <= options.max_depth) {
                child.separate = block;
                if (block) writer.separate();
                if (writer.open("strong", "")) child.opened = 1;
            } else {
                child.separate = block;
                if (block) writer.separate();
            }
        } else if (treatment == Treatment::keep) {
            std::optional<std::string> href;
            if (element.tag == GUMBO_TAG_A) href = safe_href(attribute(element, "href"));
            const bool keep = writer.depth() < options.max_depth &&
                              (element.tag != GUMBO_TAG_A || (href && anchors == 0)) &&
                              !(paragraphs > 0 && closes_paragraph(element.tag)) &&
                              !parser_would_close_open_elements(element.tag, writer);
            if (keep) {
                const std::string_view name = gumbo_normalized_tagname(element.tag);
                if (writer.open(name, kept_attributes(element, href.value_or("")))) {
                    child.opened = 1;
                    if (element.tag == GUMBO_TAG_A && tracker)
                        tracker->open_anchor(kept_classes(attribute(element, "class")), *href, writer.depth());
                    if (element.tag == GUMBO_TAG_A) child.anchor = true, ++anchors;
                    if (element.tag == GUMBO_TAG_P) child.paragraph = true, ++paragraphs;
                }
            } else {
                child.separate = block;
                if (block) writer.separate();
            }
        } else {
            child.separate = block;
            if (block) writer.separate();
        }
        if (writer.full()) break;
        stack.push_back(child);
    }
    std::string html = writer.finish();
    if (shape) *shape = tracker->finish();
    return html;
}

std::string html_to_text(std::string_view remote_html, const SanitizeOptions& options) {
    if (remote_html.empty()) return {};  // most replies have no summary: no parse for nothing
    const Fragment fragment(bounded_input(remote_html, options.max_input_bytes));
    TextWriter writer(options.max_output_bytes);
    int preformatted = 0;
    std::vector<TextFrame> stack;
    stack.push_back({fragment.nodes()});

    while (!stack.empty() && !writer.full()) {
        TextFrame& frame = stack.back();
        if (frame.next == frame.children->length) {
            writer.separate(frame.separation);
            if (frame.preformatted) --preformatted;
            stack.pop_back();
            continue;
        }
        const GumboNode& node = *child_at(frame.children, frame.next++);
        if (is_text(node)) {
            writer.text(node.v.text.text, preformatted > 0);
            continue;
        }
        if (!is_element(node) || treatment_of(node) == Treatment::drop) continue;
        const GumboElement& element = node.v.element;
        if (element.tag == GUMBO_TAG_BR) {
            writer.line_break();
            continue;
        }
        TextFrame child{&element.children};
        child.separation = separation_of(element.tag);
        child.preformatted = element.tag == GUMBO_TAG_PRE || element.tag == GUMBO_TAG_LISTING ||
                             element.tag == GUMBO_TAG_XMP || element.tag == GUMBO_TAG_PLAINTEXT;
        if (child.preformatted) ++preformatted;
        writer.separate(child.separation);
        stack.push_back(child);
    }
    return writer.finish();
}

}  // namespace fedblog::activitypub::comments
