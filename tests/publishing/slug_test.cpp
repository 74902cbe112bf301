#include "publishing/slug.hpp"

#include <gtest/gtest.h>

namespace fedblog::publishing {
namespace {

TEST(Slugify, LowercasesAndFoldsFrenchAccents) {
    EXPECT_EQ(slugify("Notre assembl\u00e9e g\u00e9n\u00e9rale"), "notre-assemblee-generale");
    EXPECT_EQ(slugify("\u00c7a roule \u00e0 No\u00ebl, \u00e0 l\u2019\u0153il"), "ca-roule-a-noel-a-l-oeil");
    EXPECT_EQ(slugify("\u00c6sop et l\u2019\u00c2ne"), "aesop-et-l-ane");
}

TEST(Slugify, FoldsOtherLatinLetters) {
    EXPECT_EQ(slugify("Stra\u00dfe"), "strasse");
    EXPECT_EQ(slugify("\u0141\u00f3d\u017a"), "lodz");
    EXPECT_EQ(slugify("\u00de\u00f3rsh\u00f6fn"), "thorshofn");
    EXPECT_EQ(slugify("\u0160koda \u010cesk\u00fd"), "skoda-cesky");
}

TEST(Slugify, CollapsesAndTrimsSeparators) {
    EXPECT_EQ(slugify("  --Bonjour__le   monde !! "), "bonjour-le-monde");
    EXPECT_EQ(slugify("2026-03-14-bilan"), "2026-03-14-bilan");
    EXPECT_EQ(slugify("v\u00e9lo \U0001F6B2 atelier"), "velo-atelier");
}

TEST(Slugify, EmptyWhenNothingUsableRemains) {
    EXPECT_EQ(slugify("\u65e5\u672c\u8a9e"), "");
    EXPECT_EQ(slugify("--- !!"), "");
    EXPECT_EQ(slugify(""), "");
}

TEST(Slugify, ResultsAreValidSlugs) {
    for (const char* text : {"Notre assembl\u00e9e g\u00e9n\u00e9rale", " a ", "x--y", "\u0152uvre"})
        EXPECT_TRUE(is_valid_slug(slugify(text))) << text;
}

TEST(IsValidSlug, AcceptsLowercaseWordsJoinedBySingleHyphens) {
    EXPECT_TRUE(is_valid_slug("a"));
    EXPECT_TRUE(is_valid_slug("notre-assemblee-generale-2026"));
    EXPECT_TRUE(is_valid_slug("2026"));
}

TEST(IsValidSlug, RejectsEverythingElse) {
    EXPECT_FALSE(is_valid_slug(""));
    EXPECT_FALSE(is_valid_slug("-a"));
    EXPECT_FALSE(is_valid_slug("a-"));
    EXPECT_FALSE(is_valid_slug("a--b"));
    EXPECT_FALSE(is_valid_slug("Notre-AG"));
    EXPECT_FALSE(is_valid_slug("assembl\u00e9e"));
    EXPECT_FALSE(is_valid_slug("a_b"));
    EXPECT_FALSE(is_valid_slug("a b"));
    EXPECT_FALSE(is_valid_slug("a/b"));
}

}  // namespace
}  // namespace fedblog::publishing
