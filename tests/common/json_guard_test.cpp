#include "common/json_guard.hpp"

#include <gtest/gtest.h>

namespace fedblog {
namespace {

TEST(JsonGuard, AnOrdinaryActivityPasses) {
    EXPECT_FALSE(check_untrusted_json(R"({"@context":["https://www.w3.org/ns/activitystreams",{"toot":"x"}],)"
                                      R"("object":{"tag":[{"icon":{"url":"https://e.example/é.png"}}]}})"));
}

TEST(JsonGuard, InvalidUtf8IsNamedWithItsOffset) {
    auto problem = check_untrusted_json("{\"content\":\"caf\xe9\"}");  // Latin-1 é
    ASSERT_TRUE(problem);
    EXPECT_EQ(problem->reason, "invalid_utf8");
    EXPECT_NE(problem->detail.find("byte 15"), std::string::npos) << problem->detail;
    EXPECT_TRUE(check_untrusted_json("{\"a\":\"\xed\xa0\x80\"}"));  // a UTF-16 surrogate written as UTF-8
    EXPECT_TRUE(check_untrusted_json("{\"a\":\"\xc0\xaf\"}"));      // an overlong "/"
}

TEST(JsonGuard, DepthCountsArraysAndObjectsUpToTheLimit) {
    std::string at_limit = std::string(64, '[') + std::string(64, ']');
    EXPECT_FALSE(check_untrusted_json(at_limit));
    std::string over = "{\"a\":" + std::string(64, '[') + std::string(64, ']') + "}";
    auto problem = check_untrusted_json(over);
    ASSERT_TRUE(problem);
    EXPECT_EQ(problem->reason, "json_too_deep");
    EXPECT_TRUE(check_untrusted_json("[{\"a\":[{}]}]", 3));
    EXPECT_FALSE(check_untrusted_json("[{\"a\":[]}][{}]", 3));  // siblings do not add up
}

TEST(JsonGuard, BracketsInsideStringsDoNotCount) {
    std::string text = "{\"a\":\"" + std::string(1000, '[') + "\\\"" + std::string(1000, '{') + "\"}";
    EXPECT_FALSE(check_untrusted_json(text));
    // An escaped backslash ends before the quote: the string closes, and the brackets after it count.
    EXPECT_TRUE(check_untrusted_json("[\"\\\\\",[[[]]]]", 3));
}

TEST(JsonGuard, AMegabyteOfOpeningBracketsStopsAtTheLimit) {
    EXPECT_EQ(check_untrusted_json(std::string(1 << 20, '['))->reason, "json_too_deep");
    EXPECT_EQ(check_untrusted_json(std::string(1 << 20, '{'))->reason, "json_too_deep");
}

}  // namespace
}  // namespace fedblog
