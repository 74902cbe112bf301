#include "keys/digest.hpp"

#include <gtest/gtest.h>

#include <array>
#include <numeric>

using namespace fedblog::keys;

namespace {

std::string b64(std::string_view bytes) {
    return base64_encode({reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()});
}

std::string sha256_b64(std::string_view data) { return base64_encode(sha256(data)); }

constexpr std::string_view appendix_body = R"({"hello": "world"})";
constexpr std::string_view appendix_digest = "X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=";

}  // namespace

TEST(Sha256, KnownVectors) {
    EXPECT_EQ(sha256_b64(""), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
    EXPECT_EQ(sha256_b64("abc"), "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
    EXPECT_EQ(sha256_b64(appendix_body), appendix_digest);
}

TEST(Base64, Rfc4648Vectors) {
    const std::pair<std::string_view, std::string_view> vectors[] = {
        {"", ""},
        {"f", "Zg=="},
        {"fo", "Zm8="},
        {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="},
        {"fooba", "Zm9vYmE="},
        {"foobar", "Zm9vYmFy"},
    };
    for (const auto& [plain, encoded] : vectors) {
        EXPECT_EQ(b64(plain), encoded);
        auto decoded = base64_decode(encoded);
        ASSERT_TRUE(decoded) << encoded;
        EXPECT_EQ(std::string(decoded->begin(), decoded->end()), plain);
    }
}

TEST(Base64, RoundTripsEveryByteAtEveryLength) {
    std::vector<unsigned char> bytes(256);
    std::iota(bytes.begin(), bytes.end(), 0);
    for (std::size_t length = 0; length <= bytes.size(); ++length) {
        const std::vector<unsigned char> input(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(length));
        const std::string encoded = base64_encode(input);
        EXPECT_EQ(encoded.size(), (length + 2) / 3 * 4);
        EXPECT_EQ(base64_decode(encoded), input) << length;
    }
}

TEST(Base64, RejectsAnythingButTheCanonicalEncoding) {
    const std::string_view rejected[] = {
        "Zg",      // padding missing
        "Zg=",     // padding short
        "Zm9v\n",  // whitespace, even the trailing newline EVP_DecodeBlock would skip
        " Zm9v",
        "Zm9v ",
        "Zm 9",
        "Zm-v",  // URL-safe alphabet
        "Zm_v",
        "Zg==Zg==",  // padding in the middle
        "=Zg=",
        "Z===",  // three padding characters
        "====",
        "Zh==",         // non-zero bits after the last byte: "Zg==" is the only spelling of "f"
        "Zm9=",         // likewise for "fo": "Zm8="
        "Zm9v\200AAA",  // non-ASCII
        std::string_view("Zm\0v", 4),
    };
    for (std::string_view text : rejected) EXPECT_FALSE(base64_decode(text)) << text;
}

TEST(Base64, DecodesExactlyIntoAFixedBuffer) {
    // The same answers as base64_decode, when the length matches.
    std::array<unsigned char, 3> three{};
    EXPECT_TRUE(base64_decode_exact("Zm9v", three));
    EXPECT_EQ(std::string(three.begin(), three.end()), "foo");
    std::array<unsigned char, 2> two{};
    EXPECT_TRUE(base64_decode_exact("Zm8=", two));
    EXPECT_EQ(std::string(two.begin(), two.end()), "fo");
    std::array<unsigned char, 1> one{};
    EXPECT_TRUE(base64_decode_exact("Zg==", one));
    EXPECT_EQ(one[0], 'f');
    EXPECT_TRUE(base64_decode_exact("", std::span<unsigned char>()));
    Sha256 digest{};
    EXPECT_TRUE(base64_decode_exact(appendix_digest, digest));
    EXPECT_EQ(digest, sha256(appendix_body));

    // Valid base64 of another length is refused, short or long.
    EXPECT_FALSE(base64_decode_exact("Zm9v", two));
    EXPECT_FALSE(base64_decode_exact("Zm8=", three));
    EXPECT_FALSE(base64_decode_exact("Zm9vYg==", three));
    EXPECT_FALSE(base64_decode_exact("", one));
    // And so is everything base64_decode rejects, at the length it would have had.
    EXPECT_FALSE(base64_decode_exact("Zh==", one));
    EXPECT_FALSE(base64_decode_exact("Zm9=", two));
    EXPECT_FALSE(base64_decode_exact("Zm-v", three));
    std::array<unsigned char, 4> four{};
    EXPECT_FALSE(base64_decode_exact("Zg==Zg==", four));
    EXPECT_FALSE(base64_decode_exact(std::string_view("Zm\0v", 4), three));
}

TEST(DigestHeader, IsSha256OfTheExactBytes) {
    EXPECT_EQ(digest_header(appendix_body), "SHA-256=" + std::string(appendix_digest));
    EXPECT_EQ(digest_header(""), "SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
}

TEST(DigestHeader, CheckTable) {
    const std::string good(appendix_digest);
    const std::string other = sha256_b64("{\"hello\":\"world\"}");  // the same JSON, re-serialized
    struct Case {
        std::string header;
        DigestCheck expected;
    } cases[] = {
        {"SHA-256=" + good, DigestCheck::ok},
        {"sha-256=" + good, DigestCheck::ok},
        {"Sha-256=" + good, DigestCheck::ok},
        {"  SHA-256=" + good + "  ", DigestCheck::ok},
        {"SHA-256=" + good +
             ",SHA-512=z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==",
         DigestCheck::ok},
        {"SHA-512=anything, sha-256=" + good, DigestCheck::ok},
        {"UNIXsum=30637,SHA-256=" + good, DigestCheck::ok},
        {"", DigestCheck::missing},
        {"   ", DigestCheck::missing},
        {"SHA-512=z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==",
         DigestCheck::unsupported_algorithm},
        {"MD5=HUXZLQLMuI/KZ5KDcJPcOA==, SHA=thvDyvhfIqlvFe+A9MYgxAfm1q5=", DigestCheck::unsupported_algorithm},
        {"SHA256=" + good, DigestCheck::unsupported_algorithm},  // not the registered name
        {"SHA-256", DigestCheck::malformed},
        {"=" + good, DigestCheck::malformed},
        {"SHA-256=" + good + ",", DigestCheck::malformed},
        {"SHA-256=" + good + ",,SHA-512=x", DigestCheck::malformed},
        {"SHA-512=x,garbage", DigestCheck::malformed},  // malformed even without a SHA-256
        {"SHA-256=" + good + ",SHA-256=" + good, DigestCheck::malformed},
        {"SHA-256=" + good + ",sha-256=" + other, DigestCheck::malformed},
        {"SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE", DigestCheck::malformed},  // unpadded
        {"SHA-256= " + good, DigestCheck::malformed},
        {"SHA-256=" + sha256_b64("x").substr(0, 40), DigestCheck::malformed},
        {"SHA-256=" + b64("31 bytes is not a SHA-256 value"), DigestCheck::malformed},
        {"SHA-256=" + other, DigestCheck::mismatch},
        {"SHA-256=" + sha256_b64(""), DigestCheck::mismatch},
    };
    for (const auto& c : cases)
        EXPECT_EQ(check_digest_header(c.header, appendix_body), c.expected)
            << c.header << " gave " << to_string(check_digest_header(c.header, appendix_body));
}

TEST(DigestHeader, EmptyBodyHasADigestToo) {
    EXPECT_EQ(check_digest_header(digest_header(""), ""), DigestCheck::ok);
    EXPECT_EQ(check_digest_header(digest_header(""), " "), DigestCheck::mismatch);
}

TEST(DigestHeader, NamesEveryResult) {
    EXPECT_EQ(to_string(DigestCheck::ok), "ok");
    EXPECT_EQ(to_string(DigestCheck::missing), "missing");
    EXPECT_EQ(to_string(DigestCheck::unsupported_algorithm), "unsupported_algorithm");
    EXPECT_EQ(to_string(DigestCheck::malformed), "malformed");
    EXPECT_EQ(to_string(DigestCheck::mismatch), "mismatch");
}
