#include "keys/http_message.hpp"

#include <gtest/gtest.h>

using namespace fedblog::keys;

namespace {

HttpMessage with_headers(std::vector<std::pair<std::string, std::string>> headers) {
    HttpMessage message;
    message.method = "GET";
    message.headers = std::move(headers);
    return message;
}

}  // namespace

TEST(HttpMessage, JoinedIntoABufferViewsASingleValueInPlace) {
    const HttpMessage message = with_headers({{"host", "blog.example"}, {"date", "Thu, 20 Nov 2025 10:00:00 GMT"}});
    std::string buffer;
    const auto date = message.joined("date", buffer);
    ASSERT_TRUE(date);
    EXPECT_EQ(*date, "Thu, 20 Nov 2025 10:00:00 GMT");
    EXPECT_EQ(date->data(), message.headers[1].second.data());  // not copied
    EXPECT_TRUE(buffer.empty());
    EXPECT_EQ(message.joined("date"), std::optional<std::string>("Thu, 20 Nov 2025 10:00:00 GMT"));
}

TEST(HttpMessage, JoinedIntoABufferJoinsRepeatsInOrder) {
    const HttpMessage message =
        with_headers({{"accept", "a"}, {"host", "blog.example"}, {"accept", "b"}, {"accept", ""}, {"accept", "c, d"}});
    std::string buffer = "left over";
    const auto accept = message.joined("accept", buffer);
    ASSERT_TRUE(accept);
    EXPECT_EQ(*accept, "a, b, , c, d");
    EXPECT_EQ(accept->data(), buffer.data());
    EXPECT_EQ(message.joined("accept"), std::optional<std::string>("a, b, , c, d"));
}

TEST(HttpMessage, JoinedIsNothingForAnAbsentHeaderAndEmptyForAnEmptyOne) {
    const HttpMessage message = with_headers({{"digest", ""}});
    std::string buffer;
    EXPECT_FALSE(message.joined("signature", buffer));
    EXPECT_FALSE(message.joined("signature"));
    const auto digest = message.joined("digest", buffer);
    ASSERT_TRUE(digest);
    EXPECT_EQ(*digest, "");
    // Names are matched exactly: the message holds them lower-cased.
    EXPECT_FALSE(message.joined("Digest", buffer));
}

TEST(HttpMessage, CountsEveryOccurrence) {
    const HttpMessage message = with_headers({{"signature", "a"}, {"host", "x"}, {"signature", ""}});
    EXPECT_EQ(message.count("signature"), 2u);
    EXPECT_EQ(message.count("host"), 1u);
    EXPECT_EQ(message.count("date"), 0u);
    EXPECT_EQ(message.count("Host"), 0u);
    EXPECT_EQ(message.count("signature"), message.values("signature").size());
}
