#pragma once
// A strict well-formedness check for what the web library writes: every element closed in order,
// attributes double-quoted, no bare '<' or '&' in text or values. Enough to prove escaping right; not
// a general parser (no CDATA, no raw-text elements, which the pages never emit).
#include <string>
#include <string_view>
#include <vector>

namespace fedblog::web::testing {

enum class Markup { html, xml };

// Empty when well-formed, else what is wrong and where.
inline std::string markup_error(std::string_view doc, Markup kind) {
    auto is_name_char = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == ':' ||
               c == '_' || c == '.';
    };
    auto is_space = [](char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; };
    auto valid_entity = [&](std::size_t at) {  // doc[at] == '&'
        std::size_t semicolon = doc.find(';', at);
        if (semicolon == std::string_view::npos || semicolon - at > 10) return false;
        std::string_view name = doc.substr(at + 1, semicolon - at - 1);
        if (name == "amp" || name == "lt" || name == "gt" || name == "quot" || name == "apos") return true;
        if (name.size() < 2 || name[0] != '#') return false;
        bool hex = name[1] == 'x';
        if (hex && name.size() < 3) return false;
        for (char c : name.substr(hex ? 2 : 1))
            if (!(c >= '0' && c <= '9') && !(hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))) return false;
        return true;
    };
    auto is_void = [&](std::string_view name) {
        if (kind == Markup::xml) return false;
        for (std::string_view v : {"meta", "link", "base", "img", "input", "br", "hr", "source"})
            if (v == name) return true;
        return false;
    };
    auto where = [&](std::size_t at) {
        return " at " + std::to_string(at) + ": …" + std::string(doc.substr(at, 40));
    };

    std::vector<std::string> open;
    std::size_t roots = 0;
    std::size_t i = 0;
    while (i < doc.size()) {
        char c = doc[i];
        if (c == '&') {
            if (!valid_entity(i)) return "bad entity" + where(i);
            ++i;
        } else if (c != '<') {
            if (kind == Markup::xml && open.empty() && !is_space(c)) return "text outside the root" + where(i);
            ++i;
        } else if (doc.substr(i, 4) == "<!--") {
            std::size_t end = doc.find("-->", i);
            if (end == std::string_view::npos) return "unclosed comment" + where(i);
            i = end + 3;
        } else if (kind == Markup::html && doc.substr(i, 15) == "<!DOCTYPE html>") {
            i += 15;
        } else if (kind == Markup::xml && i == 0 && doc.substr(i, 5) == "<?xml") {
            std::size_t end = doc.find("?>", i);
            if (end == std::string_view::npos) return "unclosed declaration" + where(i);
            i = end + 2;
        } else if (doc.substr(i, 2) == "</") {
            std::size_t start = i + 2, end = start;
            while (end < doc.size() && is_name_char(doc[end])) ++end;
            std::string name(doc.substr(start, end - start));
            if (end >= doc.size() || doc[end] != '>') return "bad end tag" + where(i);
            if (open.empty() || open.back() != name) return "unexpected </" + name + ">" + where(i);
            open.pop_back();
            i = end + 1;
        } else {
            std::size_t start = i + 1, end = start;
            while (end < doc.size() && is_name_char(doc[end])) ++end;
            if (end == start) return "bare '<'" + where(i);
            std::string name(doc.substr(start, end - start));
            i = end;
            bool self_closing = false;
            while (true) {
                while (i < doc.size() && is_space(doc[i])) ++i;
                if (i >= doc.size()) return "unclosed tag <" + name;
                if (doc[i] == '>') {
                    ++i;
                    break;
                }
                if (doc.substr(i, 2) == "/>") {
                    self_closing = true;
                    i += 2;
                    break;
                }
                std::size_t attr = i;
                while (i < doc.size() && is_name_char(doc[i])) ++i;
                if (i == attr) return "bad attribute" + where(attr);
                if (doc[i] != '=') {
                    if (kind == Markup::xml) return "attribute without value" + where(attr);
                    continue;  // an HTML boolean attribute (readonly)
                }
                if (doc.substr(i, 2) != "=\"") return "attribute not double-quoted" + where(attr);
                std::size_t close = doc.find('"', i + 2);
                if (close == std::string_view::npos) return "unclosed attribute" + where(attr);
                for (std::size_t v = i + 2; v < close; ++v) {
                    if (doc[v] == '<') return "'<' in attribute" + where(v);
                    if (doc[v] == '&' && !valid_entity(v)) return "bad entity in attribute" + where(v);
                }
                i = close + 1;
            }
            if (open.empty()) ++roots;
            if (!self_closing && !is_void(name)) open.push_back(name);
        }
    }
    if (!open.empty()) return "unclosed <" + open.back() + ">";
    if (roots != 1) return "expected one root element, found " + std::to_string(roots);
    return {};
}

}  // namespace fedblog::web::testing
