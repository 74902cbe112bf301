#include "keys/cavage.hpp"

#include <gtest/gtest.h>
#include <openssl/err.h>

#include "common/time.hpp"
#include "keys/digest.hpp"
#include "tests/keys/signature_vectors.hpp"

using namespace fedblog::keys;
using namespace fedblog::testing;
using Kind = SignatureError::Kind;

namespace {

CavageSignature parsed(std::string_view header) {
    auto result = parse_signature_header(header);
    if (auto* e = std::get_if<SignatureError>(&result)) {
        ADD_FAILURE() << header << ": " << e->detail;
        return {};
    }
    return std::get<CavageSignature>(result);
}

std::string signing_text(const CavageSignature& signature, const HttpMessage& message) {
    auto result = signing_string(signature, message);
    if (auto* e = std::get_if<SignatureError>(&result)) {
        ADD_FAILURE() << e->detail;
        return {};
    }
    return std::get<std::string>(result);
}

template <typename Variant>
SignatureError error_of(const Variant& result) {
    if (const auto* e = std::get_if<SignatureError>(&result)) return *e;
    ADD_FAILURE() << "expected an error";
    return {Kind::malformed, "(none)"};
}

// Verifies what `request` carries in its Signature header, at the cavage level only (no policy).
std::optional<SignatureError> verify_message(const HttpMessage& request, EVP_PKEY* key) {
    const CavageSignature signature = parsed(*request.joined("signature"));
    auto text = signing_string(signature, request);
    if (auto* e = std::get_if<SignatureError>(&text)) return *e;
    return verify_signature_bytes(signature, std::get<std::string>(text), key);
}

const KeyPair& rsa_key() {
    static const KeyPair key = KeyPair::generate_rsa();
    return key;
}

constexpr std::int64_t appendix_now = 1388957500;  // Sun, 05 Jan 2014 21:31:40 GMT

}  // namespace

// --- draft-cavage-12 Appendix C (tests/vectors/cavage/appendix-c.json says what verifies and why) ---

TEST(CavageAppendixC, SigningStringsAndSignatures) {
    const auto vectors = read_vector_json("appendix-c.json");
    const auto key = public_key_from_pem(read_vector_file(vectors.at("public_key")));
    const TestRequest request = request_from_json(vectors.at("request"));
    ASSERT_EQ(vectors.at("cases").size(), 4u);
    for (const auto& c : vectors.at("cases")) {
        SCOPED_TRACE(c.at("name").get<std::string>());
        const CavageSignature signature = parsed(c.at("signature").get<std::string>());
        EXPECT_EQ(signature.key_id, "Test");
        auto text = signing_string(signature, request.message);
        if (c.contains("signing_string")) {
            ASSERT_TRUE(std::holds_alternative<std::string>(text)) << error_of(text).detail;
            EXPECT_EQ(std::get<std::string>(text), c.at("signing_string").get<std::string>());
            EXPECT_EQ(verify_signature_bytes(signature, std::get<std::string>(text), key.get()).has_value(),
                      !c.at("verifies").get<bool>());
        } else {
            const SignatureError e = error_of(text);
            EXPECT_EQ(e.kind, Kind::malformed);
            EXPECT_EQ(e.detail, c.at("signing_string_error").get<std::string>());
            EXPECT_FALSE(c.at("verifies").get<bool>());
        }
    }
}

// draft-12 printed C.3 with created/expires added but kept the draft-10 signature: it verifies only
// over the lines without (created) and (expires).
TEST(CavageAppendixC, Draft12AllHeadersSignatureIsTheDraft10One) {
    const auto vectors = read_vector_json("appendix-c.json");
    const auto key = public_key_from_pem(read_vector_file(vectors.at("public_key")));
    const TestRequest request = request_from_json(vectors.at("request"));
    CavageSignature signature = parsed(vectors.at("cases").at(3).at("signature").get<std::string>());
    EXPECT_EQ(signature.created, 1402170695);
    EXPECT_EQ(signature.expires, 1402170699);

    signature.algorithm = "hs2019";  // the only algorithm (created) is defined for
    const std::string draft12_text = signing_text(signature, request.message);
    EXPECT_EQ(draft12_text,
              "(request-target): post /foo?param=value&pet=dog\n(created): 1402170695\n(expires): 1402170699\n"
              "host: example.com\ndate: Sun, 05 Jan 2014 21:31:40 GMT\ncontent-type: application/json\n"
              "digest: SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=\ncontent-length: 18");
    auto e = verify_signature_bytes(signature, draft12_text, key.get());
    ASSERT_TRUE(e);
    EXPECT_EQ(e->kind, Kind::bad_signature);

    std::erase_if(signature.headers,
                  [](const std::string& name) { return name == "(created)" || name == "(expires)"; });
    EXPECT_FALSE(verify_signature_bytes(signature, signing_text(signature, request.message), key.get()));
}

// PKCS#1 v1.5 is deterministic: signing the appendix request with its key must give its bytes exactly.
TEST(CavageAppendixC, OurSignerReproducesTheAppendixHeaders) {
    const auto vectors = read_vector_json("appendix-c.json");
    const KeyPair key = KeyPair::from_private_pem(read_vector_file(vectors.at("private_key")));
    const std::pair<int, std::vector<std::string>> signed_cases[] = {
        {1, {"(request-target)", "host", "date"}},
        {2, {"(request-target)", "host", "date", "content-type", "digest", "content-length"}},
    };
    for (const auto& [index, covered] : signed_cases) {
        TestRequest request = request_from_json(vectors.at("request"));
        sign_request(request.message, key, "Test", covered, appendix_now);
        EXPECT_EQ(*request.message.joined("signature"),
                  vectors.at("cases").at(index).at("signature").get<std::string>());
        EXPECT_EQ(*request.message.joined("date"), "Sun, 05 Jan 2014 21:31:40 GMT");
        EXPECT_EQ(*request.message.joined("digest"), "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=");
    }
}

// A body hashed once for many deliveries gives the same Digest and signature as hashing it per request.
TEST(CavageAppendixC, APrecomputedBodyHashSignsTheSame) {
    const auto vectors = read_vector_json("appendix-c.json");
    const KeyPair key = KeyPair::from_private_pem(read_vector_file(vectors.at("private_key")));
    const std::vector<std::string> covered = {"(request-target)", "host", "date", "content-type", "digest",
                                              "content-length"};
    TestRequest request = request_from_json(vectors.at("request"));
    sign_request(request.message, key, "Test", covered, appendix_now, sha256(request.message.body));
    EXPECT_EQ(*request.message.joined("signature"), vectors.at("cases").at(2).at("signature").get<std::string>());
    EXPECT_EQ(*request.message.joined("digest"), "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=");
}

// --- Requests shaped as Mastodon sends them, signed by openssl (tests/vectors/cavage/mastodon.json) ---

TEST(CavageMastodonVectors, SigningStringsAndSignatures) {
    const auto vectors = read_vector_json("mastodon.json");
    const auto key = public_key_from_pem(read_vector_file(vectors.at("public_key")));
    const auto other_key = public_key_from_pem(read_vector_file("test-key-rsa-pub.pem"));
    ASSERT_EQ(vectors.at("requests").size(), 3u);
    for (const auto& json : vectors.at("requests")) {
        SCOPED_TRACE(json.at("name").get<std::string>());
        const TestRequest request = request_from_json(json);
        const CavageSignature signature = parsed(*request.message.joined("signature"));
        EXPECT_EQ(signature.key_id, "https://m.example/users/alice#main-key");
        EXPECT_EQ(signature.algorithm, "rsa-sha256");
        const std::string text = signing_text(signature, request.message);
        EXPECT_EQ(text, json.at("signing_string").get<std::string>());
        EXPECT_FALSE(verify_signature_bytes(signature, text, key.get()));
        auto wrong_key = verify_signature_bytes(signature, text, other_key.get());
        ASSERT_TRUE(wrong_key);
        EXPECT_EQ(wrong_key->kind, Kind::bad_signature);
    }
}

// --- Parser ---

TEST(CavageParser, ReadsEveryParameter) {
    const CavageSignature s =
        parsed(R"(keyId="https://m.example/users/alice#main-key",algorithm="hs2019",created=1402170695,)"
               R"(expires="1402170699",headers="(request-target) (created) host",signature="AAECAw==")");
    EXPECT_EQ(s.key_id, "https://m.example/users/alice#main-key");
    EXPECT_EQ(s.algorithm, "hs2019");
    EXPECT_EQ(s.created, 1402170695);
    EXPECT_EQ(s.expires, 1402170699);
    EXPECT_EQ(s.headers, (std::vector<std::string>{"(request-target)", "(created)", "host"}));
    EXPECT_EQ(s.signature, (std::vector<unsigned char>{0, 1, 2, 3}));
}

TEST(CavageParser, DefaultsHeadersAsTheDraftSays) {
    EXPECT_EQ(parsed(R"(keyId="k",algorithm="rsa-sha256",signature="AAAA")").headers, std::vector<std::string>{"date"});
    EXPECT_EQ(parsed(R"(keyId="k",algorithm="hs2019",signature="AAAA")").headers,
              std::vector<std::string>{"(created)"});
    const CavageSignature no_algorithm = parsed(R"(keyId="k",signature="AAAA")");
    EXPECT_EQ(no_algorithm.headers, std::vector<std::string>{"(created)"});
    EXPECT_FALSE(no_algorithm.algorithm);
}

TEST(CavageParser, ToleratesWhitespaceAndLowerCasesHeaderNames) {
    const CavageSignature s = parsed(
        " keyId = \"k\" ,\talgorithm=\"rsa-sha256\" , headers=\"  (Request-Target)  Host\tDATE \",signature=\"AAAA\" ");
    EXPECT_EQ(s.key_id, "k");
    EXPECT_EQ(s.headers, (std::vector<std::string>{"(request-target)", "host", "date"}));
}

TEST(CavageParser, UnescapesQuotedPairsAndIgnoresUnknownParameters) {
    const CavageSignature s = parsed(R"(keyId="a\"b\\c\d",opaque="x",opaque=token,Keyid="other",signature="AAAA")");
    EXPECT_EQ(s.key_id, R"(a"b\cd)");
}

TEST(CavageParser, Table) {
    struct Case {
        std::string header;
        Kind expected;
        std::string detail;  // exact when not empty
    } cases[] = {
        {"", Kind::malformed, "empty Signature header"},
        {"   ", Kind::malformed, "empty Signature header"},
        {R"(keyId="k")", Kind::malformed, R"(missing parameter "signature")"},
        {R"(signature="AAAA")", Kind::malformed, R"(missing parameter "keyId")"},
        {R"(keyid="k",signature="AAAA")", Kind::malformed, R"(missing parameter "keyId")"},  // names are case-sensitive
        {R"(KeyId="k",signature="AAAA")", Kind::malformed, R"(missing parameter "keyId")"},
        {R"(keyId="",signature="AAAA")", Kind::malformed, "keyId is empty"},
        {R"(keyId=k,signature="AAAA")", Kind::malformed, R"("keyId" must be a quoted string)"},
        {R"(keyId="k",signature=AAAA)", Kind::malformed, R"("signature" must be a quoted string)"},
        {R"(keyId="k",algorithm=hs2019,signature="AAAA")", Kind::malformed, R"("algorithm" must be a quoted string)"},
        {R"(keyId="k",signature="AAAA",headers=date)", Kind::malformed, R"("headers" must be a quoted string)"},
        {R"(keyId="k,signature="AAAA")", Kind::malformed, R"(expected "," after the value of "keyId")"},
        {R"(keyId="k)", Kind::malformed, R"(unterminated quoted value of "keyId")"},
        {R"(keyId="k\)", Kind::malformed, R"(bad escape in the value of "keyId")"},
        {"keyId=\"k\\\x01\",signature=\"AAAA\"", Kind::malformed, R"(bad escape in the value of "keyId")"},
        {"keyId=\"a\x01b\",signature=\"AAAA\"", Kind::malformed, R"(control character in the value of "keyId")"},
        {"keyId=\"a\nb\",signature=\"AAAA\"", Kind::malformed, R"(control character in the value of "keyId")"},
        {R"(keyId="k" signature="AAAA")", Kind::malformed, R"(expected "," after the value of "keyId")"},
        {R"(keyId="k";signature="AAAA")", Kind::malformed, R"(expected "," after the value of "keyId")"},
        {R"(keyId="k",,signature="AAAA")", Kind::malformed, "expected a parameter name at offset 10"},
        {R"(keyId="k",signature="AAAA",)", Kind::malformed, R"(trailing "," in Signature header)"},
        {R"(,keyId="k",signature="AAAA")", Kind::malformed, "expected a parameter name at offset 0"},
        {R"(keyId "k",signature="AAAA")", Kind::malformed, R"(expected "=" after "keyId")"},
        {R"(keyId=,signature="AAAA")", Kind::malformed, R"(missing value for "keyId")"},
        {R"(="k")", Kind::malformed, "expected a parameter name at offset 0"},
        {R"(Signature keyId="k",signature="AAAA")", Kind::malformed, R"(expected "=" after "Signature")"},
        {R"(keyId="k",signature="")", Kind::malformed, "signature is not valid base64"},
        {R"(keyId="k",signature="AAA")", Kind::malformed, "signature is not valid base64"},
        {R"(keyId="k",signature="AA AA")", Kind::malformed, "signature is not valid base64"},
        {R"(keyId="k",signature="AAAA",headers="")", Kind::malformed, "headers is empty"},
        {R"(keyId="k",signature="AAAA",headers="  ")", Kind::malformed, "headers is empty"},
        {R"~(keyId="k",signature="AAAA",headers="(request-target) (opaque)")~", Kind::malformed,
         R"~(unsupported header name "(opaque)" in headers)~"},
        {R"(keyId="k",signature="AAAA",headers="date x@y")", Kind::malformed,
         R"(unsupported header name "x@y" in headers)"},
        {R"(keyId="k",signature="AAAA",created=-5)", Kind::malformed, R"(created is not an integer timestamp: "-5")"},
        {R"(keyId="k",signature="AAAA",created=1.5)", Kind::malformed, R"(created is not an integer timestamp: "1.5")"},
        {R"(keyId="k",signature="AAAA",expires="")", Kind::malformed, R"(expires is not an integer timestamp: "")"},
        {R"(keyId="k",signature="AAAA",created=99999999999999999999)", Kind::malformed,
         R"(created is not an integer timestamp: "99999999999999999999")"},
        {R"(keyId="a",keyId="b",signature="AAAA")", Kind::duplicate_parameter, R"(duplicate parameter "keyId")"},
        {R"(keyId="a",signature="AAAA",signature="AAAA")", Kind::duplicate_parameter,
         R"(duplicate parameter "signature")"},
        {R"(keyId="a",headers="date",headers="host",signature="AAAA")", Kind::duplicate_parameter,
         R"(duplicate parameter "headers")"},
        {R"(keyId="a",algorithm="hs2019",algorithm="hs2019",signature="AAAA")", Kind::duplicate_parameter,
         R"(duplicate parameter "algorithm")"},
        {R"(keyId="a",created=1,created=1,signature="AAAA")", Kind::duplicate_parameter,
         R"(duplicate parameter "created")"},
        {R"(keyId="a",expires=1,expires="1",signature="AAAA")", Kind::duplicate_parameter,
         R"(duplicate parameter "expires")"},
        {R"(keyId="k",algorithm="hmac-sha256",signature="AAAA")", Kind::unsupported_algorithm,
         R"(unsupported algorithm "hmac-sha256")"},
        {R"(keyId="k",algorithm="rsa-sha1",signature="AAAA")", Kind::unsupported_algorithm,
         R"(unsupported algorithm "rsa-sha1")"},
        {R"(keyId="k",algorithm="rsa-sha512",signature="AAAA")", Kind::unsupported_algorithm, ""},
        {R"(keyId="k",algorithm="ecdsa-sha256",signature="AAAA")", Kind::unsupported_algorithm, ""},
        {R"(keyId="k",algorithm="ed25519",signature="AAAA")", Kind::unsupported_algorithm, ""},
        {R"(keyId="k",algorithm="RSA-SHA256",signature="AAAA")", Kind::unsupported_algorithm, ""},
        {R"(keyId="k",algorithm="",signature="AAAA")", Kind::unsupported_algorithm, R"(unsupported algorithm "")"},
        {R"(keyId="k",algorithm="garbage",signature="AAAA")", Kind::unsupported_algorithm, ""},
    };
    for (const auto& c : cases) {
        const auto result = parse_signature_header(c.header);
        const auto* e = std::get_if<SignatureError>(&result);
        ASSERT_TRUE(e) << "accepted: " << c.header;
        EXPECT_EQ(e->kind, c.expected) << c.header << ": " << e->detail;
        if (!c.detail.empty()) {
            EXPECT_EQ(e->detail, c.detail) << c.header;
        }
    }
}

TEST(CavageParser, EchoesAtMostAHundredCharactersOfAValue) {
    const std::string header = R"(keyId="k",algorithm=")" + std::string(5000, 'x') + R"(",signature="AAAA")";
    EXPECT_EQ(error_of(parse_signature_header(header)).detail,
              "unsupported algorithm \"" + std::string(100, 'x') + "...\"");
}

// --- Signing string ---

TEST(CavageSigningString, FollowsTheHeadersOrderWithoutTrailingNewline) {
    TestRequest request = inbox_post();
    request.message.target = "/users/blog/inbox?page=2";
    request.message.headers.emplace_back("date", "Thu, 20 Nov 2025 10:00:01 GMT");
    CavageSignature signature =
        parsed(R"(keyId="k",headers="content-type (request-target) date host",signature="AAAA")");
    EXPECT_EQ(signing_text(signature, request.message),
              "content-type: application/activity+json\n(request-target): post /users/blog/inbox?page=2\n"
              "date: Thu, 20 Nov 2025 10:00:01 GMT\nhost: example.org");
}

TEST(CavageSigningString, JoinsRepeatedHeadersAndTrimsValues) {
    TestRequest request = inbox_post();
    request.message.headers.emplace_back("cache-control", " max-age=60 ");
    request.message.headers.emplace_back("x-empty", "");
    request.message.headers.emplace_back("cache-control", "must-revalidate");
    EXPECT_EQ(signing_text(parsed(R"(keyId="k",headers="cache-control x-empty",signature="AAAA")"), request.message),
              "cache-control: max-age=60, must-revalidate\nx-empty: ");
}

TEST(CavageSigningString, HostFallsBackToTheAuthority) {
    TestRequest request = inbox_post();
    request.remove("host");
    request.message.authority = "blog.example:8443";
    EXPECT_EQ(signing_text(parsed(R"(keyId="k",headers="host",signature="AAAA")"), request.message),
              "host: blog.example:8443");
    request.message.authority.clear();
    EXPECT_EQ(error_of(signing_string(parsed(R"(keyId="k",headers="host",signature="AAAA")"), request.message)).detail,
              R"(missing header "host")");
}

TEST(CavageSigningString, NamesAMissingHeader) {
    TestRequest request = inbox_post();
    const SignatureError e =
        error_of(signing_string(parsed(R"(keyId="k",headers="host digest",signature="AAAA")"), request.message));
    EXPECT_EQ(e.kind, Kind::missing_header);
    EXPECT_EQ(e.detail, R"(missing header "digest")");
}

TEST(CavageSigningString, PseudoHeadersForTheTimestamps) {
    const TestRequest request = inbox_post();
    EXPECT_EQ(
        signing_text(
            parsed(
                R"~(keyId="k",created=1402170695,expires=1402170699,headers="(created) (expires)",signature="AAAA")~"),
            request.message),
        "(created): 1402170695\n(expires): 1402170699");
    const SignatureError missing =
        error_of(signing_string(parsed(R"~(keyId="k",headers="(created)",signature="AAAA")~"), request.message));
    EXPECT_EQ(missing.kind, Kind::malformed);
    EXPECT_EQ(missing.detail, R"~("(created)" is covered but the created parameter is missing)~");
    const SignatureError rsa = error_of(
        signing_string(parsed(R"~(keyId="k",algorithm="rsa-sha256",expires=1,headers="(expires)",signature="AAAA")~"),
                       request.message));
    EXPECT_EQ(rsa.detail, R"~("(expires)" cannot be covered with algorithm rsa-sha256)~");
}

TEST(CavageSigningString, RefusesLineBreaksThatWouldForgeLines) {
    TestRequest request = inbox_post();
    request.message.headers.emplace_back("x-evil", "a\ndate: Thu, 20 Nov 2025 10:00:01 GMT");
    EXPECT_EQ(
        error_of(signing_string(parsed(R"(keyId="k",headers="x-evil",signature="AAAA")"), request.message)).detail,
        R"("x-evil" contains a line break)");
    request.message.target = "/inbox\r\nhost: evil";
    EXPECT_EQ(
        error_of(signing_string(parsed(R"~(keyId="k",headers="(request-target)",signature="AAAA")~"), request.message))
            .kind,
        Kind::malformed);
}

// --- Signing and verifying ---

TEST(CavageSign, MastodonShapedHeaders) {
    TestRequest request = inbox_post();
    const std::int64_t now = 1763632801;
    sign_request(request.message, rsa_key(), "https://example.org/users/blog#main-key",
                 default_covered(request.message), now);
    EXPECT_EQ(*request.message.joined("date"), "Thu, 20 Nov 2025 10:00:01 GMT");
    EXPECT_EQ(*request.message.joined("digest"), digest_header(*request.body));
    const std::string header = *request.message.joined("signature");
    const std::string prefix = R"(keyId="https://example.org/users/blog#main-key",algorithm="rsa-sha256",)"
                               R"(headers="(request-target) host date digest content-type",signature=")";
    ASSERT_EQ(header.substr(0, prefix.size()), prefix);
    ASSERT_EQ(header.back(), '"');
    const auto signature =
        base64_decode(std::string_view(header).substr(prefix.size(), header.size() - prefix.size() - 1));
    ASSERT_TRUE(signature);
    EXPECT_EQ(signature->size(), 256u);  // RSA-2048
    EXPECT_FALSE(verify_message(request.message, rsa_key().get()));
}

TEST(CavageSign, DefaultCoveredIsMastodons) {
    TestRequest post = inbox_post();
    EXPECT_EQ(default_covered(post.message),
              (std::vector<std::string>{"(request-target)", "host", "date", "digest", "content-type"}));
    TestRequest get = inbox_post("");
    get.message.method = "GET";
    get.remove("content-type");
    EXPECT_EQ(default_covered(get.message), (std::vector<std::string>{"(request-target)", "host", "date"}));
    get.set_body("x");
    EXPECT_EQ(default_covered(get.message), (std::vector<std::string>{"(request-target)", "host", "date", "digest"}));
}

TEST(CavageSign, GetWithoutBodyHasNoDigest) {
    TestRequest get = inbox_post("");
    get.message.method = "GET";
    get.message.target = "/users/alice";
    sign_request(get.message, rsa_key(), "https://example.org/users/blog#main-key",
                 {"(request-target)", "host", "date"}, 1763632801);
    EXPECT_FALSE(get.message.joined("digest"));
    EXPECT_FALSE(verify_message(get.message, rsa_key().get()));
}

TEST(CavageSign, TamperingBreaksTheSignature) {
    struct Case {
        const char* name;
        void (*tamper)(TestRequest&);
    } cases[] = {
        {"target", [](TestRequest& r) { r.message.target = "/users/other/inbox"; }},
        {"method", [](TestRequest& r) { r.message.method = "PUT"; }},
        {"host", [](TestRequest& r) { r.message.set("host", "evil.example"); }},
        {"date", [](TestRequest& r) { r.message.set("date", "Thu, 20 Nov 2025 10:00:02 GMT"); }},
        {"content-type", [](TestRequest& r) { r.message.set("content-type", "text/plain"); }},
        {"digest of another body", [](TestRequest& r) { r.message.set("digest", digest_header("{}")); }},
        {"a repeated covered header",
         [](TestRequest& r) { r.message.headers.emplace_back("content-type", "text/plain"); }},
    };
    for (const auto& c : cases) {
        TestRequest request = inbox_post();
        sign_request(request.message, rsa_key(), "https://example.org/users/blog#main-key",
                     default_covered(request.message), 1763632801);
        c.tamper(request);
        auto e = verify_message(request.message, rsa_key().get());
        ASSERT_TRUE(e) << c.name;
        EXPECT_EQ(e->kind, Kind::bad_signature) << c.name;
    }
}

// The body is covered through the Digest header only: the policy compares the two (signature_policy_test).
TEST(CavageSign, BodyIsCoveredThroughTheDigestHeader) {
    TestRequest request = inbox_post();
    sign_request(request.message, rsa_key(), "k", default_covered(request.message), 1763632801);
    request.set_body("{}");
    EXPECT_FALSE(verify_message(request.message, rsa_key().get()));
    EXPECT_NE(check_digest_header(*request.message.joined("digest"), *request.body), DigestCheck::ok);
}

TEST(CavageSign, Ed25519SignsAsHs2019) {
    const KeyPair ed25519 = generate_key("ED25519");
    TestRequest request = inbox_post();
    sign_request(request.message, ed25519, "https://example.org/users/blog#ed25519-key",
                 default_covered(request.message), 1763632801);
    const CavageSignature signature = parsed(*request.message.joined("signature"));
    EXPECT_EQ(signature.algorithm, "hs2019");
    EXPECT_EQ(signature.signature.size(), 64u);
    EXPECT_FALSE(verify_message(request.message, ed25519.get()));
    auto with_rsa = verify_message(request.message, rsa_key().get());  // hs2019 + an RSA key: RSA, which fails
    ASSERT_TRUE(with_rsa);
    EXPECT_EQ(with_rsa->kind, Kind::bad_signature);
}

TEST(CavageSign, CreatedSwitchesToHs2019) {
    TestRequest request = inbox_post();
    sign_request(request.message, rsa_key(), "k", {"(request-target)", "host", "(created)", "digest"}, 1763632801);
    const std::string header = *request.message.joined("signature");
    EXPECT_TRUE(header.starts_with(R"(keyId="k",algorithm="hs2019",created=1763632801,headers="(request-target) host)"))
        << header;
    EXPECT_FALSE(verify_message(request.message, rsa_key().get()));
}

TEST(CavageVerify, AlgorithmMustFitTheKey) {
    TestRequest request = inbox_post();
    sign_request(request.message, rsa_key(), "k", default_covered(request.message), 1763632801);
    const KeyPair ed25519 = generate_key("ED25519");
    auto rsa_with_ed25519 = verify_message(request.message, ed25519.get());
    ASSERT_TRUE(rsa_with_ed25519);
    EXPECT_EQ(rsa_with_ed25519->kind, Kind::key_type_mismatch);
    EXPECT_EQ(rsa_with_ed25519->detail, "algorithm rsa-sha256 with ED25519 key");

    const KeyPair p256 = generate_key("EC", "P-256");
    CavageSignature hs2019 = parsed(*request.message.joined("signature"));
    hs2019.algorithm.reset();
    auto with_ec = verify_signature_bytes(hs2019, "anything", p256.get());
    ASSERT_TRUE(with_ec);
    EXPECT_EQ(with_ec->kind, Kind::key_type_mismatch);
    EXPECT_EQ(with_ec->detail, "hs2019 with EC key is not supported");
}

TEST(CavageVerify, GarbageSignatureBytesAreABadSignatureNotAnError) {
    CavageSignature signature = parsed(R"(keyId="k",algorithm="rsa-sha256",signature="AAAA")");
    auto e = verify_signature_bytes(signature, "date: x", rsa_key().get());
    ASSERT_TRUE(e);
    EXPECT_EQ(e->kind, Kind::bad_signature);
    EXPECT_EQ(e->detail, R"(signature does not verify with the key "k" (rsa-sha256, RSA key))");
    EXPECT_EQ(ERR_peek_error(), 0u);  // no OpenSSL error left queued for the next caller
}

TEST(CavageSign, RefusesWhatCannotBeSigned) {
    const std::string id = "https://example.org/users/blog#main-key";
    auto attempt = [&](std::string key_id, std::vector<std::string> covered, const KeyPair& key = rsa_key()) {
        TestRequest request = inbox_post();
        sign_request(request.message, key, key_id, std::move(covered), 1763632801);
    };
    EXPECT_THROW(attempt(id, {"(request-target)", "host", "date", "accept"}), std::invalid_argument);
    EXPECT_THROW(attempt(id, {}), std::invalid_argument);
    EXPECT_THROW(attempt(id, {""}), std::invalid_argument);
    EXPECT_THROW(attempt(id, {"(expires)"}), std::invalid_argument);
    EXPECT_THROW(attempt(id, {"(opaque)"}), std::invalid_argument);
    EXPECT_THROW(attempt(id, {"two words"}), std::invalid_argument);
    EXPECT_THROW(attempt("", {"date"}), std::invalid_argument);
    EXPECT_THROW(attempt("https://example.org/\"quoted\"", {"date"}), std::invalid_argument);
    EXPECT_THROW(attempt(id, {"date"}, generate_key("EC", "P-256")), std::invalid_argument);
}
