#include "keys/digest.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <climits>
#include <stdexcept>

#include "keys/fetched_digests.hpp"
#include "keys/key_pair.hpp"

namespace fedblog::keys {

namespace {

// The 6-bit value of a base64 alphabet character, or -1.
int base64_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

std::string_view trim_ows(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

}  // namespace

Sha256 sha256(std::string_view data) {
    Sha256 out{};
    unsigned int length = 0;
    if (EVP_Digest(data.data(), data.size(), out.data(), &length, sha256_digest(), nullptr) != 1 || length != out.size())
        throw std::runtime_error("SHA-256: " + openssl_error());
    return out;
}

std::string base64_encode(std::span<const unsigned char> bytes) {
    // EVP_EncodeBlock counts in int.
    if (bytes.size() > static_cast<std::size_t>(INT_MAX / 4) * 3)
        throw std::length_error("base64_encode: input too large");
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');  // + the NUL EVP_EncodeBlock writes
    int written =
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(), static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(written));
    return out;
}

std::optional<std::vector<unsigned char>> base64_decode(std::string_view text) {
    // EVP_DecodeBlock skips surrounding whitespace and does not report padding, so the syntax is checked here.
    if (text.size() % 4 != 0 || text.size() > INT_MAX) return std::nullopt;
    std::size_t padding = 0;
    while (padding < 2 && padding < text.size() && text[text.size() - 1 - padding] == '=') ++padding;
    const std::string_view data = text.substr(0, text.size() - padding);
    for (char c : data)
        if (base64_value(c) < 0) return std::nullopt;
    // The bits of the last character that carry no data must be zero: the canonical encoding only.
    if (padding == 1 && (base64_value(data.back()) & 0x03) != 0) return std::nullopt;
    if (padding == 2 && (base64_value(data.back()) & 0x0f) != 0) return std::nullopt;

    std::vector<unsigned char> out(text.size() / 4 * 3);
    int decoded =
        EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
    if (decoded != static_cast<int>(out.size())) return std::nullopt;
    out.resize(out.size() - padding);  // EVP_DecodeBlock counts the padding as zero bytes
    return out;
}

std::string digest_header(std::string_view body) { return "SHA-256=" + base64_encode(sha256(body)); }

std::string_view to_string(DigestCheck check) {
    switch (check) {
        case DigestCheck::ok:
            return "ok";
        case DigestCheck::missing:
            return "missing";
        case DigestCheck::unsupported_algorithm:
            return "unsupported_algorithm";
        case DigestCheck::malformed:
            return "malformed";
        case DigestCheck::mismatch:
            return "mismatch";
    }
    return "unknown";
}

DigestCheck check_digest_header(std::string_view header_value, std::string_view body) {
    std::string_view rest = trim_ows(header_value);
    if (rest.empty()) return DigestCheck::missing;
    std::optional<DigestCheck> sha256_result;
    // Every entry is read, so a malformed or repeated one is reported even after a matching SHA-256.
    while (true) {
        const std::size_t comma = rest.find(',');
        const std::string_view entry = trim_ows(rest.substr(0, comma));
        const std::size_t equals = entry.find('=');
        if (equals == std::string_view::npos || equals == 0) return DigestCheck::malformed;
        if (equals_ignoring_case(entry.substr(0, equals), "sha-256")) {
            if (sha256_result) return DigestCheck::malformed;  // two SHA-256 values: which one was meant?
            auto given = base64_decode(entry.substr(equals + 1));
            if (!given || given->size() != Sha256{}.size()) return DigestCheck::malformed;
            const Sha256 actual = sha256(body);
            sha256_result = CRYPTO_memcmp(given->data(), actual.data(), actual.size()) == 0 ? DigestCheck::ok
                                                                                            : DigestCheck::mismatch;
        }
        if (comma == std::string_view::npos) break;
        rest = rest.substr(comma + 1);
    }
    return sha256_result.value_or(DigestCheck::unsupported_algorithm);
}

}  // namespace fedblog::keys
