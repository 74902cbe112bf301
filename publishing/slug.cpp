#include "publishing/slug.hpp"

#include <algorithm>
#include <iterator>

#include "common/utf8.hpp"

namespace fedblog::publishing {

namespace {

struct Folding {
    char32_t first;
    char32_t last;
    std::string_view ascii;
};

// Latin-1 Supplement and Latin Extended-A letters, by range of code points sharing one ASCII spelling.
constexpr Folding foldings[] = {
    {0xC0, 0xC5, "a"},   {0xC6, 0xC6, "ae"},  {0xC7, 0xC7, "c"},   {0xC8, 0xCB, "e"},    {0xCC, 0xCF, "i"},
    {0xD0, 0xD0, "d"},   {0xD1, 0xD1, "n"},   {0xD2, 0xD6, "o"},   {0xD8, 0xD8, "o"},    {0xD9, 0xDC, "u"},
    {0xDD, 0xDD, "y"},   {0xDE, 0xDE, "th"},  {0xDF, 0xDF, "ss"},  {0xE0, 0xE5, "a"},    {0xE6, 0xE6, "ae"},
    {0xE7, 0xE7, "c"},   {0xE8, 0xEB, "e"},   {0xEC, 0xEF, "i"},   {0xF0, 0xF0, "d"},    {0xF1, 0xF1, "n"},
    {0xF2, 0xF6, "o"},   {0xF8, 0xF8, "o"},   {0xF9, 0xFC, "u"},   {0xFD, 0xFD, "y"},    {0xFE, 0xFE, "th"},
    {0xFF, 0xFF, "y"},   {0x100, 0x105, "a"}, {0x106, 0x10D, "c"}, {0x10E, 0x111, "d"},  {0x112, 0x11B, "e"},
    {0x11C, 0x123, "g"}, {0x124, 0x127, "h"}, {0x128, 0x131, "i"}, {0x132, 0x133, "ij"}, {0x134, 0x135, "j"},
    {0x136, 0x138, "k"}, {0x139, 0x142, "l"}, {0x143, 0x14B, "n"}, {0x14C, 0x151, "o"},  {0x152, 0x153, "oe"},
    {0x154, 0x159, "r"}, {0x15A, 0x161, "s"}, {0x162, 0x167, "t"}, {0x168, 0x173, "u"},  {0x174, 0x175, "w"},
    {0x176, 0x178, "y"}, {0x179, 0x17E, "z"}, {0x17F, 0x17F, "s"},
};

std::string_view fold_to_ascii(char32_t c) {
    auto it = std::find_if(std::begin(foldings), std::end(foldings),
                           [c](const Folding& f) { return c >= f.first && c <= f.last; });
    return it == std::end(foldings) ? std::string_view{} : it->ascii;
}

bool is_slug_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

}  // namespace

std::string slugify(std::string_view text) {
    std::string slug;
    bool separator_pending = false;
    const auto append = [&](std::string_view ascii) {
        if (separator_pending && !slug.empty()) slug += '-';
        separator_pending = false;
        slug += ascii;
    };
    for (std::size_t pos = 0; pos < text.size();) {
        const char32_t c = next_code_point(text, pos);
        if (c >= U'A' && c <= U'Z') {
            append(std::string(1, static_cast<char>(c - U'A' + U'a')));
        } else if (c < 0x80 && is_slug_char(static_cast<char>(c))) {
            append(std::string(1, static_cast<char>(c)));
        } else if (auto ascii = fold_to_ascii(c); !ascii.empty()) {
            append(ascii);
        } else {
            separator_pending = true;
        }
    }
    return slug;
}

bool is_valid_slug(std::string_view slug) {
    if (slug.empty() || slug.front() == '-' || slug.back() == '-') return false;
    for (std::size_t i = 0; i < slug.size(); ++i) {
        if (slug[i] == '-') {
            if (slug[i + 1] == '-') return false;  // i + 1 is in range: the last char is not '-'
        } else if (!is_slug_char(slug[i])) {
            return false;
        }
    }
    return true;
}

}  // namespace fedblog::publishing
