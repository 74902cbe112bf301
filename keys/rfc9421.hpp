#pragma once
// RFC 9421 HTTP Message Signatures over requests: parse Signature-Input and Signature, rebuild the
// signature base, verify and sign. Pure: the caller passes `created` (its clock) and the key (its key
// lookup); time windows and which components must be covered are the verification policy's; every
// failure is a typed reason with a detail that names exactly what is wrong.
#include <openssl/evp.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "keys/http_message.hpp"
#include "keys/key_pair.hpp"

namespace fedblog::keys::rfc9421 {

enum class Algorithm { rsa_v1_5_sha256, rsa_pss_sha512, ecdsa_p256_sha256, ed25519, hmac_sha256 };
std::string_view to_string(Algorithm algorithm);  // the registry name, e.g. "rsa-v1_5-sha256"
std::optional<Algorithm> algorithm_named(std::string_view registry_name);

enum class Reason {
    no_signature,             // no Signature-Input, or an empty one
    malformed_field,          // Signature-Input or Signature is not a dictionary of the right shapes
    duplicate_label,          // a label twice in Signature-Input or in Signature
    unpaired_label,           // a label in one of the two fields but not in the other
    invalid_component,        // a covered component that is not a string, repeated, upper case or unknown
    unsupported_component,    // defined by RFC 9421 but not here: ;sf ;key ;bs ;req ;tr, and @status
    invalid_parameter,        // a repeated parameter, or created/expires/keyid/alg/nonce/tag of the wrong type
    missing_component,        // the request lacks a covered header or query parameter
    invalid_component_value,  // a value a base cannot hold: not printable ASCII, a repeated query parameter
    unsupported_algorithm,    // an `alg` or key type with no implementation here
    algorithm_mismatch,       // `alg`, the expected algorithm and the key type disagree
    content_digest_mismatch,  // a covered Content-Digest that does not describe the body
    invalid_signature,        // the cryptographic check failed
};
std::string_view to_string(Reason reason);

struct Error {
    Reason reason;
    // For the log, naming exactly what is wrong, e.g.
    // `Signature-Input "sig1" covers "content-digest" but the request has no Content-Digest header`
    std::string detail;
};

struct Component {
    std::string name;                        // "@method", "@query-param", ... or a lower-case field name
    std::optional<std::string> query_param;  // the `name` parameter of "@query-param" (encoded, as received)
    bool operator==(const Component&) const = default;
};

struct SignatureEntry {
    std::string label;
    std::vector<Component> components;  // in signed order
    std::optional<std::int64_t> created;
    std::optional<std::int64_t> expires;
    std::optional<std::string> keyid;
    std::optional<std::string> alg;
    std::optional<std::string> nonce;
    std::optional<std::string> tag;
    std::string signature;  // raw bytes from the Signature field
    // The canonical serialization of the Signature-Input member, which ends the signature base: RFC 9421
    // §3.2 step 7 re-serializes, as do Fedify, Linzer (Mastodon) and http-message-signatures. A conforming
    // signer sends exactly this; `received_params` is kept to explain a failure when one did not.
    std::string params;
    std::string received_params;

    bool covers(std::string_view component_name) const;
};

// Every signature of the request, strictly: one malformed entry fails the whole header, since the
// fields were tampered with or the signer is broken. Without Signature-Input: no_signature.
std::variant<std::vector<SignatureEntry>, Error> parse(const HttpMessage& request);

// RFC 9421 §2.5: one `"component": value` line per covered component, then `"@signature-params": …`.
std::variant<std::string, Error> signature_base(const SignatureEntry& entry, const HttpMessage& request);

// Verifies one entry with the key its keyid resolved to. The algorithm comes from `alg`, else from
// `expected` (known out of band, RFC 9421 §3.2 step 6), else from the key type (an RSA key means
// rsa-v1_5-sha256, the fediverse's); any disagreement between them fails. When "content-digest" is
// covered, the Content-Digest header is also checked against the body, so a verified entry vouches for
// the body. created/expires are not compared with any clock here.
[[nodiscard]] std::optional<Error> verify(const SignatureEntry& entry, const HttpMessage& request, EVP_PKEY* public_key,
                                          std::optional<Algorithm> expected = std::nullopt);

// hmac-sha256 with a shared secret: for RFC 9421's own test vector only. The inbox never holds a shared
// secret, so nothing reachable from verify() can accept an HMAC.
[[nodiscard]] std::optional<Error> verify_hmac_sha256(const SignatureEntry& entry, const HttpMessage& request,
                                                      std::string_view shared_secret);

// HTTP_VERIFY of RFC 9421 §3.3 over a ready signature base (ECDSA signatures are raw r‖s).
[[nodiscard]] std::optional<Error> verify_signature_base(std::string_view base, std::string_view signature,
                                                         EVP_PKEY* public_key, Algorithm algorithm);

struct SignOptions {
    std::string key_id;
    std::int64_t created;  // Unix seconds from the caller's clock
    // Empty: ("@method" "@target-uri"), plus "content-digest" when the request carries one: what
    // Mastodon requires from 4.5 on.
    std::vector<std::string> components = {};
    std::string label = "sig1";
    bool include_alg = true;  // Fedify sends alg; Mastodon accepts it and does not need it
};

// Signs with the algorithm of the key type (RSA: rsa-v1_5-sha256, RSA-PSS: rsa-pss-sha512, P-256:
// ecdsa-p256-sha256, Ed25519: ed25519). A request with a body, or any method but GET and HEAD, first gets
// `Content-Digest: sha-256=…` unless it already has one that matches the body. Then sets Signature-Input
// and Signature, replacing earlier ones (draft-cavage also uses `Signature`: a request carries one scheme).
// On an error the request is left as it was; throws std::runtime_error only when OpenSSL itself fails.
[[nodiscard]] std::optional<Error> sign_request(HttpMessage& request, const KeyPair& key, const SignOptions& options);

}  // namespace fedblog::keys::rfc9421
