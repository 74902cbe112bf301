#include "keys/qdtext.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

using namespace fedblog::keys;

namespace {

// The definition, one byte at a time: what skip_qdtext must agree with.
std::size_t skip_bytewise(std::string_view text, std::size_t from) {
    while (from < text.size() && is_qdtext(text[from])) ++from;
    return from;
}

}  // namespace

TEST(Qdtext, IsRfc9110Qdtext) {
    for (int c = 0; c < 256; ++c) {
        const bool expected = c == '\t' || c == ' ' || c == 0x21 || (c >= 0x23 && c <= 0x5b) ||
                              (c >= 0x5d && c <= 0x7e) || c >= 0x80;
        EXPECT_EQ(is_qdtext(static_cast<char>(c)), expected) << c;
    }
}

TEST(Qdtext, SkipStopsAtEveryNonQdtextByteAtEveryPosition) {
    // Each byte value at each offset of runs long enough to take the word-at-a-time path several times,
    // starting at every alignment.
    for (int c = 0; c < 256; ++c)
        for (std::size_t length = 1; length <= 40; ++length)
            for (std::size_t at = 0; at < length; ++at) {
                std::string text(length, 'A');
                text[at] = static_cast<char>(c);
                for (std::size_t from = 0; from <= std::min<std::size_t>(at, 9); ++from)
                    ASSERT_EQ(skip_qdtext(text, from), skip_bytewise(text, from))
                        << "byte " << c << " at " << at << " of " << length << " from " << from;
            }
}

TEST(Qdtext, SkipAgreesOnRandomText) {
    // Mostly qdtext with now and then a byte that ends a run, and neighbours that tempt borrows
    // (0x00, 0x1f, 0x20, 0x21, 0x22, 0x5b-0x5d, 0x7e-0x80, 0xff).
    std::mt19937 random(9421);
    const std::string tricky("\x00\x1f\x20\x21\x22\x5b\x5c\x5d\x7e\x7f\x80\xff\t\r\n", 15);
    for (int round = 0; round < 20000; ++round) {
        std::string text(random() % 64, 'x');
        for (char& c : text) {
            const unsigned pick = random() % 16;
            c = pick < 4 ? tricky[random() % tricky.size()] : pick < 6 ? static_cast<char>(random() % 256)
                                                                       : static_cast<char>('A' + random() % 26);
        }
        for (std::size_t from = 0; from <= text.size(); ++from)
            ASSERT_EQ(skip_qdtext(text, from), skip_bytewise(text, from)) << round << " from " << from;
    }
}

TEST(Qdtext, SkipOfNothingIsWhereItStarted) {
    EXPECT_EQ(skip_qdtext("", 0), 0u);
    EXPECT_EQ(skip_qdtext("abc", 3), 3u);
    EXPECT_EQ(skip_qdtext("\"abc", 0), 0u);
    EXPECT_EQ(skip_qdtext("abcdefghijklmnopqrstuvwxyz\\", 0), 26u);
}
