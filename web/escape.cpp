#include "web/escape.hpp"

#include "common/utf8.hpp"

#include <array>
#include <charconv>
#include <cstdint>

namespace fedblog::web {

namespace {

template <bool quotes, bool xml>
std::string escape(std::string_view in) {
    std::string out;
    out.reserve(in.size() + in.size() / 8);
    for (char c : in) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += quotes ? "&quot;" : "\""; break;
            case '\'': out += quotes ? "&#39;" : "'"; break;
            default:
                if (xml && static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') break;
                out += c;
        }
    }
    return out;
}

// Decodes the entity whose name (between '&' and ';') is given; false when it is not one we know.
bool decode_entity(std::string_view name, std::string& out) {
    struct Named {
        std::string_view name, text;
    };
    static constexpr std::array<Named, 6> named{{
        {"amp", "&"},
        {"lt", "<"},
        {"gt", ">"},
        {"quot", "\""},
        {"apos", "'"},
        {"nbsp", "\u00A0"},
    }};
    for (const auto& entity : named) {
        if (entity.name == name) {
            out += entity.text;
            return true;
        }
    }
    if (name.size() < 2 || name[0] != '#') return false;
    bool hex = name[1] == 'x' || name[1] == 'X';
    std::string_view digits = name.substr(hex ? 2 : 1);
    std::uint32_t cp = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), cp, hex ? 16 : 10);
    if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size()) return false;
    // HTML turns &#0; into U+FFFD, like the code points UTF-8 cannot carry.
    append_utf8(out, cp == 0 ? replacement_character : static_cast<char32_t>(cp));
    return true;
}

// Tags that separate words when rendered; inline tags (em, a, code…) join their text to what surrounds it.
bool separates_words(std::string_view tag) {
    static constexpr std::array<std::string_view, 24> block{
        "p",  "br", "div", "li", "ul", "ol", "h1",  "h2",  "h3",     "h4",         "h5",      "h6",
        "hr", "dd", "dt",  "tr", "td", "th", "pre", "img", "figure", "figcaption", "section", "blockquote"};
    for (auto b : block)
        if (b == tag) return true;
    return false;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }
bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

std::string lowercase_ascii(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

}  // namespace

std::string shorten(std::string text, std::size_t max_chars) {
    if (max_chars == 0) return {};
    // Byte offset where character number max_chars - 1 starts: what fits before the ellipsis.
    std::size_t chars = 0, cut = std::string::npos;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (is_continuation(text[i])) continue;
        if (chars == max_chars - 1) cut = i;
        if (++chars > max_chars) break;
    }
    if (chars <= max_chars) return text;
    // Prefer ending on a whole word, unless that would throw away more than half the text.
    std::size_t space = text.rfind(' ', cut);
    if (space != std::string::npos && space > cut / 2) cut = space;
    text.resize(cut);
    while (!text.empty() && (text.back() == ' ' || text.back() == ',' || text.back() == ';' || text.back() == ':'))
        text.pop_back();
    return text + "…";
}

std::string escape_text(std::string_view text) { return escape<false, false>(text); }
std::string escape_attribute(std::string_view value) { return escape<true, false>(value); }
std::string escape_xml(std::string_view text) { return escape<true, true>(text); }

std::string plain_text_from_html(std::string_view html, std::size_t max_chars) {
    std::string decoded;
    decoded.reserve(html.size());
    for (std::size_t i = 0; i < html.size();) {
        char c = html[i];
        if (c == '<' && html.substr(i, 4) == "<!--") {
            std::size_t end = html.find("-->", i + 4);
            i = end == std::string_view::npos ? html.size() : end + 3;
        } else if (c == '<' && html.find('>', i) != std::string_view::npos) {
            std::size_t end = html.find('>', i);
            std::size_t name_start = i + 1 + (i + 1 < html.size() && html[i + 1] == '/');
            std::size_t name_end = name_start;
            while (name_end < end && !is_space(html[name_end]) && html[name_end] != '/') ++name_end;
            if (separates_words(lowercase_ascii(html.substr(name_start, name_end - name_start)))) decoded += ' ';
            i = end + 1;
        } else if (c == '&') {
            std::size_t semicolon = html.find(';', i);
            if (semicolon != std::string_view::npos && semicolon - i <= 10 &&
                decode_entity(html.substr(i + 1, semicolon - i - 1), decoded)) {
                i = semicolon + 1;
            } else {
                decoded += c;
                ++i;
            }
        } else {
            decoded += c;
            ++i;
        }
    }
    std::string collapsed;
    collapsed.reserve(decoded.size());
    for (char c : decoded) {
        if (!is_space(c))
            collapsed += c;
        else if (!collapsed.empty() && collapsed.back() != ' ')
            collapsed += ' ';
    }
    if (!collapsed.empty() && collapsed.back() == ' ') collapsed.pop_back();
    return shorten(std::move(collapsed), max_chars);
}

}  // namespace fedblog::web
