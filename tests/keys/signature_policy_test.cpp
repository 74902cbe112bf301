#include "keys/signature_policy.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <set>

#include "common/time.hpp"
#include "keys/digest.hpp"
#include "tests/keys/signature_vectors.hpp"

using namespace fedblog::keys;
using namespace fedblog::testing;
using Reason = VerificationFailure::Reason;

namespace {

constexpr std::int64_t signed_at = 1763632801;  // Thu, 20 Nov 2025 10:00:01 GMT
const std::string key_id = "https://m.example/users/alice#main-key";

const KeyPair& sender_key() {
    static const KeyPair key = KeyPair::generate_rsa();
    return key;
}

struct Outcome {
    std::optional<Reason> reason;  // empty: verified
    std::string detail;
};

Outcome check(const HttpMessage& request, std::int64_t now, EVP_PKEY* key) {
    auto claim = read_signature(request, now);
    if (auto* failure = std::get_if<VerificationFailure>(&claim)) return {failure->reason, failure->detail};
    const VerificationResult result = verify_signature(std::get<SignatureClaim>(claim), key);
    if (!result.verified()) return {result.failure->reason, result.failure->detail};
    return {};
}

TestRequest post(std::vector<std::string> covered = {}) {
    TestRequest request = inbox_post();
    if (covered.empty()) covered = default_covered(request.message);
    sign_request(request.message, sender_key(), key_id, covered, signed_at);
    return request;
}

TestRequest get(std::vector<std::string> covered, std::string body = "") {
    TestRequest request = inbox_post(std::move(body));
    request.message.method = "GET";
    request.message.target = "/users/blog?page=true";
    request.remove("content-type");
    request.message.headers.emplace_back("accept", "application/activity+json");
    sign_request(request.message, sender_key(), key_id, std::move(covered), signed_at);
    return request;
}

void replace_in_signature(TestRequest& request, std::string_view from, std::string_view to) {
    std::string header = *request.message.joined("signature");
    const auto at = header.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    header.replace(at, from.size(), to);
    request.message.set("signature", header);
}

}  // namespace

TEST(SignaturePolicy, Table) {
    const std::vector<std::string> mastodon_44 = {"host", "date", "digest", "content-type", "(request-target)"};
    const std::vector<std::string> with_created = {"(request-target)", "host", "(created)", "digest"};
    const KeyPair other_rsa = KeyPair::generate_rsa();
    const KeyPair ed25519 = generate_key("ED25519");
    using Tamper = std::function<void(TestRequest&)>;
    struct Case {
        const char* name;
        std::function<TestRequest()> make;
        Tamper tamper;
        std::int64_t clock_offset;  // now = signed_at + clock_offset
        std::optional<Reason> expected;
        std::string detail;       // exact when not empty
        EVP_PKEY* key = nullptr;  // the sender's key when null
    };
    const Case cases[] = {
        // Accepted shapes.
        {"Mastodon <=4.3 POST", [] { return post(); }, {}, 0, {}, ""},
        {"Mastodon 4.4-4.6 order", [&] { return post(mastodon_44); }, {}, 0, {}, ""},
        {"(created) instead of date", [&] { return post(with_created); }, {}, 0, {}, ""},
        {"GET",
         [] {
             return get({"(request-target)", "host", "date"});
         },
         {},
         0,
         {},
         ""},
        {"GET as Mastodon 4.5",
         [] {
             return get({"host", "date", "accept", "(request-target)"});
         },
         {},
         0,
         {},
         ""},
        // Coverage.
        {"POST without (request-target)",
         [] {
             return post({"host", "date", "digest"});
         },
         {},
         0,
         Reason::missing_covered_component,
         R"~(signature does not cover "(request-target)")~"},
        {"POST without host",
         [] {
             return post({"(request-target)", "date", "digest"});
         },
         {},
         0,
         Reason::missing_covered_component,
         R"(signature does not cover "host")"},
        {"POST without date",
         [] {
             return post({"(request-target)", "host", "digest"});
         },
         {},
         0,
         Reason::missing_covered_component,
         R"~(signature does not cover "date" or "(created)")~"},
        {"POST without digest",
         [] {
             return post({"(request-target)", "host", "date", "content-type"});
         },
         {},
         0,
         Reason::missing_covered_component,
         R"(signature does not cover "digest")"},
        {"GET without date",
         [] {
             return get({"(request-target)", "host"});
         },
         {},
         0,
         Reason::missing_covered_component,
         R"~(signature does not cover "date" or "(created)")~"},
        {"GET with a body, without digest",
         [] {
             return get({"(request-target)", "host", "date"}, "{}");
         },
         {},
         0,
         Reason::missing_covered_component,
         R"(signature does not cover "digest")"},
        // The Signature header itself.
        {"no Signature", [] { return post(); }, [](TestRequest& r) { r.remove("signature"); }, 0,
         Reason::missing_signature, "the request has no Signature header"},
        {"two Signature headers", [] { return post(); },
         [](TestRequest& r) { r.message.headers.emplace_back("signature", *r.message.joined("signature")); }, 0,
         Reason::malformed_header, "the request has several Signature headers"},
        // Signature-Input makes it RFC 9421, whose Signature field this draft-cavage value is not.
        {"RFC 9421 input with a draft-cavage Signature", [] { return post(); },
         [](TestRequest& r) { r.message.headers.emplace_back("signature-input", R"(sig1=("@method");keyid="k")"); }, 0,
         Reason::malformed_header, ""},
        {"garbage", [] { return post(); }, [](TestRequest& r) { r.message.set("signature", "garbage"); }, 0,
         Reason::malformed_header, R"(expected "=" after "garbage")"},
        {"duplicate keyId", [] { return post(); },
         [](TestRequest& r) { replace_in_signature(r, "keyId=", R"(keyId="x",keyId=)"); }, 0,
         Reason::duplicate_parameter, R"(duplicate parameter "keyId")"},
        {"hmac-sha256", [] { return post(); },
         [](TestRequest& r) { replace_in_signature(r, "rsa-sha256", "hmac-sha256"); }, 0, Reason::unsupported_algorithm,
         R"(unsupported algorithm "hmac-sha256")"},
        {"(created) under rsa-sha256", [&] { return post(with_created); },
         [](TestRequest& r) { replace_in_signature(r, "hs2019", "rsa-sha256"); }, 0, Reason::malformed_header,
         R"~("(created)" cannot be covered with algorithm rsa-sha256)~"},
        // Date and the clock window.
        {"Date removed", [] { return post(); }, [](TestRequest& r) { r.remove("date"); }, 0, Reason::date_missing,
         "Date is covered but the request has no Date header"},
        {"Date in RFC 850 form", [] { return post(); },
         [](TestRequest& r) { r.message.set("date", "Thursday, 20-Nov-25 10:00:01 GMT"); }, 0, Reason::date_malformed,
         R"(Date is not an IMF-fixdate: "Thursday, 20-Nov-25 10:00:01 GMT")"},
        {"Date in asctime form", [] { return post(); },
         [](TestRequest& r) { r.message.set("date", "Thu Nov 20 10:00:01 2025"); }, 0, Reason::date_malformed, ""},
        {"Date with a numeric zone", [] { return post(); },
         [](TestRequest& r) { r.message.set("date", "Thu, 20 Nov 2025 10:00:01 +0000"); }, 0, Reason::date_malformed,
         ""},
        {"two Date headers", [] { return post(); },
         [](TestRequest& r) { r.message.headers.emplace_back("date", "Thu, 20 Nov 2025 10:00:01 GMT"); }, 0,
         Reason::date_malformed, ""},
        {"Date at the age limit", [] { return post(); }, {}, 3900, {}, ""},
        {"Date a second too old",
         [] { return post(); },
         {},
         3901,
         Reason::date_too_old,
         "Date is 1h05m01s in the past (limit 1h05m)"},
        {"Date hours old",
         [] { return post(); },
         {},
         11520,
         Reason::date_too_old,
         "Date is 3h12m in the past (limit 1h05m)"},
        {"Date at the future limit", [] { return post(); }, {}, -3600, {}, ""},
        {"Date a second too far ahead",
         [] { return post(); },
         {},
         -3601,
         Reason::date_in_future,
         "Date is 1h00m01s in the future (limit 1h00m)"},
        {"(created) too old",
         [&] { return post(with_created); },
         {},
         4000,
         Reason::date_too_old,
         "(created) is 1h06m40s in the past (limit 1h05m)"},
        {"(created) ahead",
         [&] { return post(with_created); },
         {},
         -7200,
         Reason::date_in_future,
         "(created) is 2h00m in the future (limit 1h00m)"},
        {"expires within the skew",
         [] { return post(); },
         [](TestRequest& r) {
             replace_in_signature(r, ",headers=", ",expires=" + std::to_string(signed_at - 10) + ",headers=");
         },
         3590,
         {},
         ""},
        {"expired", [] { return post(); },
         [](TestRequest& r) {
             replace_in_signature(r, ",headers=", ",expires=" + std::to_string(signed_at - 10) + ",headers=");
         },
         3591, Reason::signature_expired, "signature expired 1h00m01s ago (limit 1h00m)"},
        // Digest, before the key is needed.
        {"Digest removed", [] { return post(); }, [](TestRequest& r) { r.remove("digest"); }, 0, Reason::digest_missing,
         "Digest is covered but the request has no Digest header"},
        {"Digest empty", [] { return post(); }, [](TestRequest& r) { r.message.set("digest", ""); }, 0,
         Reason::digest_missing, "Digest is covered but empty"},
        {"Digest without SHA-256", [] { return post(); },
         [](TestRequest& r) { r.message.set("digest", "SHA-512=z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg"); }, 0,
         Reason::digest_unsupported, R"(Digest has no SHA-256 entry: "SHA-512=z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg")"},
        {"Digest malformed", [] { return post(); }, [](TestRequest& r) { r.message.set("digest", "SHA-256=nope"); }, 0,
         Reason::digest_malformed, R"(Digest is malformed: "SHA-256=nope")"},
        {"body changed", [] { return post(); }, [](TestRequest& r) { r.set_body("{}"); }, 0, Reason::digest_mismatch,
         "Digest mismatch: the 2-byte body has SHA-256=RBNvo1WzZ4oRRq0W9+hknpT7T8If536DEMBg9hyq/4o="},
        // The signature.
        {"body and Digest changed", [] { return post(); },
         [](TestRequest& r) {
             r.set_body("{}");
             r.message.set("digest", digest_header("{}"));
         },
         0, Reason::bad_signature, ""},
        {"covered header removed", [] { return post(); }, [](TestRequest& r) { r.remove("content-type"); }, 0,
         Reason::missing_header, R"(missing header "content-type")"},
        {"covered header changed", [] { return post(); },
         [](TestRequest& r) { r.message.set("content-type", "text/plain"); }, 0, Reason::bad_signature, ""},
        {"target changed", [] { return post(); }, [](TestRequest& r) { r.message.target = "/inbox"; }, 0,
         Reason::bad_signature, ""},
        {"host changed", [] { return post(); }, [](TestRequest& r) { r.message.set("host", "evil.example"); }, 0,
         Reason::bad_signature, ""},
        {"signature replaced", [] { return post(); },
         [](TestRequest& r) {
             std::string header = *r.message.joined("signature");
             header =
                 header.substr(0, header.find("signature=\"")) + "signature=\"" + base64_encode(sha256("x")) + "\"";
             r.message.set("signature", header);
         },
         0, Reason::bad_signature,
         R"(signature does not verify with the key "https://m.example/users/alice#main-key" (rsa-sha256, RSA key))"},
        {"another RSA key", [] { return post(); }, {}, 0, Reason::bad_signature, "", other_rsa.get()},
        {"an Ed25519 key",
         [] { return post(); },
         {},
         0,
         Reason::key_type_mismatch,
         "algorithm rsa-sha256 with ED25519 key",
         ed25519.get()},
    };
    for (const Case& c : cases) {
        TestRequest request = c.make();
        if (c.tamper) c.tamper(request);
        const Outcome outcome = check(request.message, signed_at + c.clock_offset, c.key ? c.key : sender_key().get());
        EXPECT_EQ(outcome.reason, c.expected) << c.name << ": " << outcome.detail;
        if (!c.detail.empty()) {
            EXPECT_EQ(outcome.detail, c.detail) << c.name;
        }
    }
}

TEST(SignaturePolicy, ClaimNamesTheKeyAndWhatIsCovered) {
    const TestRequest request = post();
    auto claim = read_signature(request.message, signed_at);
    ASSERT_TRUE(std::holds_alternative<SignatureClaim>(claim)) << std::get<VerificationFailure>(claim).detail;
    const SignatureClaim& c = std::get<SignatureClaim>(claim);
    EXPECT_EQ(c.scheme, SignatureScheme::cavage);
    EXPECT_EQ(c.key_id, key_id);
    EXPECT_EQ(c.covered, (std::vector<std::string>{"(request-target)", "host", "date", "digest", "content-type"}));
    EXPECT_EQ(c.signing_string,
              "(request-target): post /users/blog/inbox\nhost: example.org\ndate: Thu, 20 Nov 2025 10:00:01 GMT\n"
              "digest: " +
                  digest_header(*request.body) + "\ncontent-type: application/activity+json");
    // The same claim can be verified again with a refetched key.
    EXPECT_FALSE(verify_signature(c, KeyPair::generate_rsa().get()).verified());
    EXPECT_TRUE(verify_signature(c, sender_key().get()).verified());
}

TEST(SignaturePolicy, AcceptsTheMastodonVectors) {
    const auto vectors = read_vector_json("mastodon.json");
    const auto key = public_key_from_pem(read_vector_file(vectors.at("public_key")));
    for (const auto& json : vectors.at("requests")) {
        const TestRequest request = request_from_json(json);
        const auto sent = parse_imf_fixdate(*request.message.joined("date"));
        ASSERT_TRUE(sent);
        const Outcome outcome = check(request.message, *sent + 30, key.get());
        EXPECT_FALSE(outcome.reason) << json.at("name") << ": " << outcome.detail;
    }
}

// The appendix's strongest example passes the policy; its "basic" one lacks the Digest a POST needs.
TEST(SignaturePolicy, AppendixExamples) {
    const auto vectors = read_vector_json("appendix-c.json");
    const auto key = public_key_from_pem(read_vector_file(vectors.at("public_key")));
    const std::int64_t now = vectors.at("now");
    const std::pair<int, std::optional<Reason>> expectations[] = {{0, Reason::missing_covered_component},
                                                                  {1, Reason::missing_covered_component},
                                                                  {2, {}},
                                                                  {3, Reason::malformed_header}};
    for (const auto& [index, expected] : expectations) {
        TestRequest request = request_from_json(vectors.at("request"));
        request.message.headers.emplace_back("signature",
                                             vectors.at("cases").at(index).at("signature").get<std::string>());
        const Outcome outcome = check(request.message, now, key.get());
        EXPECT_EQ(outcome.reason, expected) << vectors.at("cases").at(index).at("name") << ": " << outcome.detail;
    }
}

TEST(SignaturePolicy, WindowConstantsAreMastodons) {
    EXPECT_EQ(max_clock_skew_future, std::chrono::hours(1));
    EXPECT_EQ(max_signature_age, std::chrono::hours(1) + std::chrono::minutes(5));
}

TEST(SignaturePolicy, EveryReasonHasItsOwnName) {
    const std::pair<Reason, std::string_view> names[] = {
        {Reason::missing_signature, "missing_signature"},
        {Reason::malformed_header, "malformed_header"},
        {Reason::duplicate_parameter, "duplicate_parameter"},
        {Reason::unsupported_algorithm, "unsupported_algorithm"},
        {Reason::missing_covered_component, "missing_covered_component"},
        {Reason::missing_header, "missing_header"},
        {Reason::date_missing, "date_missing"},
        {Reason::date_malformed, "date_malformed"},
        {Reason::date_too_old, "date_too_old"},
        {Reason::date_in_future, "date_in_future"},
        {Reason::signature_expired, "signature_expired"},
        {Reason::digest_missing, "digest_missing"},
        {Reason::digest_malformed, "digest_malformed"},
        {Reason::digest_mismatch, "digest_mismatch"},
        {Reason::digest_unsupported, "digest_unsupported"},
        {Reason::key_type_mismatch, "key_type_mismatch"},
        {Reason::bad_signature, "bad_signature"},
    };
    std::set<std::string_view> seen;
    for (const auto& [reason, name] : names) {
        EXPECT_EQ(to_string(reason), name);
        EXPECT_TRUE(seen.insert(to_string(reason)).second);
    }
    EXPECT_EQ(static_cast<int>(Reason::bad_signature) + 1, static_cast<int>(std::size(names)));  // none left out
}

TEST(SignaturePolicy, DetailsArePrintableAscii) {
    TestRequest request = post();
    request.message.set("date", "Thu, 20 Nov 2025 10:00:01 GMT\x01\xc3\xa9");
    const Outcome outcome = check(request.message, signed_at, sender_key().get());
    EXPECT_EQ(outcome.detail, R"(Date is not an IMF-fixdate: "Thu, 20 Nov 2025 10:00:01 GMT???")");
}

TEST(ImfFixdate, ParsesWhatFormatHttpDateWrites) {
    EXPECT_EQ(parse_imf_fixdate("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
    EXPECT_EQ(parse_imf_fixdate("Sun, 05 Jan 2014 21:31:40 GMT"), 1388957500);
    for (std::int64_t t :
         {std::int64_t{0}, std::int64_t{951782400} /* 2000-02-29 */, signed_at, std::int64_t{4102444799}})
        EXPECT_EQ(parse_imf_fixdate(fedblog::format_http_date(t)), t) << fedblog::format_http_date(t);
}

TEST(ImfFixdate, RejectsEverythingElse) {
    const std::string_view rejected[] = {
        "",
        "Sun, 06 Nov 1994 08:49:37 gmt",
        "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sun, 06 Nov 1994 08:49:37 GMT ",
        " Sun, 06 Nov 1994 08:49:37 GMT",
        "Sun,  6 Nov 1994 08:49:37 GMT",
        "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 1994",
        "Sun, 06 Nov 94 08:49:37 GMT",
        "Xyz, 06 Nov 1994 08:49:37 GMT",
        "Sun, 06 nov 1994 08:49:37 GMT",
        "Sun, 06 Foo 1994 08:49:37 GMT",
        "Sun, 32 Jan 1994 08:49:37 GMT",
        "Sun, 00 Jan 1994 08:49:37 GMT",
        "Wed, 29 Feb 2023 08:49:37 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 06 Nov 1994 08:60:00 GMT",
        "Sun, 06 Nov 1994 08:49:61 GMT",
        "Sun, 06 Nov 1994 08-49-37 GMT",
        "Sun, 06 Nov 1994 08:49:3a GMT",
        "Sun, 06 Nov +994 08:49:37 GMT",
    };
    for (std::string_view text : rejected) EXPECT_FALSE(parse_imf_fixdate(text)) << text;
}

namespace {

TestRequest rfc9421_post(std::vector<std::string> components = {}, std::int64_t created = signed_at,
                         bool include_alg = true) {
    TestRequest request = inbox_post();
    rfc9421::SignOptions options{key_id, created, std::move(components), "sig1", include_alg};
    EXPECT_FALSE(rfc9421::sign_request(request.message, sender_key(), options));
    return request;
}

}  // namespace

TEST(SignaturePolicyRfc9421, AcceptsWhatMastodonSends) {
    TestRequest request = rfc9421_post();
    auto claim = read_signature(request.message, signed_at + 5);
    ASSERT_TRUE(std::holds_alternative<SignatureClaim>(claim)) << std::get<VerificationFailure>(claim).detail;
    const auto& c = std::get<SignatureClaim>(claim);
    EXPECT_EQ(c.scheme, SignatureScheme::rfc9421);
    EXPECT_EQ(c.key_id, key_id);
    EXPECT_EQ(c.covered, (std::vector<std::string>{"@method", "@target-uri", "content-digest"}));
    EXPECT_TRUE(verify_signature(c, sender_key().get()).verified());
    EXPECT_FALSE(verify_signature(c, KeyPair::generate_rsa().get()).verified());
    // Without alg the key type decides, as for Mastodon's own signatures.
    EXPECT_FALSE(check(rfc9421_post({}, signed_at, false).message, signed_at, sender_key().get()).reason);
}

TEST(SignaturePolicyRfc9421, RefusesWhatThePolicyForbids) {
    EXPECT_EQ(check(rfc9421_post({"@method", "@target-uri"}).message, signed_at, sender_key().get()).reason,
              Reason::missing_covered_component);  // a POST must cover content-digest
    EXPECT_EQ(check(rfc9421_post({"@method", "content-digest"}).message, signed_at, sender_key().get()).reason,
              Reason::missing_covered_component);
    EXPECT_EQ(check(rfc9421_post().message, signed_at + 3901, sender_key().get()).reason, Reason::date_too_old);
    EXPECT_EQ(check(rfc9421_post().message, signed_at - 3601, sender_key().get()).reason, Reason::date_in_future);

    TestRequest tampered = rfc9421_post();
    tampered.set_body(R"({"@context":"https://www.w3.org/ns/activitystreams","type":"Undo"})");
    EXPECT_EQ(check(tampered.message, signed_at, sender_key().get()).reason, Reason::digest_mismatch);

    TestRequest retargeted = rfc9421_post();
    retargeted.message.target = "/inbox";
    EXPECT_EQ(check(retargeted.message, signed_at, sender_key().get()).reason, Reason::bad_signature);

    TestRequest hmac = rfc9421_post();
    for (auto& [name, value] : hmac.message.headers)
        if (name == "signature-input") value.replace(value.find("rsa-v1_5-sha256"), 15, "hmac-sha256");
    EXPECT_EQ(check(hmac.message, signed_at, sender_key().get()).reason, Reason::unsupported_algorithm);
}
