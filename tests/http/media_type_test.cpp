#include "http/media_type.hpp"

#include <gtest/gtest.h>

using namespace fedblog::http;

TEST(MediaType, ParsesAcceptWithParametersAndQuality) {
    auto ranges = parse_accept(
        "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\", application/activity+json, "
        "text/html;q=0.1");
    ASSERT_EQ(ranges.size(), 3u);
    EXPECT_EQ(ranges[0].subtype, "ld+json");
    ASSERT_NE(ranges[0].parameter("profile"), nullptr);
    EXPECT_EQ(*ranges[0].parameter("profile"), "https://www.w3.org/ns/activitystreams");
    EXPECT_DOUBLE_EQ(ranges[2].q, 0.1);
}

TEST(MediaType, SkipsMalformedRangesAlone) {
    auto ranges = parse_accept("garbage, text/html;q=2, application/activity+json, /x, text/;a");
    ASSERT_EQ(ranges.size(), 1u);
    EXPECT_EQ(ranges[0].subtype, "activity+json");
}

TEST(MediaType, QuotedCommaInProfileDoesNotSplit) {
    auto ranges = parse_accept("application/ld+json; profile=\"a,b https://www.w3.org/ns/activitystreams\"");
    ASSERT_EQ(ranges.size(), 1u);
    EXPECT_TRUE(is_activity_pub_type(ranges[0]));
}

TEST(MediaType, RecognizesActivityPubTypes) {
    MediaRange range;
    ASSERT_TRUE(parse_media_type("application/activity+json; charset=utf-8", range));
    EXPECT_TRUE(is_activity_pub_type(range));
    ASSERT_TRUE(parse_media_type("Application/LD+JSON", range));
    EXPECT_TRUE(is_activity_pub_type(range));
    ASSERT_TRUE(parse_media_type("application/ld+json; profile=\"https://example.org/other\"", range));
    EXPECT_FALSE(is_activity_pub_type(range));
    ASSERT_TRUE(parse_media_type("application/json", range));
    EXPECT_FALSE(is_activity_pub_type(range));
    EXPECT_FALSE(parse_media_type("*/*", range));
}
