// The HTML sanitizer for remote content, with its promises checked on every output:
//   - re-sanitizing the output changes nothing (it parses back to the same tree);
//   - only allow-listed elements and attributes, values double-quoted; no attribute named on...;
//     every href an absolute http(s) URL once its entities are decoded; no <script> anywhere;
//   - valid UTF-8, no control character but HTML's whitespace (tab, LF, FF, CR), never longer than max_output_bytes;
//   - html_to_text: valid UTF-8 within its limit too.
// Input: the first byte chooses the options (below 128: the defaults; else small output and depth limits,
// to reach the cuts), the rest is the remote HTML.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "activitypub/comments/sanitizer.hpp"
#include "common/utf8.hpp"

using namespace fedblog;
using namespace fedblog::activitypub::comments;

namespace {

[[noreturn]] void fail(const char* why, std::string_view output) {
    fprintf(stderr, "sanitizer invariant broken: %s\noutput: %.*s\n", why, int(std::min<std::size_t>(output.size(), 4000)),
            output.data());
    std::abort();
}

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    return out;
}

// The entities escape_html writes, and numeric ones: enough to see the URL a browser would follow.
std::string decode_entities(std::string_view value) {
    std::string out;
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (value[i] != '&') {
            out += value[i];
            continue;
        }
        const std::size_t semicolon = value.find(';', i);
        if (semicolon == std::string_view::npos) fail("an unterminated entity in an attribute", value);
        const std::string_view name = value.substr(i + 1, semicolon - i - 1);
        if (name == "amp") out += '&';
        else if (name == "quot") out += '"';
        else if (name == "lt") out += '<';
        else if (name == "gt") out += '>';
        else if (name == "#39") out += '\'';
        else fail("an unexpected entity in an attribute", value);
        i = semicolon;
    }
    return out;
}

const std::set<std::string, std::less<>> allowed_elements = {
    "p", "br", "span", "a", "del", "s", "pre", "blockquote", "code", "b", "strong", "u", "i", "em", "ul", "ol", "li",
    "ruby", "rt", "rp"};

bool allowed_attribute(std::string_view element, std::string_view attribute) {
    if (element == "a") return attribute == "href" || attribute == "class" || attribute == "translate" ||
                               attribute == "rel" || attribute == "target";
    if (element == "span") return attribute == "class" || attribute == "translate";
    if (element == "ol") return attribute == "start" || attribute == "reversed";
    if (element == "li") return attribute == "value";
    return false;
}

// Walks the output's tags: the sanitizer writes a small, regular HTML that this reads exactly.
void check_markup(std::string_view html) {
    std::size_t i = 0;
    while ((i = html.find('<', i)) != std::string_view::npos) {
        ++i;
        const bool closing = i < html.size() && html[i] == '/';
        if (closing) ++i;
        std::size_t start = i;
        while (i < html.size() && ((html[i] >= 'a' && html[i] <= 'z') || (html[i] >= '0' && html[i] <= '9'))) ++i;
        const std::string_view element = html.substr(start, i - start);
        if (!allowed_elements.contains(element)) fail("an element outside the allow-list", html);
        while (true) {
            if (i >= html.size()) fail("an unterminated tag", html);
            if (html[i] == '>') break;
            if (closing || html[i] != ' ') fail("unexpected bytes in a tag", html);
            start = ++i;
            while (i < html.size() && html[i] != '=' && html[i] != ' ' && html[i] != '>') ++i;
            const std::string name = lower(html.substr(start, i - start));
            if (name.starts_with("on")) fail("an event handler attribute", html);
            if (!allowed_attribute(element, name)) fail("an attribute outside the allow-list", html);
            if (i < html.size() && html[i] == '=') {
                if (i + 1 >= html.size() || html[i + 1] != '"') fail("an unquoted attribute value", html);
                const std::size_t end = html.find('"', i + 2);
                if (end == std::string_view::npos) fail("an unterminated attribute value", html);
                const std::string value = lower(decode_entities(html.substr(i + 2, end - i - 2)));
                if ((name == "href" || name == "src") && !value.starts_with("https://") && !value.starts_with("http://"))
                    fail("a link that is not http(s)", html);
                i = end + 1;
            }
        }
    }
}

void check_text(std::string_view text, std::size_t limit) {
    if (text.size() > limit) fail("longer than max_output_bytes", text);
    if (find_invalid_utf8(text)) fail("invalid UTF-8", text);
    for (unsigned char c : text)
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\f' && c != '\r') || c == 0x7f) fail("a control character", text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    SanitizeOptions options;
    if (data[0] >= 128) {
        options.max_output_bytes = 32 + std::size_t(data[0] - 128) * 64;
        options.max_depth = 1 + data[0] % 16;
    }
    const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);

    ContentShape shape;
    const std::string safe = sanitize_html(input, options, &shape);
    // The shape read while writing is the one a parse of the output finds (the spam signals use the former).
    const ContentShape parsed = content_shape(safe);
    if (shape.links != parsed.links || shape.mention_hrefs != parsed.mention_hrefs || shape.has_text != parsed.has_text)
        fail("the shape read while sanitizing differs from the output's", safe);
    check_text(safe, options.max_output_bytes);
    check_markup(safe);
    if (lower(safe).find("<script") != std::string::npos) fail("a script element", safe);
    if (sanitize_html(safe, options) != safe) fail("re-sanitizing changed the output", safe);

    check_text(html_to_text(input, options), options.max_output_bytes);
    return 0;
}
