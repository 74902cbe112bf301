#include "activitypub/html_text.hpp"

namespace fedblog::activitypub {

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view text) {
    while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
    return text;
}

bool starts_with_paragraph(std::string_view html) {
    if (html.size() < 3 || html[0] != '<' || (html[1] != 'p' && html[1] != 'P')) return false;
    return html[2] == '>' || is_blank(html[2]);
}

}  // namespace

std::string plain_text_to_html(std::string_view text) {
    std::string html;
    std::string paragraph;
    auto flush = [&] {
        if (!paragraph.empty()) html += "<p>" + paragraph + "</p>";
        paragraph.clear();
    };
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = trim(text.substr(start, end - start));
        if (line.empty()) {
            flush();
        } else {
            if (!paragraph.empty()) paragraph += "<br>";
            paragraph += escape_html(line);
        }
        start = end + 1;
    }
    flush();
    return html;
}

std::string as_paragraphs(std::string_view html, std::string_view fallback_text) {
    std::string_view trimmed = trim(html);
    if (trimmed.empty()) {
        std::string fallback = escape_html(trim(fallback_text));
        return fallback.empty() ? std::string() : "<p>" + fallback + "</p>";
    }
    if (starts_with_paragraph(trimmed)) return std::string(trimmed);
    return "<p>" + std::string(trimmed) + "</p>";
}

}  // namespace fedblog::activitypub
