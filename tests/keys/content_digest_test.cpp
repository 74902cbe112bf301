#include "keys/content_digest.hpp"

#include <gtest/gtest.h>

using namespace fedblog::keys;
using Reason = ContentDigestError::Reason;

namespace {

constexpr std::string_view body = R"({"hello": "world"})";  // RFC 9421 B.2 and RFC 9530's example content
constexpr std::string_view sha256 = "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:";
constexpr std::string_view sha512 =
    "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:";
constexpr std::string_view empty_sha256 = "sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:";

}  // namespace

TEST(ContentDigest, Sha256OfTheExactBytes) {
    EXPECT_EQ(content_digest_sha256(body), sha256);
    EXPECT_EQ(content_digest_sha256(""), empty_sha256);
}

TEST(ContentDigest, ChecksEverySupportedMember) {
    struct Case {
        std::string header;
        std::optional<Reason> expected;
        std::string_view detail;
    };
    const std::string s256(sha256), s512(sha512);
    const Case cases[] = {
        {s256, std::nullopt, ""},
        {s512, std::nullopt, ""},
        {s256 + ", " + s512, std::nullopt, ""},
        {s512 + ",\t" + s256, std::nullopt, ""},
        {"md5=:Sd/dVLAcvNLSq16eXua5uQ==:, " + s256, std::nullopt, ""},  // unknown algorithms are ignored
        {"sha=:AAAA:, unixsum=30637, " + s256, std::nullopt, ""},
        {"sha=:AAAA:, md5=:Sd/dVLAcvNLSq16eXua5uQ==:", Reason::no_supported_algorithm, "neither sha-256 nor sha-512"},
        {"", Reason::no_supported_algorithm, "neither"},
        {std::string(empty_sha256), Reason::mismatch,
         "sha-256 is :47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=: but the body's is "
         ":X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:"},
        {s256 + ", sha-512=:AAAA:", Reason::mismatch, "sha-512 is :AAAA:"},  // all supported members must match
        {"sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBP:", Reason::mismatch, "sha-256"},  // truncated
        {"sha-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=", Reason::malformed,
         "not a structured-field dictionary"},
        {"SHA-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:", Reason::malformed, "not a structured-field"},
        {"sha-256=abc", Reason::malformed, "sha-256 is not a byte sequence"},
        {"sha-256=(:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:)", Reason::malformed, "not a byte sequence"},
        {s256 + ", " + s256, Reason::malformed, "duplicate key \"sha-256\""},
    };
    for (const auto& [header, expected, detail] : cases) {
        auto failure = check_content_digest(header, body);
        ASSERT_EQ(failure.has_value(), expected.has_value()) << header << (failure ? ": " + failure->detail : "");
        if (!failure) continue;
        EXPECT_EQ(failure->reason, *expected) << header;
        EXPECT_NE(failure->detail.find(detail), std::string::npos) << header << ": " << failure->detail;
        EXPECT_EQ(failure->detail.rfind("Content-Digest ", 0), 0u) << failure->detail;
    }
}

TEST(ContentDigest, AnyChangeToTheBodyIsAMismatch) {
    EXPECT_FALSE(check_content_digest(empty_sha256, ""));
    EXPECT_EQ(check_content_digest(sha256, R"({"hello": "world"} )")->reason, Reason::mismatch);
    EXPECT_EQ(check_content_digest(sha256, "")->reason, Reason::mismatch);
}
