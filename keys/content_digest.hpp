#pragma once
// RFC 9530 Content-Digest: what RFC 9421 signatures cover instead of draft-cavage's `Digest`.
#include <optional>
#include <string>
#include <string_view>

namespace fedblog::keys {

// "sha-256=:<base64 of SHA-256(body)>:" for these exact body bytes.
std::string content_digest_sha256(std::string_view body);

struct ContentDigestError {
    enum class Reason {
        malformed,  // not a structured-field dictionary, a repeated algorithm, or a value of the wrong shape
        no_supported_algorithm,  // neither sha-256 nor sha-512
        mismatch,                // a supported digest of other bytes
    };
    Reason reason;
    std::string detail;  // names the algorithm and both values on a mismatch
};

// Checks every sha-256 and sha-512 member against the body (constant-time); other algorithms, including
// the deprecated `sha` and `md5`, are ignored. At least one supported member is required and all of them
// must match. nullopt means the body is the one the header describes.
[[nodiscard]] std::optional<ContentDigestError> check_content_digest(std::string_view header_value,
                                                                     std::string_view body);

}  // namespace fedblog::keys
