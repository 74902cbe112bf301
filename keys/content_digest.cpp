#include "keys/content_digest.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <stdexcept>

#include "keys/fetched_digests.hpp"
#include "keys/structured_fields.hpp"

namespace fedblog::keys {

namespace {

struct Algorithm {
    std::string_view key;
    const EVP_MD* (*md)();
};
constexpr Algorithm supported[] = {{"sha-256", sha256_digest}, {"sha-512", sha512_digest}};

std::string digest(const EVP_MD* md, std::string_view body) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(body.data(), body.size(), out, &length, md, nullptr) != 1)
        throw std::runtime_error("EVP_Digest failed");
    return std::string(reinterpret_cast<const char*>(out), length);
}

std::string byte_sequence(std::string bytes) { return sf::serialize(sf::BareItem(sf::ByteSequence{std::move(bytes)})); }

ContentDigestError error(ContentDigestError::Reason reason, std::string detail) {
    return {reason, "Content-Digest " + std::move(detail)};
}

}  // namespace

std::string content_digest_sha256(std::string_view body) {
    return "sha-256=" + byte_sequence(digest(sha256_digest(), body));
}

std::optional<ContentDigestError> check_content_digest(std::string_view header_value, std::string_view body) {
    using Reason = ContentDigestError::Reason;
    auto parsed = sf::parse_dictionary(header_value, sf::Duplicates::reject);
    if (auto* failure = std::get_if<sf::ParseError>(&parsed))
        return error(Reason::malformed, "is not a structured-field dictionary (" + failure->describe() + ")");
    const auto& dictionary = std::get<sf::Dictionary>(parsed);
    bool checked = false;
    for (const Algorithm& algorithm : supported) {
        const sf::DictionaryMember* member = sf::find(dictionary, algorithm.key);
        if (!member) continue;
        const auto* item = std::get_if<sf::Item>(&member->value);
        const auto* received = item ? std::get_if<sf::ByteSequence>(&item->value) : nullptr;
        if (!received)
            return error(Reason::malformed, std::string(algorithm.key) + " is not a byte sequence (:base64:)");
        const std::string expected = digest(algorithm.md(), body);
        if (received->bytes.size() != expected.size() ||
            CRYPTO_memcmp(received->bytes.data(), expected.data(), expected.size()) != 0)
            return error(Reason::mismatch, std::string(algorithm.key) + " is " + byte_sequence(received->bytes) +
                                               " but the body's is " + byte_sequence(expected));
        checked = true;
    }
    if (!checked) return error(Reason::no_supported_algorithm, "has neither sha-256 nor sha-512");
    return std::nullopt;
}

}  // namespace fedblog::keys
