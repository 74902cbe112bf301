#include "web/i18n.hpp"

#include <gtest/gtest.h>

#include "common/time.hpp"

using namespace fedblog;
using namespace fedblog::web;

namespace {
store::Timestamp at(std::string_view date) { return *parse_date_time(date); }
const Strings& fr = strings_for("fr");
const Strings& en = strings_for("en");
}  // namespace

TEST(Strings, FrenchForAnyFrenchVariantEnglishOtherwise) {
    EXPECT_EQ(strings_for("fr").language, "fr");
    EXPECT_EQ(strings_for("fr-BE").language, "fr");
    EXPECT_EQ(strings_for("en").language, "en");
    EXPECT_EQ(strings_for("de").language, "en");
    EXPECT_EQ(strings_for("").language, "en");
}

TEST(LongDate, FrenchUsesPremierForTheFirstDay) {
    EXPECT_EQ(format_long_date(at("2026-01-01"), fr), "1er janvier 2026");
    EXPECT_EQ(format_long_date(at("2026-02-02"), fr), "2 février 2026");
    EXPECT_EQ(format_long_date(at("2026-11-26T06:34:13Z"), fr), "26 novembre 2026");
    EXPECT_EQ(format_long_date(at("2026-08-15T23:59:59Z"), fr), "15 août 2026");
    EXPECT_EQ(format_long_date(at("2028-02-29"), fr), "29 février 2028");
    EXPECT_EQ(format_long_date(at("2026-12-01"), fr), "1er décembre 2026");
}

TEST(LongDate, IsTheUtcDay) { EXPECT_EQ(format_long_date(at("2026-03-01T00:30:00+01:00"), fr), "28 février 2026"); }

TEST(LongDate, English) {
    EXPECT_EQ(format_long_date(at("2026-01-01"), en), "1 January 2026");
    EXPECT_EQ(format_long_date(at("2026-11-26"), en), "26 November 2026");
}

TEST(LongDate, BeforeTheEpoch) {
    EXPECT_EQ(format_long_date(at("1969-12-31T23:00:00Z"), fr), "31 décembre 1969");
    EXPECT_EQ(format_long_date(0, fr), "1er janvier 1970");
}

TEST(CountLabel, FrenchTreatsZeroAsSingular) {
    EXPECT_EQ(count_label(0, fr.follower_one, fr.follower_many, fr), "0 abonné");
    EXPECT_EQ(count_label(1, fr.follower_one, fr.follower_many, fr), "1 abonné");
    EXPECT_EQ(count_label(2, fr.follower_one, fr.follower_many, fr), "2 abonnés");
    EXPECT_EQ(count_label(0, en.follower_one, en.follower_many, en), "0 followers");
    EXPECT_EQ(count_label(1, en.post_one, en.post_many, en), "1 post");
}

TEST(OgLocale, LanguageAndTerritory) {
    EXPECT_EQ(og_locale("fr"), "fr_FR");
    EXPECT_EQ(og_locale("fr-CA"), "fr_CA");
    EXPECT_EQ(og_locale("pt-br"), "pt_BR");
    EXPECT_EQ(og_locale("en"), "en_US");
    EXPECT_EQ(og_locale("de"), "de_DE");
    EXPECT_EQ(og_locale(""), "");
}
