#include "common/time.hpp"

#include <gtest/gtest.h>

using fedblog::format_http_date;
using fedblog::format_rfc3339;
using fedblog::parse_date_time;

TEST(Time, FormatsRfc3339InUtc) {
    EXPECT_EQ(format_rfc3339(0), "1970-01-01T00:00:00Z");
    EXPECT_EQ(format_rfc3339(1795752000), "2026-11-27T04:00:00Z");
}

TEST(Time, FormatsHttpDateInEnglish) {
    EXPECT_EQ(format_http_date(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");  // RFC 9110's own example
}

TEST(Time, ParsesFrontMatterDateForms) {
    EXPECT_EQ(parse_date_time("2026-11-20"), 1795132800);
    EXPECT_EQ(parse_date_time("2026-11-20 10:00"), 1795132800 + 36000);
    EXPECT_EQ(parse_date_time("2026-11-20T10:00:00Z"), 1795132800 + 36000);
    EXPECT_EQ(parse_date_time("2026-11-20T10:00:00+01:00"), 1795132800 + 32400);
    EXPECT_EQ(parse_date_time("2026-11-20T10:00:00.123-02:30"), 1795132800 + 36000 + 9000);
    EXPECT_EQ(parse_date_time("  2024-02-29  "), 1709164800);
}

TEST(Time, RejectsMalformedDates) {
    for (const char* bad : {"", "2026", "2026-13-01", "2026-02-30", "2025-02-29", "2026-11-20T25:00", "2026-11-20T10",
                            "2026-11-20X10:00", "2026-11-20T10:00+0", "20-11-2026", "2026-11-20T10:00:00Zjunk"})
        EXPECT_FALSE(parse_date_time(bad).has_value()) << bad;
}
