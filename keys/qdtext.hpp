#pragma once
// RFC 9110 qdtext, the plain characters of a quoted-string: HTAB, SP, 0x21, 0x23-0x5B, 0x5D-0x7E and
// obs-text (0x80-0xFF); not '"', not '\\', no other control character. Inbox requests carry ~350 bytes of
// it in every Signature header, so runs of it are skipped eight bytes at a time.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace fedblog::keys {

inline constexpr std::array<bool, 256> qdtext_chars = [] {
    std::array<bool, 256> table{};
    for (int c = 0; c < 256; ++c)
        table[static_cast<std::size_t>(c)] = c == '\t' || c == ' ' || c == 0x21 || (c >= 0x23 && c != 0x5c && c != 0x7f);
    return table;
}();

inline bool is_qdtext(char c) { return qdtext_chars[static_cast<unsigned char>(c)]; }

// The offset of the first character at or after `from` that is not qdtext, or text.size().
inline std::size_t skip_qdtext(std::string_view text, std::size_t from) {
    constexpr std::uint64_t ones = 0x0101010101010101, high_bits = 0x8080808080808080;
    // Nonzero when some byte of `v` is zero / below n (n <= 0x80): exact as a yes-or-no answer.
    auto has_zero = [](std::uint64_t v) { return (v - ones) & ~v & high_bits; };
    auto has_below = [](std::uint64_t v, std::uint64_t n) { return (v - ones * n) & ~v & high_bits; };
    std::size_t i = from;
    // Whole words with no byte that could end the run; HTAB stops the fast path too, the bytewise loop
    // below takes it from there.
    while (i + 8 <= text.size()) {
        std::uint64_t word;
        std::memcpy(&word, text.data() + i, sizeof word);
        if (has_below(word, 0x20) | has_zero(word ^ (ones * '"')) | has_zero(word ^ (ones * '\\')) |
            has_zero(word ^ (ones * 0x7f)))
            break;
        i += 8;
    }
    while (i < text.size() && is_qdtext(text[i])) ++i;
    return i;
}

}  // namespace fedblog::keys
