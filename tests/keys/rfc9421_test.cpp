#include "keys/rfc9421.hpp"

#include <gtest/gtest.h>
#include <openssl/decoder.h>
#include <openssl/pem.h>

#include <fstream>
#include <functional>
#include <memory>
#include <sstream>

#include "keys/content_digest.hpp"
#include "keys/structured_fields.hpp"

using namespace fedblog::keys;
using namespace fedblog::keys::rfc9421;

namespace {

// --- RFC 9421 vectors under tests/vectors/rfc9421 (see its README) ---

std::string read_vector(const std::string& name) {
    std::ifstream in(std::string(FEDBLOG_SOURCE_DIR) + "/tests/vectors/rfc9421/" + name, std::ios::binary);
    if (!in) throw std::runtime_error("missing vector file " + name);
    std::stringstream text;
    text << in.rdbuf();
    std::string content = text.str();
    if (content.ends_with('\n')) content.pop_back();  // every vector file ends with one newline of its own
    return content;
}

// An HttpMessage whose body outlives moves (HttpMessage only views it).
struct Request {
    std::unique_ptr<std::string> body = std::make_unique<std::string>();
    HttpMessage message;
};

void add_header_lines(Request& request, std::string_view lines) {
    while (!lines.empty()) {
        const std::size_t end = lines.find('\n');
        const std::string_view line = lines.substr(0, end);
        lines = end == std::string_view::npos ? std::string_view() : lines.substr(end + 1);
        const std::size_t colon = line.find(':');
        std::string name(line.substr(0, colon));
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::string_view value = line.substr(colon + 1);
        while (value.starts_with(' ')) value.remove_prefix(1);
        request.message.headers.emplace_back(std::move(name), std::string(value));
    }
}

// "METHOD target HTTP/1.1", header lines, then an optional blank line and body; Host gives the authority.
Request http_vector(const std::string& name) {
    const std::string text = read_vector(name);
    Request request;
    const std::size_t blank = text.find("\n\n");
    const std::string head = text.substr(0, blank);
    if (blank != std::string::npos) *request.body = text.substr(blank + 2);
    request.message.body = *request.body;
    const std::size_t first_line_end = head.find('\n');
    std::istringstream request_line(head.substr(0, first_line_end));
    request_line >> request.message.method >> request.message.target;
    request.message.scheme = "https";
    add_header_lines(request, std::string_view(head).substr(first_line_end + 1));
    if (auto host = request.message.joined("host")) request.message.authority = *host;
    return request;
}

// test-request with the Signature-Input and Signature lines of one B.2 example.
Request b2_request(const std::string& example) {
    Request request = http_vector("request.http");
    add_header_lines(request, read_vector(example + ".fields"));
    return request;
}

EvpPkeyPtr public_key(const std::string& name) {
    // OSSL_DECODER reads both SubjectPublicKeyInfo and B.1.1's PKCS#1 "RSA PUBLIC KEY".
    const std::string pem = read_vector(name + ".pub.pem");
    EVP_PKEY* key = nullptr;
    std::unique_ptr<OSSL_DECODER_CTX, decltype(&OSSL_DECODER_CTX_free)> decoder(
        OSSL_DECODER_CTX_new_for_pkey(&key, "PEM", nullptr, nullptr, EVP_PKEY_PUBLIC_KEY, nullptr, nullptr),
        OSSL_DECODER_CTX_free);
    const auto* data = reinterpret_cast<const unsigned char*>(pem.data());
    std::size_t length = pem.size();
    if (!decoder || OSSL_DECODER_from_data(decoder.get(), &data, &length) != 1)
        throw std::runtime_error("cannot read " + name + ".pub.pem: " + openssl_error());
    return EvpPkeyPtr(key);
}

KeyPair private_key(const std::string& name) { return KeyPair::from_private_pem(read_vector(name + ".pem") + "\n"); }

std::string base64_decode(std::string_view text) {
    auto item = sf::parse_item(":" + std::string(text) + ":");
    return std::get<sf::ByteSequence>(std::get<sf::Item>(item).value).bytes;
}

std::string base64_encode(std::string_view bytes) {
    const std::string serialized = sf::serialize(sf::BareItem(sf::ByteSequence{std::string(bytes)}));
    return serialized.substr(1, serialized.size() - 2);
}

std::vector<SignatureEntry> entries_of(const HttpMessage& message) {
    auto parsed = parse(message);
    if (auto* error = std::get_if<Error>(&parsed)) throw std::runtime_error("parse: " + error->detail);
    return std::get<std::vector<SignatureEntry>>(std::move(parsed));
}

SignatureEntry only_entry(const HttpMessage& message) {
    auto entries = entries_of(message);
    if (entries.size() != 1) throw std::runtime_error("expected one signature");
    return entries.front();
}

std::string base_of(const SignatureEntry& entry, const HttpMessage& message) {
    auto base = signature_base(entry, message);
    if (auto* error = std::get_if<Error>(&base)) return "error: " + error->detail;
    return std::get<std::string>(base);
}

std::string describe(const std::optional<Error>& error) {
    return error ? std::string(to_string(error->reason)) + ": " + error->detail : "verified";
}

// --- Hand-made requests ---

Request request(std::string method, std::string target, std::vector<std::pair<std::string, std::string>> headers,
                std::string body = "") {
    Request r;
    *r.body = std::move(body);
    r.message = {std::move(method), "https", "blog.example", std::move(target), std::move(headers), *r.body};
    return r;
}

Request inbox_post() {
    return request("POST", "/users/blog/inbox?x=1",
                   {{"host", "blog.example"},
                    {"date", "Tue, 20 Apr 2021 02:07:55 GMT"},
                    {"content-type", "application/activity+json"}},
                   R"({"type":"Follow"})");
}

// A fresh key of an OpenSSL key type ("RSA-PSS", "ED25519", or "EC" on P-384, a curve RFC 9421 signs
// with ecdsa-p384-sha384, which is not implemented here).
KeyPair generated_key(const char* type) {
    std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr),
                                                                    EVP_PKEY_CTX_free);
    EVP_PKEY* raw = nullptr;
    if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
        (std::string_view(type) == "EC" && EVP_PKEY_CTX_set_group_name(ctx.get(), "P-384") != 1) ||
        EVP_PKEY_generate(ctx.get(), &raw) != 1)
        throw std::runtime_error("key generation: " + openssl_error());
    EvpPkeyPtr key(raw);
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
        throw std::runtime_error("key to PEM: " + openssl_error());
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio.get(), &data);
    return KeyPair::from_private_pem(std::string_view(data, static_cast<std::size_t>(length)));
}

// An entry over `components` with an empty parameter list, for checking component values.
SignatureEntry covering(std::vector<Component> components) {
    SignatureEntry entry;
    entry.label = "sig1";
    entry.components = std::move(components);
    entry.params = "()";
    return entry;
}

SignOptions options(std::vector<std::string> components = {}) {
    return {"https://blog.example/users/blog#main-key", 1'700'000'000, std::move(components)};
}

}  // namespace

// === Published vectors ========================================================================================

TEST(Rfc9421Vectors, SignatureBasesAreExactForB21ToB26) {
    for (const std::string example : {"b21", "b22", "b23", "b25", "b26"}) {
        Request signed_request = b2_request(example);
        EXPECT_EQ(base_of(only_entry(signed_request.message), signed_request.message), read_vector(example + ".base"))
            << example;
    }
}

TEST(Rfc9421Vectors, B24IsAResponseSoOnlyItsParametersAndSignatureAreChecked) {
    // @status exists only in responses; this implementation verifies requests.
    Request response = b2_request("b24");
    auto parsed = parse(response.message);
    ASSERT_TRUE(std::holds_alternative<Error>(parsed));
    EXPECT_EQ(std::get<Error>(parsed).reason, Reason::unsupported_component);
    EXPECT_EQ(std::get<Error>(parsed).detail,
              R"(Signature-Input "sig-b24" component "@status" only exists in responses)");

    // Our serialization of its Signature-Input is the base's last line, and ECDSA verifies over the base.
    const std::string base = read_vector("b24.base");
    auto input = sf::parse_dictionary(*response.message.joined("signature-input"));
    const std::string params_line = "\"@signature-params\": " + sf::serialize(std::get<sf::Dictionary>(input)[0].value);
    EXPECT_EQ(base.substr(base.rfind('\n') + 1), params_line);
    auto signature = sf::parse_dictionary(*response.message.joined("signature"));
    const std::string bytes =
        std::get<sf::ByteSequence>(std::get<sf::Item>(std::get<sf::Dictionary>(signature)[0].value).value).bytes;
    EXPECT_EQ(describe(verify_signature_base(base, bytes, public_key("test-key-ecc-p256").get(),
                                             Algorithm::ecdsa_p256_sha256)),
              "verified");
}

TEST(Rfc9421Vectors, RsaPssExamplesVerifyWhenTheAlgorithmIsKnownOutOfBand) {
    const EvpPkeyPtr key = public_key("test-key-rsa-pss");
    for (const std::string example : {"b21", "b22", "b23"}) {
        Request signed_request = b2_request(example);
        const SignatureEntry entry = only_entry(signed_request.message);
        EXPECT_EQ(describe(verify(entry, signed_request.message, key.get(), Algorithm::rsa_pss_sha512)), "verified")
            << example;
        // Without it, an rsaEncryption key means rsa-v1_5-sha256 (the fediverse's), which does not verify.
        EXPECT_EQ(verify(entry, signed_request.message, key.get())->reason, Reason::invalid_signature) << example;
    }
    Request section_3_2 = http_vector("s32-verify.http");
    EXPECT_EQ(
        describe(verify(only_entry(section_3_2.message), section_3_2.message, key.get(), Algorithm::rsa_pss_sha512)),
        "verified");
}

TEST(Rfc9421Vectors, B22CoversANamedQueryParameter) {
    Request signed_request = b2_request("b22");
    const SignatureEntry entry = only_entry(signed_request.message);
    ASSERT_EQ(entry.components.size(), 3u);
    EXPECT_EQ(entry.components[2], (Component{"@query-param", "Pet"}));
    EXPECT_EQ(entry.tag, "header-example");
}

TEST(Rfc9421Vectors, B25HmacIsExact) {
    Request signed_request = b2_request("b25");
    const SignatureEntry entry = only_entry(signed_request.message);
    EXPECT_EQ(base64_encode(entry.signature), "pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8=");
    const std::string secret = base64_decode(read_vector("test-shared-secret.b64"));
    ASSERT_EQ(secret.size(), 64u);
    // HMAC verification is a byte-for-byte comparison of the whole MAC.
    EXPECT_EQ(describe(verify_hmac_sha256(entry, signed_request.message, secret)), "verified");
    EXPECT_EQ(verify_hmac_sha256(entry, signed_request.message, secret.substr(1))->reason, Reason::invalid_signature);
}

TEST(Rfc9421Vectors, B26Ed25519SignatureIsReproducedExactly) {
    Request signed_request = b2_request("b26");
    EXPECT_EQ(describe(verify(only_entry(signed_request.message), signed_request.message,
                              public_key("test-key-ed25519").get())),
              "verified");

    Request unsigned_request = http_vector("request.http");
    SignOptions b26{"test-key-ed25519",
                    1618884473,
                    {"date", "@method", "@path", "@authority", "content-type", "content-length"},
                    "sig-b26",
                    false};
    ASSERT_EQ(describe(sign_request(unsigned_request.message, private_key("test-key-ed25519"), b26)), "verified");
    const std::string fields = read_vector("b26.fields");
    EXPECT_EQ("Signature-Input: " + *unsigned_request.message.joined("signature-input") +
                  "\nSignature: " + *unsigned_request.message.joined("signature"),
              fields);
    // The request's own sha-512 Content-Digest matches the body, so signing kept it.
    EXPECT_EQ(unsigned_request.message.values("content-digest").size(), 1u);
    EXPECT_TRUE(unsigned_request.message.joined("content-digest")->starts_with("sha-512="));
}

TEST(Rfc9421Vectors, B3TlsTerminatingProxyEcdsa) {
    Request proxied = http_vector("b3-ttrp.http");
    const SignatureEntry entry = only_entry(proxied.message);
    EXPECT_EQ(base_of(entry, proxied.message), read_vector("b3-ttrp.base"));
    EXPECT_EQ(describe(verify(entry, proxied.message, public_key("test-key-ecc-p256").get())), "verified");
}

TEST(Rfc9421Vectors, B4TransformationsThatKeepOrBreakTheSignature) {
    const EvpPkeyPtr key = public_key("test-key-ed25519");
    Request original = http_vector("b4-transform-1.http");
    EXPECT_EQ(base_of(only_entry(original.message), original.message), read_vector("b4-transform.base"));
    for (int still_valid = 1; still_valid <= 4; ++still_valid) {
        Request transformed = http_vector("b4-transform-" + std::to_string(still_valid) + ".http");
        EXPECT_EQ(describe(verify(only_entry(transformed.message), transformed.message, key.get())), "verified")
            << still_valid;
    }
    for (int broken = 5; broken <= 6; ++broken) {
        Request transformed = http_vector("b4-transform-" + std::to_string(broken) + ".http");
        EXPECT_EQ(verify(only_entry(transformed.message), transformed.message, key.get())->reason,
                  Reason::invalid_signature)
            << broken;
    }
}

TEST(Rfc9421Vectors, Section43ProxySignatureRsaV15) {
    Request client = http_vector("s43-client.http");
    EXPECT_EQ(describe(verify(only_entry(client.message), client.message, public_key("test-key-ecc-p256").get())),
              "verified");

    Request proxied = http_vector("s43-proxy.http");
    const auto entries = entries_of(proxied.message);
    ASSERT_EQ(entries.size(), 2u);
    const SignatureEntry& proxy_sig = entries[1];
    EXPECT_EQ(proxy_sig.label, "proxy_sig");
    EXPECT_EQ(proxy_sig.alg, "rsa-v1_5-sha256");
    EXPECT_EQ(proxy_sig.expires, 1618884540);
    EXPECT_EQ(base64_encode(proxy_sig.signature), read_vector("s43-proxy_sig.b64"));
    EXPECT_EQ(base_of(proxy_sig, proxied.message), read_vector("s43-proxy_sig.base"));
    EXPECT_EQ(describe(verify(proxy_sig, proxied.message, public_key("test-key-rsa").get())), "verified");
    // The client's signature covered the authority the proxy rewrote.
    EXPECT_EQ(verify(entries[0], proxied.message, public_key("test-key-ecc-p256").get())->reason,
              Reason::invalid_signature);
}

// === Parsing ==================================================================================================

TEST(Rfc9421Parse, ReadsEveryParameter) {
    Request r = request(
        "POST", "/inbox",
        {{"signature-input",
          R"(sig1=(  "@method"   "@query-param";name="a" "date" );created=1618884473;expires=1618884773;keyid="https://m.example/actor#main-key";alg="rsa-v1_5-sha256";nonce="n";tag="t";x-private=?1)"},
         {"signature", "sig1=:AAEC:"}});
    const SignatureEntry entry = only_entry(r.message);
    EXPECT_EQ(entry.label, "sig1");
    EXPECT_EQ(entry.components, (std::vector<Component>{{"@method", {}}, {"@query-param", "a"}, {"date", {}}}));
    EXPECT_EQ(entry.created, 1618884473);
    EXPECT_EQ(entry.expires, 1618884773);
    EXPECT_EQ(entry.keyid, "https://m.example/actor#main-key");
    EXPECT_EQ(entry.alg, "rsa-v1_5-sha256");
    EXPECT_EQ(entry.nonce, "n");
    EXPECT_EQ(entry.tag, "t");
    EXPECT_EQ(entry.signature, std::string("\x00\x01\x02", 3));
    EXPECT_TRUE(entry.covers("date"));
    EXPECT_TRUE(entry.covers("@query-param"));
    EXPECT_FALSE(entry.covers("content-digest"));
    // The base ends with the canonical serialization; what arrived is kept for diagnostics.
    EXPECT_EQ(
        entry.params,
        R"(("@method" "@query-param";name="a" "date");created=1618884473;expires=1618884773;keyid="https://m.example/actor#main-key";alg="rsa-v1_5-sha256";nonce="n";tag="t";x-private)");
    EXPECT_EQ(
        entry.received_params,
        R"((  "@method"   "@query-param";name="a" "date" );created=1618884473;expires=1618884773;keyid="https://m.example/actor#main-key";alg="rsa-v1_5-sha256";nonce="n";tag="t";x-private=?1)");
}

TEST(Rfc9421Parse, PairsLabelsAcrossRepeatedFieldLines) {
    Request r = request("GET", "/",
                        {{"signature-input", R"(a=("@method");created=1)"},
                         {"signature", "b=:AAAA:"},
                         {"signature-input", R"(b=("@path");created=2)"},
                         {"signature", "a=:AQID:"}});
    const auto entries = entries_of(r.message);
    ASSERT_EQ(entries.size(), 2u);
    EXPECT_EQ(entries[0].label, "a");
    EXPECT_EQ(entries[0].signature, "\x01\x02\x03");
    EXPECT_EQ(entries[1].label, "b");
    EXPECT_EQ(entries[1].created, 2);
}

TEST(Rfc9421Parse, RejectsMalformedSignatures) {
    struct Case {
        std::optional<std::string> input;
        std::optional<std::string> signature;
        Reason reason;
        std::string detail;
    };
    const std::string ok_signature = "sig1=:AAAA:";
    const Case cases[] = {
        {std::nullopt, ok_signature, Reason::no_signature, "the request has no Signature-Input header"},
        {"", ok_signature, Reason::no_signature, "Signature-Input is empty"},
        {R"(sig1=("@method"))", std::nullopt, Reason::unpaired_label,
         "the request has Signature-Input but no Signature header"},
        {R"(sig1=("@method"))", "sig2=:AAAA:", Reason::unpaired_label,
         R"(Signature has "sig2" but Signature-Input has no such label)"},
        {R"(sig1=("@method"), sig2=("@path"))", ok_signature, Reason::unpaired_label,
         R"(Signature-Input has "sig2" but Signature has no such label)"},
        {R"(sig1=("@method");created=1, sig1=("@path");created=1)", ok_signature, Reason::duplicate_label,
         R"(Signature-Input is not a valid structured-field dictionary: at offset 28: duplicate key "sig1")"},
        {R"(sig1=("@method"))", "sig1=:AAAA:, sig1=:AAAA:", Reason::duplicate_label, R"(duplicate key "sig1")"},
        {R"(sig1=(@method))", ok_signature, Reason::malformed_field, "unexpected character '@'"},
        {R"(sig1="@method")", ok_signature, Reason::malformed_field,
         R"(Signature-Input "sig1" is "@method", not a parenthesized list of components)"},
        {R"(sig1=("@method"))", R"(sig1="AAAA")", Reason::malformed_field,
         R"(Signature "sig1" is "AAAA", not a byte sequence)"},
        {R"(sig1=(method))", ok_signature, Reason::invalid_component,
         R"(Signature-Input "sig1" lists method, not a string)"},
        {R"(sig1=("@method" "date" "@method"))", ok_signature, Reason::invalid_component,
         R"(Signature-Input "sig1" lists "@method" twice)"},
        {R"(sig1=("@query-param";name="a" "@query-param";name="b" "@query-param";name="a"))", ok_signature,
         Reason::invalid_component, R"(lists "@query-param";name="a" twice)"},
        {R"(sig1=("Content-Digest"))", ok_signature, Reason::invalid_component,
         R"(component "Content-Digest" is not a lower-case HTTP field name)"},
        {R"(sig1=("content digest"))", ok_signature, Reason::invalid_component, "is not a lower-case HTTP field name"},
        {R"(sig1=(""))", ok_signature, Reason::invalid_component, "is not a lower-case HTTP field name"},
        {R"(sig1=("@signature-params"))", ok_signature, Reason::invalid_component,
         "is implicit and must not be listed"},
        {R"(sig1=("@fragment"))", ok_signature, Reason::invalid_component, "is not a known derived component"},
        {R"(sig1=("@status"))", ok_signature, Reason::unsupported_component, "only exists in responses"},
        {R"(sig1=("content-type";sf))", ok_signature, Reason::unsupported_component,
         R"(component "content-type" has ;sf, which is not supported)"},
        {R"(sig1=("example-dict";key="a"))", ok_signature, Reason::unsupported_component, "has ;key"},
        {R"(sig1=("set-cookie";bs))", ok_signature, Reason::unsupported_component, "has ;bs"},
        {R"(sig1=("@method";req))", ok_signature, Reason::unsupported_component, "has ;req"},
        {R"(sig1=("expires";tr))", ok_signature, Reason::unsupported_component, "has ;tr"},
        {R"(sig1=("content-type";foo))", ok_signature, Reason::invalid_component, "has the unknown parameter ;foo"},
        {R"(sig1=("@path";name="a"))", ok_signature, Reason::invalid_component, "has the unknown parameter ;name"},
        {R"(sig1=("@query-param"))", ok_signature, Reason::invalid_component, "needs a ;name parameter"},
        {R"(sig1=("@query-param";name=a))", ok_signature, Reason::invalid_component,
         "has a ;name that is not a string"},
        {R"(sig1=("@query-param";name="a";name="b"))", ok_signature, Reason::invalid_parameter,
         R"(duplicate parameter "name")"},
        {R"(sig1=();created=1;keyid="k";created=2)", ok_signature, Reason::invalid_parameter,
         R"(Signature-Input is not a valid structured-field dictionary: at offset 28: duplicate parameter "created")"},
        {R"(sig1=();created="1")", ok_signature, Reason::invalid_parameter,
         R"(Signature-Input "sig1" has created="1"; it must be an integer (Unix seconds))"},
        {R"(sig1=();created=1.5)", ok_signature, Reason::invalid_parameter, "has created=1.5"},
        {R"(sig1=();expires=soon)", ok_signature, Reason::invalid_parameter, "has expires=soon"},
        {R"(sig1=();keyid=abc)", ok_signature, Reason::invalid_parameter,
         R"(Signature-Input "sig1" has keyid=abc; it must be a string)"},
        {R"(sig1=();keyid=:AAAA:)", ok_signature, Reason::invalid_parameter, "has keyid=:AAAA:"},
        {R"(sig1=();alg=ed25519)", ok_signature, Reason::invalid_parameter, "has alg=ed25519"},
        {R"(sig1=();nonce=1)", ok_signature, Reason::invalid_parameter, "has nonce=1"},
        {R"(sig1=();tag)", ok_signature, Reason::invalid_parameter, "has tag=?1"},
        // A draft-cavage Signature header next to a Signature-Input is not a dictionary.
        {R"(sig1=("@method"))", R"(keyId="https://m.example/actor#main-key",signature="AAAA")", Reason::malformed_field,
         "Signature is not a valid structured-field dictionary"},
    };
    for (const auto& [input, signature, reason, detail] : cases) {
        Request r = request("GET", "/", {});
        if (input) r.message.headers.emplace_back("signature-input", *input);
        if (signature) r.message.headers.emplace_back("signature", *signature);
        auto parsed = parse(r.message);
        ASSERT_TRUE(std::holds_alternative<Error>(parsed)) << input.value_or("(none)");
        const Error& error = std::get<Error>(parsed);
        EXPECT_EQ(error.reason, reason) << input.value_or("(none)") << ": " << error.detail;
        EXPECT_NE(error.detail.find(detail), std::string::npos) << input.value_or("(none)") << ": " << error.detail;
    }
}

TEST(Rfc9421Parse, AcceptsUnregisteredParametersAndDistinctQueryParameters) {
    Request r = request(
        "GET", "/?a=1&b=2",
        {{"signature-input", R"(s=("@query-param";name="a" "@query-param";name="b");x=1)"}, {"signature", "s=::"}});
    EXPECT_EQ(only_entry(r.message).components.size(), 2u);
}

// === Signature base ===========================================================================================

TEST(Rfc9421Base, DerivedComponents) {
    struct Case {
        std::string scheme, authority, target, component, expected;
    };
    const Case cases[] = {
        {"https", "www.example.com", "/path?param=value", "@target-uri", "https://www.example.com/path?param=value"},
        {"HTTPS", "WWW.Example.com:443", "/path", "@target-uri", "https://www.example.com/path"},
        {"https", "www.example.com", "/path?param=value", "@method", "POST"},
        {"https", "www.example.com", "/", "@scheme", "https"},
        {"HTTP", "www.example.com", "/", "@scheme", "http"},
        {"https", "WWW.Example.COM", "/", "@authority", "www.example.com"},
        {"https", "www.example.com:443", "/", "@authority", "www.example.com"},
        {"https", "www.example.com:8443", "/", "@authority", "www.example.com:8443"},
        {"https", "www.example.com:80", "/", "@authority", "www.example.com:80"},
        {"http", "www.example.com:80", "/", "@authority", "www.example.com"},
        {"https", "www.example.com:", "/", "@authority", "www.example.com"},
        {"https", "[2001:DB8::1]:443", "/", "@authority", "[2001:db8::1]"},
        {"https", "[2001:db8::1]", "/", "@authority", "[2001:db8::1]"},
        {"https", "[2001:db8::1]:8443", "/", "@authority", "[2001:db8::1]:8443"},
        {"https", "a", "/path?param=value", "@request-target", "/path?param=value"},
        {"https", "a", "*", "@request-target", "*"},
        {"https", "a", "/path?param=value&foo=bar&baz=bat%2Dman", "@path", "/path"},
        {"https", "a", "/path?param=value&foo=bar&baz=bat%2Dman", "@query", "?param=value&foo=bar&baz=bat%2Dman"},
        {"https", "a", "/path?queryString", "@query", "?queryString"},
        {"https", "a", "/path", "@query", "?"},
        {"https", "a", "/path?", "@query", "?"},
    };
    for (const auto& c : cases) {
        Request r = request("POST", c.target, {});
        r.message.scheme = c.scheme;
        r.message.authority = c.authority;
        const SignatureEntry entry = covering({{c.component, {}}});
        EXPECT_EQ(base_of(entry, r.message), "\"" + c.component + "\": " + c.expected + "\n\"@signature-params\": ()")
            << c.component << " of " << c.scheme << "://" << c.authority << c.target;
    }
}

TEST(Rfc9421Base, QueryParametersAreDecodedAndReEncoded) {
    // RFC 9421 §2.2.8's examples.
    Request r = request("GET",
                        "/parameters?var=this%20is%20a%20big%0Amultiline%20value&bar=with+plus+whitespace&"
                        "fa%C3%A7ade%22%3A%20=something&&baz=batman&qux=&flag",
                        {});
    const SignatureEntry entry = covering({{"@query-param", "var"},
                                           {"@query-param", "bar"},
                                           {"@query-param", "fa%C3%A7ade%22%3A%20"},
                                           {"@query-param", "baz"},
                                           {"@query-param", "qux"},
                                           {"@query-param", "flag"}});
    EXPECT_EQ(base_of(entry, r.message), R"("@query-param";name="var": this%20is%20a%20big%0Amultiline%20value
"@query-param";name="bar": with%20plus%20whitespace
"@query-param";name="fa%C3%A7ade%22%3A%20": something
"@query-param";name="baz": batman
"@query-param";name="qux": 
"@query-param";name="flag": 
"@signature-params": ())");

    Request repeated = request("GET", "/?a=1&b=2&a=3", {});
    auto twice = signature_base(covering({{"@query-param", "a"}}), repeated.message);
    EXPECT_EQ(std::get<Error>(twice).reason, Reason::invalid_component_value);
    EXPECT_EQ(std::get<Error>(twice).detail,
              R"(Signature-Input "sig1" covers "@query-param";name="a" but the query has it 2 times)");
    auto missing = signature_base(covering({{"@query-param", "c"}}), repeated.message);
    EXPECT_EQ(std::get<Error>(missing).reason, Reason::missing_component);
    EXPECT_EQ(std::get<Error>(missing).detail,
              R"(Signature-Input "sig1" covers "@query-param";name="c" but the query has no such parameter)");
}

TEST(Rfc9421Base, HeaderFieldsAreTrimmedUnfoldedAndJoined) {
    // RFC 9421 §2.1's examples.
    Request r = request("GET", "/",
                        {{"host", "www.example.com"},
                         {"x-ows-header", "  Leading and trailing whitespace.  "},
                         {"x-obs-fold-header", "Obsolete\r\n    line folding."},
                         {"cache-control", "max-age=60"},
                         {"cache-control", "   must-revalidate"},
                         {"example-dict", " a=1,    b=2;x=1;y=2,   c=(a   b   c)"},
                         {"x-empty-header", ""}});
    const SignatureEntry entry = covering({{"host", {}},
                                           {"x-ows-header", {}},
                                           {"x-obs-fold-header", {}},
                                           {"cache-control", {}},
                                           {"example-dict", {}},
                                           {"x-empty-header", {}}});
    EXPECT_EQ(base_of(entry, r.message), R"("host": www.example.com
"x-ows-header": Leading and trailing whitespace.
"x-obs-fold-header": Obsolete line folding.
"cache-control": max-age=60, must-revalidate
"example-dict": a=1,    b=2;x=1;y=2,   c=(a   b   c)
"x-empty-header": 
"@signature-params": ())");
}

TEST(Rfc9421Base, ErrorsNameWhatIsMissing) {
    struct Case {
        Request r;
        Component component;
        Reason reason;
        std::string detail;
    };
    Case cases[] = {
        {request("POST", "/inbox", {}),
         {"content-digest", {}},
         Reason::missing_component,
         R"(Signature-Input "sig1" covers "content-digest" but the request has no Content-Digest header)"},
        {request("GET", "/", {{"x-name", "caf\xc3\xa9"}}),
         {"x-name", {}},
         Reason::invalid_component_value,
         R"(Signature-Input "sig1" covers "x-name" but its value has a byte that is not printable ASCII)"},
        {request("GET", "/", {{"x-name", "a\x01"}}), {"x-name", {}}, Reason::invalid_component_value, "not printable"},
        {request("GET", "/a\n\"@method\": POST", {}), {"@path", {}}, Reason::invalid_component_value, "not printable"},
        {request("G\x7f", "/", {}), {"@method", {}}, Reason::invalid_component_value, "not printable"},
        {request("OPTIONS", "*", {}),
         {"@path", {}},
         Reason::invalid_component_value,
         R"(Signature-Input "sig1" covers "@path" but the request target "*" is not a path)"},
        {request("GET", "https://a.example/", {}),
         {"@target-uri", {}},
         Reason::invalid_component_value,
         "is not a path"},
        {request("GET", "/", {}),
         {"@status", {}},
         Reason::invalid_component,
         "which is not a derived component of a request"},
        {request("GET", "/", {}),
         {"@authority", {}},
         Reason::missing_component,
         R"(covers "@authority" but the request has no Host)"},
    };
    cases[8].r.message.authority.clear();
    for (auto& c : cases) {
        auto base = signature_base(covering({c.component}), c.r.message);
        ASSERT_TRUE(std::holds_alternative<Error>(base)) << c.component.name;
        EXPECT_EQ(std::get<Error>(base).reason, c.reason) << c.component.name;
        EXPECT_NE(std::get<Error>(base).detail.find(c.detail), std::string::npos) << std::get<Error>(base).detail;
    }
}

// === Signing and verifying ====================================================================================

TEST(Rfc9421Sign, PostsGetContentDigestAndTheComponentsMastodonRequires) {
    Request r = inbox_post();
    const KeyPair key = KeyPair::generate_rsa();
    ASSERT_EQ(describe(sign_request(r.message, key, options())), "verified");
    EXPECT_EQ(r.message.joined("content-digest"), content_digest_sha256(*r.body));
    EXPECT_EQ(
        r.message.joined("signature-input"),
        R"(sig1=("@method" "@target-uri" "content-digest");created=1700000000;keyid="https://blog.example/users/blog#main-key";alg="rsa-v1_5-sha256")");
    const SignatureEntry entry = only_entry(r.message);
    EXPECT_EQ(entry.signature.size(), 256u);
    EXPECT_EQ(base_of(entry, r.message), R"("@method": POST
"@target-uri": https://blog.example/users/blog/inbox?x=1
"content-digest": )" + content_digest_sha256(*r.body) +
                                             R"(
"@signature-params": ("@method" "@target-uri" "content-digest");created=1700000000;keyid="https://blog.example/users/blog#main-key";alg="rsa-v1_5-sha256")");
    EXPECT_EQ(describe(verify(entry, r.message, key.get())), "verified");
}

TEST(Rfc9421Sign, GetsCoverMethodAndTargetOnly) {
    Request r = request("GET", "/users/alice", {{"accept", "application/activity+json"}});
    const KeyPair key = KeyPair::generate_rsa();
    ASSERT_EQ(describe(sign_request(r.message, key, options())), "verified");
    EXPECT_FALSE(r.message.joined("content-digest"));
    EXPECT_TRUE(
        r.message.joined("signature-input")->starts_with(R"(sig1=("@method" "@target-uri");created=1700000000;)"));
    EXPECT_EQ(describe(verify(only_entry(r.message), r.message, key.get())), "verified");
}

TEST(Rfc9421Sign, KeepsAMatchingContentDigestAndReplacesAStaleOne) {
    const KeyPair key = KeyPair::generate_rsa();
    Request matching = inbox_post();
    const std::string kept = "md5=:AAAA:, " + content_digest_sha256(*matching.body);
    matching.message.set("content-digest", kept);
    ASSERT_FALSE(sign_request(matching.message, key, options()));
    EXPECT_EQ(matching.message.joined("content-digest"), kept);

    Request stale = inbox_post();
    stale.message.set("content-digest", content_digest_sha256("an earlier body"));
    ASSERT_FALSE(sign_request(stale.message, key, options()));
    EXPECT_EQ(stale.message.joined("content-digest"), content_digest_sha256(*stale.body));
    EXPECT_EQ(describe(verify(only_entry(stale.message), stale.message, key.get())), "verified");
}

TEST(Rfc9421Sign, RoundTripsWithEveryKeyType) {
    struct Case {
        std::string name;
        KeyPair key;
        Algorithm algorithm;
        std::size_t signature_size;
    };
    Case cases[] = {
        {"rsa", KeyPair::generate_rsa(), Algorithm::rsa_v1_5_sha256, 256},
        {"rsa-pss", generated_key("RSA-PSS"), Algorithm::rsa_pss_sha512, 256},
        {"rfc rsa-pss", private_key("test-key-rsa-pss"), Algorithm::rsa_pss_sha512, 256},
        {"ecdsa", private_key("test-key-ecc-p256"), Algorithm::ecdsa_p256_sha256, 64},
        {"ed25519", generated_key("ED25519"), Algorithm::ed25519, 64},
    };
    for (const auto& c : cases) {
        Request r = inbox_post();
        ASSERT_EQ(describe(sign_request(r.message, c.key, options({"@method", "@target-uri", "@authority", "date"}))),
                  "verified")
            << c.name;
        const SignatureEntry entry = only_entry(r.message);
        EXPECT_EQ(entry.alg, to_string(c.algorithm)) << c.name;
        EXPECT_EQ(entry.signature.size(), c.signature_size) << c.name;
        EXPECT_EQ(describe(verify(entry, r.message, c.key.get())), "verified") << c.name;
        EXPECT_EQ(describe(verify(entry, r.message, c.key.get(), c.algorithm)), "verified") << c.name;
    }
    // The RFC's PSS public key is plain rsaEncryption: alg="rsa-pss-sha512" selects PSS for it.
    Request r = inbox_post();
    ASSERT_FALSE(sign_request(r.message, private_key("test-key-rsa-pss"), options()));
    EXPECT_EQ(describe(verify(only_entry(r.message), r.message, public_key("test-key-rsa-pss").get())), "verified");
}

TEST(Rfc9421Sign, RefusesWhatAVerifierWouldRefuse) {
    const KeyPair key = private_key("test-key-ed25519");
    struct Case {
        SignOptions options;
        Reason reason;
        std::string detail;
    };
    const Case cases[] = {
        {options({"@method", "x-missing"}), Reason::missing_component,
         R"(Signature-Input "sig1" covers "x-missing" but the request has no X-Missing header)"},
        {options({"@status"}), Reason::unsupported_component, "only exists in responses"},
        {options({"@query-param"}), Reason::invalid_component, "needs a ;name parameter"},
        {options({"Date"}), Reason::invalid_component, "is not a lower-case HTTP field name"},
        {options({"date", "date"}), Reason::invalid_component, R"(lists "date" twice)"},
        {{"k\xc3\xa9y", 1, {}}, Reason::invalid_parameter, "cannot sign: structured field: string"},
        {{"key", 1, {}, "Sig1"}, Reason::invalid_parameter, R"(cannot sign: structured field: invalid key "Sig1")"},
    };
    for (const auto& c : cases) {
        Request r = inbox_post();
        auto error = sign_request(r.message, key, c.options);
        ASSERT_TRUE(error) << c.detail;
        EXPECT_EQ(error->reason, c.reason) << error->detail;
        EXPECT_NE(error->detail.find(c.detail), std::string::npos) << error->detail;
        EXPECT_EQ(r.message.headers, inbox_post().message.headers) << "a failed signing leaves the request alone";
    }
    Request r = inbox_post();
    EXPECT_EQ(sign_request(r.message, generated_key("EC"), options())->reason, Reason::unsupported_algorithm);
}

TEST(Rfc9421Verify, TamperingWithAnyCoveredPartFails) {
    const KeyPair key = KeyPair::generate_rsa();
    Request original = inbox_post();
    ASSERT_FALSE(sign_request(original.message, key,
                              options({"@method", "@target-uri", "@authority", "@scheme", "@request-target", "@path",
                                       "@query", "content-digest", "content-type", "date"})));
    ASSERT_EQ(describe(verify(only_entry(original.message), original.message, key.get())), "verified");

    struct Tamper {
        std::string what;
        std::function<void(Request&)> change;
        Reason reason;
    };
    const Tamper tampers[] = {
        {"method", [](Request& r) { r.message.method = "PUT"; }, Reason::invalid_signature},
        {"scheme", [](Request& r) { r.message.scheme = "http"; }, Reason::invalid_signature},
        {"authority", [](Request& r) { r.message.authority = "evil.example"; }, Reason::invalid_signature},
        {"path", [](Request& r) { r.message.target = "/users/admin/inbox?x=1"; }, Reason::invalid_signature},
        {"query", [](Request& r) { r.message.target = "/users/blog/inbox?x=2"; }, Reason::invalid_signature},
        {"header", [](Request& r) { r.message.set("content-type", "text/plain"); }, Reason::invalid_signature},
        {"repeated header", [](Request& r) { r.message.headers.emplace_back("date", "now"); },
         Reason::invalid_signature},
        {"removed header",
         [](Request& r) { std::erase_if(r.message.headers, [](auto& h) { return h.first == "date"; }); },
         Reason::missing_component},
        {"body",
         [](Request& r) {
             *r.body = R"({"type":"Block"})";
             r.message.body = *r.body;
         },
         Reason::content_digest_mismatch},
        {"digest and body",
         [](Request& r) {
             *r.body = R"({"type":"Block"})";
             r.message.body = *r.body;
             r.message.set("content-digest", content_digest_sha256(*r.body));
         },
         Reason::invalid_signature},
        {"created",
         [](Request& r) {
             std::string input = *r.message.joined("signature-input");
             input.replace(input.find("created=1700000000"), 18, "created=1700000001");
             r.message.set("signature-input", input);
         },
         Reason::invalid_signature},
        {"keyid",
         [](Request& r) {
             std::string input = *r.message.joined("signature-input");
             input.replace(input.find("blog#main-key"), 4, "evil");
             r.message.set("signature-input", input);
         },
         Reason::invalid_signature},
        {"component order",
         [](Request& r) {
             std::string input = *r.message.joined("signature-input");
             input.replace(input.find(R"("@method" "@target-uri")"), 23, R"("@target-uri" "@method")");
             r.message.set("signature-input", input);
         },
         Reason::invalid_signature},
        {"signature byte",
         [](Request& r) {
             std::string signature = *r.message.joined("signature");
             signature[10] = signature[10] == 'A' ? 'B' : 'A';
             r.message.set("signature", signature);
         },
         Reason::invalid_signature},
    };
    for (const auto& tamper : tampers) {
        Request r = inbox_post();
        r.message.headers = original.message.headers;
        tamper.change(r);
        auto entries = parse(r.message);
        ASSERT_TRUE(std::holds_alternative<std::vector<SignatureEntry>>(entries)) << tamper.what;
        auto error = verify(std::get<std::vector<SignatureEntry>>(entries).front(), r.message, key.get());
        ASSERT_TRUE(error) << tamper.what;
        EXPECT_EQ(error->reason, tamper.reason) << tamper.what << ": " << error->detail;
    }
}

TEST(Rfc9421Verify, TheAlgorithmMustAgreeWithTheKey) {
    const KeyPair rsa = KeyPair::generate_rsa();
    const KeyPair ed25519 = private_key("test-key-ed25519");
    Request r = inbox_post();
    ASSERT_FALSE(sign_request(r.message, rsa, options()));
    SignatureEntry entry = only_entry(r.message);

    EXPECT_EQ(verify(entry, r.message, ed25519.get())->reason, Reason::algorithm_mismatch);
    EXPECT_EQ(verify(entry, r.message, ed25519.get())->detail, "rsa-v1_5-sha256 cannot be verified with a ED25519 key");
    EXPECT_EQ(verify(entry, r.message, rsa.get(), Algorithm::rsa_pss_sha512)->detail,
              R"(alg "rsa-v1_5-sha256" but the key is for rsa-pss-sha512)");
    EXPECT_EQ(verify(entry, r.message, rsa.get(), Algorithm::ed25519)->reason, Reason::algorithm_mismatch);
    EXPECT_EQ(verify_hmac_sha256(entry, r.message, "secret")->detail,
              R"(alg "rsa-v1_5-sha256" but the key is a shared secret)");

    entry.alg = "rsa-sha256";  // draft-cavage's name is not in the RFC 9421 registry
    EXPECT_EQ(verify(entry, r.message, rsa.get())->detail, R"(alg "rsa-sha256" is not supported)");
    entry.alg = "hmac-sha256";  // never with a public key, whatever the request claims
    EXPECT_EQ(verify(entry, r.message, rsa.get())->detail, "hmac-sha256 cannot be verified with a RSA key");
    entry.alg.reset();
    EXPECT_EQ(verify(entry, r.message, generated_key("EC").get())->detail, "no supported algorithm for a EC key");
    EXPECT_EQ(verify(entry, r.message, rsa.get(), Algorithm::ecdsa_p256_sha256)->detail,
              "ecdsa-p256-sha256 cannot be verified with a RSA key");
}

TEST(Rfc9421Verify, FailuresExplainThemselves) {
    const KeyPair key = private_key("test-key-ed25519");
    Request r = request("GET", "/users/alice", {});
    ASSERT_FALSE(sign_request(r.message, key, options()));
    // Same meaning, other whitespace: verification re-serializes, as RFC 9421 §3.2 says.
    std::string input = *r.message.joined("signature-input");
    input.replace(input.find('(') + 1, 0, "  ");
    r.message.set("signature-input", input);
    SignatureEntry entry = only_entry(r.message);
    EXPECT_NE(entry.received_params, entry.params);
    EXPECT_EQ(describe(verify(entry, r.message, key.get())), "verified");

    r.message.method = "POST";
    auto error = verify(entry, r.message, key.get());
    ASSERT_TRUE(error);
    EXPECT_EQ(error->reason, Reason::invalid_signature);
    EXPECT_NE(error->detail.find(R"(signature "sig1": ed25519 signature does not verify)"), std::string::npos)
        << error->detail;
    EXPECT_NE(
        error->detail.find(R"(signature base ""@method": POST\n"@target-uri": https://blog.example/users/alice\n)"),
        std::string::npos)
        << error->detail;
    EXPECT_NE(error->detail.find("which is not its canonical serialization"), std::string::npos) << error->detail;

    entry.signature.resize(10);
    EXPECT_EQ(verify(entry, r.message, private_key("test-key-ecc-p256").get(), Algorithm::ecdsa_p256_sha256)->reason,
              Reason::algorithm_mismatch);  // alg says ed25519
    entry.alg.reset();
    EXPECT_NE(verify(entry, r.message, private_key("test-key-ecc-p256").get())
                  ->detail.find("an ecdsa-p256-sha256 signature is 64 bytes, not 10"),
              std::string::npos);
}
