// The Signature header parser, the signing string and the inbox policy on arbitrary requests.
// Input, split on "\n": the Signature header value, the method, the target, the authority, then
// "name: value" header lines up to an empty line; the rest is the body.
#include <openssl/bio.h>
#include <openssl/pem.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "keys/cavage.hpp"
#include "keys/signature_policy.hpp"

using namespace fedblog::keys;

namespace {

constexpr std::int64_t now = 1763632801;

// draft-cavage-12's Appendix C key: 1024 bits keeps each verification cheap.
constexpr std::string_view appendix_key_pem = R"(-----BEGIN RSA PRIVATE KEY-----
MIICXgIBAAKBgQDCFENGw33yGihy92pDjZQhl0C36rPJj+CvfSC8+q28hxA161QF
NUd13wuCTUcq0Qd2qsBe/2hFyc2DCJJg0h1L78+6Z4UMR7EOcpfdUE9Hf3m/hs+F
UR45uBJeDK1HSFHD8bHKD6kv8FPGfJTotc+2xjJwoYi+1hqp1fIekaxsyQIDAQAB
AoGBAJR8ZkCUvx5kzv+utdl7T5MnordT1TvoXXJGXK7ZZ+UuvMNUCdN2QPc4sBiA
QWvLw1cSKt5DsKZ8UETpYPy8pPYnnDEz2dDYiaew9+xEpubyeW2oH4Zx71wqBtOK
kqwrXa/pzdpiucRRjk6vE6YY7EBBs/g7uanVpGibOVAEsqH1AkEA7DkjVH28WDUg
f1nqvfn2Kj6CT7nIcE3jGJsZZ7zlZmBmHFDONMLUrXR/Zm3pR5m0tCmBqa5RK95u
412jt1dPIwJBANJT3v8pnkth48bQo/fKel6uEYyboRtA5/uHuHkZ6FQF7OUkGogc
mSJluOdc5t6hI1VsLn0QZEjQZMEOWr+wKSMCQQCC4kXJEsHAve77oP6HtG/IiEn7
kpyUXRNvFsDE0czpJJBvL/aRFUJxuRK91jhjC68sA7NsKMGg5OXb5I5Jj36xAkEA
gIT7aFOYBFwGgQAQkWNKLvySgKbAZRTeLBacpHMuQdl1DfdntvAyqpAZ0lY0RKmW
G6aFKaqQfOXKCyWoUiVknQJAXrlgySFci/2ueKlIE1QqIiLSZ8V8OlpFLRnb1pzI
7U1yQXnTAEFYM560yJlzUpOb1V4cScGd365tiSMvxLOvTA==
-----END RSA PRIVATE KEY-----
)";

const KeyPair& rsa_key() {
    static const KeyPair key = KeyPair::from_private_pem(appendix_key_pem);
    return key;
}

const KeyPair& ed25519_key() {
    static const KeyPair key = [] {
        EvpPkeyPtr raw(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
        std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
        PEM_write_bio_PrivateKey(bio.get(), raw.get(), nullptr, nullptr, 0, nullptr, nullptr);
        char* pem = nullptr;
        const long length = BIO_get_mem_data(bio.get(), &pem);
        return KeyPair::from_private_pem(std::string_view(pem, static_cast<std::size_t>(length)));
    }();
    return key;
}

std::string_view next_line(std::string_view& rest) {
    const std::size_t newline = rest.find('\n');
    const std::string_view line = rest.substr(0, newline);
    rest = newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);
    return line;
}

void check_printable(const std::string& detail) {
    for (char c : detail)
        if (c < 0x20 || c > 0x7e) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view rest(reinterpret_cast<const char*>(data), size);
    const std::string_view signature_header = next_line(rest);
    HttpMessage message;
    message.method = next_line(rest);
    message.target = next_line(rest);
    message.authority = next_line(rest);
    message.scheme = "https";
    while (!rest.empty()) {
        const std::string_view line = next_line(rest);
        if (line.empty()) break;
        const std::size_t colon = line.find(':');
        std::string name(line.substr(0, colon));
        for (char& c : name) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
        message.headers.emplace_back(std::move(name),
                                     colon == std::string_view::npos ? "" : std::string(line.substr(colon + 1)));
    }
    message.body = rest;

    auto parsed = parse_signature_header(signature_header);
    if (auto* signature = std::get_if<CavageSignature>(&parsed)) {
        if (signature->key_id.empty() || signature->signature.empty() || signature->headers.empty()) std::abort();
        if (auto text = signing_string(*signature, message); auto* string = std::get_if<std::string>(&text)) {
            (void)verify_signature_bytes(*signature, *string, rsa_key().get());
            (void)verify_signature_bytes(*signature, *string, ed25519_key().get());
        }
        // Whatever we agree to sign must verify.
        HttpMessage copy = message;
        std::erase_if(copy.headers, [](const auto& header) { return header.first == "signature"; });
        bool signed_it = true;
        try {
            sign_request(copy, ed25519_key(), "https://example.org/users/blog#key", signature->headers, now);
        } catch (const std::invalid_argument&) {
            signed_it = false;  // e.g. a covered header that is missing
        }
        if (signed_it) {
            auto ours = parse_signature_header(*copy.joined("signature"));
            if (!std::holds_alternative<CavageSignature>(ours)) std::abort();
            auto text = signing_string(std::get<CavageSignature>(ours), copy);
            if (!std::holds_alternative<std::string>(text)) std::abort();
            if (verify_signature_bytes(std::get<CavageSignature>(ours), std::get<std::string>(text),
                                       ed25519_key().get()))
                std::abort();
        }
    }

    message.headers.emplace_back("signature", signature_header);
    auto claim = read_signature(message, now);
    if (auto* failure = std::get_if<VerificationFailure>(&claim)) {
        check_printable(failure->detail);
        (void)to_string(failure->reason);
    } else {
        const auto& c = std::get<SignatureClaim>(claim);
        for (EVP_PKEY* key : {rsa_key().get(), ed25519_key().get()}) {
            const VerificationResult result = verify_signature(c, key);
            if (result.failure) check_printable(result.failure->detail);
        }
    }
    return 0;
}
