// RFC 9421 parsing, signature bases and verification on arbitrary Signature-Input and Signature values.
// Input, split on "\n": the Signature-Input value, the Signature value, then the Content-Digest value
// of a fixed POST (a fixed one when absent). Each parsed entry's base is built, checked for the shape
// RFC 9421 §2.5 requires, and verified with an Ed25519 and a P-256 key, and the shared-secret path.
#include <openssl/bio.h>
#include <openssl/pem.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "keys/rfc9421.hpp"
#include "keys/structured_fields.hpp"

using namespace fedblog::keys;
using namespace fedblog::keys::rfc9421;

namespace {

// RFC 9421 B.1.4 and B.1.3: small keys keep each verification cheap.
constexpr std::string_view ed25519_pem = R"(-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF
-----END PRIVATE KEY-----
)";
constexpr std::string_view p256_pem = R"(-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIFKbhfNZfpDsW43+0+JjUr9K+bTeuxopu653+hBaXGA7oAoGCCqGSM49
AwEHoUQDQgAEqIVYZVLCrPZHGHjP17CTW0/+D9Lfw0EkjqF7xB4FivAxzic30tMM
4GF+hR6Dxh71Z50VGGdldkkDXZCnTNnoXQ==
-----END EC PRIVATE KEY-----
)";
constexpr std::string_view body = R"({"hello": "world"})";

std::string_view next_line(std::string_view& rest) {
    const std::size_t end = rest.find('\n');
    const std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    return line;
}

void check_base(const SignatureEntry& entry, const std::string& base) {
    if (std::any_of(base.begin(), base.end(),
                    [](char c) { return c == '\r' || static_cast<unsigned char>(c) >= 0x80; }))
        std::abort();
    if (static_cast<std::size_t>(std::count(base.begin(), base.end(), '\n')) != entry.components.size()) std::abort();
    const std::string last_line = "\"@signature-params\": " + entry.params;
    if (!base.ends_with(last_line)) std::abort();
    // The params line is its own canonical serialization.
    auto reparsed = sf::parse_list(entry.params);
    if (!std::holds_alternative<sf::List>(reparsed) || sf::serialize(std::get<sf::List>(reparsed)) != entry.params)
        std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const KeyPair ed25519 = KeyPair::from_private_pem(ed25519_pem);
    static const KeyPair p256 = KeyPair::from_private_pem(p256_pem);

    std::string_view rest(reinterpret_cast<const char*>(data), size);
    const std::string signature_input(next_line(rest));
    const std::string signature(next_line(rest));
    const std::string content_digest =
        rest.empty() ? "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:" : std::string(next_line(rest));
    HttpMessage request{"POST",
                        "https",
                        "Blog.Example:443",
                        "/users/blog/inbox?a=1&b=x%20y&c=+&a=2",
                        {{"host", "Blog.Example:443"},
                         {"date", "Tue, 20 Apr 2021 02:07:55 GMT"},
                         {"content-type", "application/activity+json"},
                         {"accept", "a"},
                         {"accept", " b\t"},
                         {"content-digest", content_digest},
                         {"signature-input", signature_input},
                         {"signature", signature}},
                        body};

    auto parsed = parse(request);
    if (auto* error = std::get_if<Error>(&parsed)) {
        if (error->detail.empty()) std::abort();
        return 0;
    }
    for (const SignatureEntry& entry : std::get<std::vector<SignatureEntry>>(parsed)) {
        auto base = signature_base(entry, request);
        if (auto* text = std::get_if<std::string>(&base)) check_base(entry, *text);
        for (const KeyPair* key : {&ed25519, &p256}) {
            auto failure = verify(entry, request, key->get());
            if (failure && failure->detail.empty()) std::abort();
        }
        auto hmac_failure = verify_hmac_sha256(entry, request, "secret");
        if (hmac_failure && hmac_failure->detail.empty()) std::abort();
    }
    return 0;
}
