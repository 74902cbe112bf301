#include "keys/digest.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <climits>
#include <cstdint>
#include <memory>
#include <stdexcept>

#include "keys/fetched_digests.hpp"
#include "keys/key_pair.hpp"

namespace fedblog::keys {

namespace {

// The 6-bit value of each byte in the base64 alphabet, -1 for every other byte.
constexpr std::array<signed char, 256> base64_values = [] {
    std::array<signed char, 256> table{};
    table.fill(-1);
    constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (std::size_t i = 0; i < alphabet.size(); ++i)
        table[static_cast<unsigned char>(alphabet[i])] = static_cast<signed char>(i);
    return table;
}();

int base64_value(char c) { return base64_values[static_cast<unsigned char>(c)]; }

struct MdCtxDeleter {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

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
    // One context per thread, reset per call: EVP_Digest would allocate and free a context (and the
    // provider's state inside it) for every body and every signing string.
    thread_local std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
    Sha256 out{};
    unsigned int length = 0;
    if (!ctx || EVP_DigestInit_ex2(ctx.get(), sha256_digest(), nullptr) != 1 ||
        EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1 ||
        EVP_DigestFinal_ex(ctx.get(), out.data(), &length) != 1 || length != out.size())
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

namespace {

// The number of bytes `text` decodes to, or nothing when it is not canonical base64 (wrong length, padding
// other than one or two '=' at the end).
std::optional<std::size_t> base64_decoded_size(std::string_view text) {
    if (text.size() % 4 != 0) return std::nullopt;
    std::size_t padding = 0;
    while (padding < 2 && padding < text.size() && text[text.size() - 1 - padding] == '=') ++padding;
    return text.size() / 4 * 3 - padding;
}

// Decodes `text` into `out`, which holds base64_decoded_size(text) bytes; false on any non-canonical input.
bool decode_into(std::string_view text, unsigned char* out) {
    // One pass over the text: every character is checked and decoded by table, so only the canonical
    // encoding decodes (no whitespace, padding only at the end, unused bits zero).
    std::size_t padding = 0;
    while (padding < 2 && padding < text.size() && text[text.size() - 1 - padding] == '=') ++padding;
    const std::string_view data = text.substr(0, text.size() - padding);
    unsigned char* write = out;
    std::size_t i = 0;
    for (; i + 4 <= data.size(); i += 4) {
        const int a = base64_value(data[i]), b = base64_value(data[i + 1]), c = base64_value(data[i + 2]),
                  d = base64_value(data[i + 3]);
        if ((a | b | c | d) < 0) return false;
        const auto bits = static_cast<std::uint32_t>(a << 18 | b << 12 | c << 6 | d);
        *write++ = static_cast<unsigned char>(bits >> 16);
        *write++ = static_cast<unsigned char>(bits >> 8);
        *write++ = static_cast<unsigned char>(bits);
    }
    if (padding) {  // the last group: 3 characters (1 '=') carry 2 bytes, 2 characters (2 '=') carry 1
        const int a = base64_value(data[i]), b = base64_value(data[i + 1]);
        const int c = padding == 1 ? base64_value(data[i + 2]) : 0;
        if ((a | b | c) < 0) return false;
        // The bits of the last character that carry no data must be zero: the canonical encoding only.
        if (padding == 1 ? (c & 0x03) != 0 : (b & 0x0f) != 0) return false;
        const auto bits = static_cast<std::uint32_t>(a << 18 | b << 12 | c << 6);
        *write++ = static_cast<unsigned char>(bits >> 16);
        if (padding == 1) *write++ = static_cast<unsigned char>(bits >> 8);
    }
    return true;
}

}  // namespace

std::optional<std::vector<unsigned char>> base64_decode(std::string_view text) {
    const auto size = base64_decoded_size(text);
    if (!size) return std::nullopt;
    std::vector<unsigned char> out(*size);
    if (!decode_into(text, out.data())) return std::nullopt;
    return out;
}

bool base64_decode_exact(std::string_view text, std::span<unsigned char> out) {
    const auto size = base64_decoded_size(text);
    return size && *size == out.size() && decode_into(text, out.data());
}

std::string digest_header(std::string_view body) { return digest_header(sha256(body)); }

std::string digest_header(const Sha256& body_sha256) { return "SHA-256=" + base64_encode(body_sha256); }

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
            Sha256 given{};
            if (!base64_decode_exact(entry.substr(equals + 1), given)) return DigestCheck::malformed;
            const Sha256 actual = sha256(body);
            sha256_result = CRYPTO_memcmp(given.data(), actual.data(), actual.size()) == 0 ? DigestCheck::ok
                                                                                           : DigestCheck::mismatch;
        }
        if (comma == std::string_view::npos) break;
        rest = rest.substr(comma + 1);
    }
    return sha256_result.value_or(DigestCheck::unsupported_algorithm);
}

}  // namespace fedblog::keys
