#pragma once
// HTTP signatures as draft-cavage-http-signatures-12 defines them and the fediverse uses them: the
// `Signature` header, its signing string, RSASSA-PKCS1-v1_5 SHA-256 (and Ed25519 under hs2019).
// Pure: no clock (the caller passes `now`), no key lookup, failures are values.
#include <openssl/evp.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "keys/digest.hpp"
#include "keys/http_message.hpp"
#include "keys/key_pair.hpp"

namespace fedblog::keys {

struct SignatureError {
    enum class Kind {
        malformed,              // syntax, a missing keyId/signature, bad base64, a pseudo-header misused
        duplicate_parameter,    // a draft parameter given twice
        unsupported_algorithm,  // anything but rsa-sha256 and hs2019
        missing_header,         // a covered header the request does not carry
        key_type_mismatch,      // e.g. rsa-sha256 with an Ed25519 key
        bad_signature,          // the signature does not verify
    };
    Kind kind;
    std::string detail;  // names what is wrong, for the 401 body and the log
};

// The parsed `Signature` header.
struct CavageSignature {
    std::string key_id;
    std::optional<std::string> algorithm;  // absent: hs2019, the algorithm follows from the key
    // `headers`, lower-cased, in order. When absent, the draft's default: `(created)`, or `date` under rsa-sha256.
    std::vector<std::string> headers;
    std::vector<unsigned char> signature;  // decoded
    std::optional<std::int64_t> created;
    std::optional<std::int64_t> expires;
};

std::variant<CavageSignature, SignatureError> parse_signature_header(std::string_view value);

// The lines the signature is computed over, joined with "\n" (no trailing newline).
std::variant<std::string, SignatureError> signing_string(const CavageSignature& signature, const HttpMessage& message);

// Checks `signature.signature` over `signing_string` with the public key; nullopt when it verifies.
std::optional<SignatureError> verify_signature_bytes(const CavageSignature& signature, std::string_view signing_string,
                                                     EVP_PKEY* public_key);

// What Mastodon covers (mastodon.md §3): "(request-target) host date", then "digest" when the request
// carries a body or is a POST, and "content-type" when it has one.
std::vector<std::string> default_covered(const HttpMessage& request);

// Signs an outbound request as Mastodon does: sets Date (from `now`), Digest (when there is a body or the
// method is POST) and `Signature: keyId="…",algorithm="rsa-sha256",headers="…",signature="…"` (an
// Ed25519 key, or a covered `(created)`, signs as hs2019). `covered` names headers as in `headers=`.
// Throws std::invalid_argument when a covered header is missing or the key id cannot be quoted.
// `body_sha256`, when given, must be sha256(request.body): a body sent to many inboxes is hashed once, not per request.
void sign_request(HttpMessage& request, const KeyPair& key, std::string_view key_id, std::vector<std::string> covered,
                  std::int64_t now, const std::optional<Sha256>& body_sha256 = std::nullopt);

}  // namespace fedblog::keys
