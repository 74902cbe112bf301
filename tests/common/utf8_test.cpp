#include "common/utf8.hpp"

#include <gtest/gtest.h>

namespace fedblog {
namespace {

TEST(Text, DecodesOneToFourByteSequences) {
    const std::string text = "a\u00e9\u20ac\U0001F6B2";  // a, é, €, 🚲
    std::size_t pos = 0;
    EXPECT_EQ(next_code_point(text, pos), U'a');
    EXPECT_EQ(pos, 1u);
    EXPECT_EQ(next_code_point(text, pos), U'\u00e9');
    EXPECT_EQ(pos, 3u);
    EXPECT_EQ(next_code_point(text, pos), U'\u20ac');
    EXPECT_EQ(pos, 6u);
    EXPECT_EQ(next_code_point(text, pos), U'\U0001F6B2');
    EXPECT_EQ(pos, 10u);
}

TEST(Text, MalformedSequencesDecodeToReplacementOneByteAtATime) {
    for (const std::string bad : {"\xC3", "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\x80"}) {
        std::size_t pos = 0;
        EXPECT_EQ(next_code_point(bad, pos), replacement_character) << bad;
        EXPECT_EQ(pos, 1u);
    }
}

TEST(Text, AppendUtf8RoundTrips) {
    std::string out;
    for (char32_t c : {U'a', U'\u00e7', U'\u0153', U'\u20ac', U'\U0001F6B2'}) append_utf8(out, c);
    EXPECT_EQ(out, "a\u00e7\u0153\u20ac\U0001F6B2");
}

TEST(Text, AppendUtf8ReplacesWhatUtf8CannotCarry) {
    std::string out;
    append_utf8(out, 0xD800);
    append_utf8(out, 0x110000);
    EXPECT_EQ(out, "\uFFFD\uFFFD");
}

TEST(Text, FindsTheFirstInvalidByte) {
    EXPECT_EQ(find_invalid_utf8("caf\u00e9 \uFFFD ok"), std::nullopt);  // a literal U+FFFD is valid
    EXPECT_EQ(find_invalid_utf8("caf\xE9 au lait"), 3u);                // Latin-1 é
    EXPECT_EQ(find_invalid_utf8(""), std::nullopt);
}

TEST(Text, LowercasesLatinGreekAndCyrillic) {
    EXPECT_EQ(lowercase("\u00c9CONOMIE Sociale"), "\u00e9conomie sociale");
    EXPECT_EQ(lowercase("\u0152UVRE \u0178 \u0141\u00d3D\u0179 \u0130"), "\u0153uvre \u00ff \u0142\u00f3d\u017a i");
    EXPECT_EQ(lowercase("\u0391\u0398\u0397\u039d\u0391"), "\u03b1\u03b8\u03b7\u03bd\u03b1");
    EXPECT_EQ(lowercase("\u041c\u041e\u0421\u041a\u0412\u0410 \u0401"), "\u043c\u043e\u0441\u043a\u0432\u0430 \u0451");
    EXPECT_EQ(lowercase("\u00d7 \u65e5\u672c"), "\u00d7 \u65e5\u672c");  // × and CJK have no case
}

}  // namespace
}  // namespace fedblog
