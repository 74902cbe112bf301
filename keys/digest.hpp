#pragma once
// SHA-256, strict base64 and the RFC 3230 `Digest` header that draft-cavage signatures cover.
#include <array>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace fedblog::keys {

using Sha256 = std::array<unsigned char, 32>;

Sha256 sha256(std::string_view data);

// RFC 4648 §4 base64 with padding.
std::string base64_encode(std::span<const unsigned char> bytes);
// Strict: only the canonical encoding decodes. Rejects characters outside the alphabet (whitespace
// too), missing or misplaced padding and non-zero unused bits, so every value has one spelling.
std::optional<std::vector<unsigned char>> base64_decode(std::string_view text);
// The same strict decoding into a fixed-size buffer, for values of a known length (a SHA-256 is 32 bytes):
// true only when `text` is the canonical encoding of exactly `out.size()` bytes. Nothing is allocated.
bool base64_decode_exact(std::string_view text, std::span<unsigned char> out);

// "SHA-256=<base64 of sha256(body)>": the value of the Digest header for these exact body bytes.
std::string digest_header(std::string_view body);
// The same from the body's SHA-256 computed already.
std::string digest_header(const Sha256& body_sha256);

enum class DigestCheck {
    ok,
    missing,                // empty header value
    unsupported_algorithm,  // no SHA-256 among the listed algorithms
    malformed,  // not `algorithm=value` pairs, a repeated SHA-256 or a SHA-256 value that is not 32 bytes of base64
    mismatch,   // well-formed SHA-256 of other bytes
};
std::string_view to_string(DigestCheck check);

// Checks a Digest header value such as "SHA-256=X48E9q...=" or "sha-256=...,SHA-512=..." against the
// body. Algorithm names are case-insensitive; only the SHA-256 entry is checked, others are ignored.
DigestCheck check_digest_header(std::string_view header_value, std::string_view body);

}  // namespace fedblog::keys
