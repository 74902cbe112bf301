#pragma once
// What an inbox (or any signed endpoint) accepts, in one place. Two steps, so the caller can fetch the
// signer's key asynchronously in between and never fetches a key for a request that fails anyway:
//   1. read_signature: every check that needs no key (parse, coverage, clock window, Digest), cheap first;
//   2. verify_signature: the signature itself, with the key named by the claim's key_id.
#include <openssl/evp.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "keys/cavage.hpp"
#include "keys/http_message.hpp"
#include "keys/rfc9421.hpp"

namespace fedblog::keys {

// Mastodon's window (mastodon.md §3 item 12): up to 1 h ahead of our clock, up to 1 h 5 min behind it.
inline constexpr std::chrono::seconds max_clock_skew_future{3600};
inline constexpr std::chrono::seconds max_signature_age{3900};

struct VerificationFailure {
    enum class Reason {
        missing_signature,          // no Signature header
        malformed_header,           // unparsable Signature header, or a parameter the draft forbids
        duplicate_parameter,        // a draft parameter given twice
        unsupported_algorithm,      // not rsa-sha256 / hs2019
        missing_covered_component,  // the signature leaves out something the policy requires
        missing_header,             // a covered header the request does not carry
        date_missing,               // Date is covered but absent
        date_malformed,             // not an IMF-fixdate, or several Date headers
        date_too_old,               // Date or (created) older than max_signature_age
        date_in_future,             // Date or (created) more than max_clock_skew_future ahead
        signature_expired,          // the expires parameter lies more than the clock skew in the past
        digest_missing,             // Digest is required but absent
        digest_malformed,           // a Digest header that does not parse
        digest_mismatch,            // Digest is not the SHA-256 of the body received
        digest_unsupported,         // Digest lists no SHA-256
        key_type_mismatch,          // the algorithm cannot be used with the key fetched for keyId
        bad_signature,              // the signature does not verify
    };
    Reason reason;
    std::string detail;  // names exactly what is wrong: fit for the 401 body and the log line
};
std::string_view to_string(VerificationFailure::Reason reason);

enum class SignatureScheme { cavage, rfc9421 };

// A signature that passed every check a key is not needed for.
struct SignatureClaim {
    SignatureScheme scheme;
    std::string key_id;                    // fetch this key, then call verify_signature
    std::vector<std::string> covered;      // what the signature covers, as the scheme names it
    std::string signing_string;            // the exact bytes the signature is over
    std::variant<CavageSignature, rfc9421::SignatureEntry> parsed;  // the scheme's own parse
};

// Rules, for every method. draft-cavage: cover "(request-target)", "host" and "date" (or "(created)");
// POSTs and requests with a body also cover "digest", whose SHA-256 matches the body. RFC 9421 (chosen when
// Signature-Input is present): keyid and created are set; cover "@method" and "@target-uri", and
// "content-digest" (matching the body) for POSTs; of several signatures the first to meet the rules counts.
// Both: the covered times lie inside the window around `now`.
std::variant<SignatureClaim, VerificationFailure> read_signature(const HttpMessage& request, std::int64_t now);

struct VerificationResult {
    std::optional<VerificationFailure> failure;  // empty: verified
    bool verified() const { return !failure; }
};
// The claim carries the signing string it was read with, so the key can be fetched (and refetched once
// after a bad_signature, as Mastodon does) without reading the request again.
VerificationResult verify_signature(const SignatureClaim& claim, EVP_PKEY* public_key);

// RFC 9110 IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") as Unix seconds; nothing for any other form.
std::optional<std::int64_t> parse_imf_fixdate(std::string_view text);

}  // namespace fedblog::keys
