#include "keys/rsa_signer.hpp"

#include <openssl/rsa.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "keys/digest.hpp"
#include "keys/fetched_digests.hpp"
#include "keys/key_pair.hpp"

namespace fedblog::keys {

namespace {

struct CtxDeleter {
    void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};
using CtxPtr = std::unique_ptr<EVP_PKEY_CTX, CtxDeleter>;

// A context holds a reference to its key, so the address of a key cached here cannot be reused by another
// key while the entry lives: matching on the pointer is safe (a rotated key is a new EVP_PKEY).
struct PreparedContext {
    EVP_PKEY* key;
    CtxPtr ctx;
};

constexpr std::size_t contexts_per_thread = 4;  // the blog's key, and the one before a rotation

EVP_PKEY_CTX* prepared_context(EVP_PKEY* key) {
    thread_local std::vector<PreparedContext> cache;
    for (auto& entry : cache)
        if (entry.key == key) return entry.ctx.get();
    CtxPtr ctx(EVP_PKEY_CTX_new(key, nullptr));
    if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1 || EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1 ||
        EVP_PKEY_CTX_set_signature_md(ctx.get(), sha256_digest()) != 1)
        throw std::runtime_error("signing: " + openssl_error());
    if (cache.size() >= contexts_per_thread) cache.erase(cache.begin());  // oldest first out
    cache.push_back({key, std::move(ctx)});
    return cache.back().ctx.get();
}

}  // namespace

std::vector<unsigned char> sign_rsa_pkcs1_sha256(EVP_PKEY* key, std::string_view data) {
    EVP_PKEY_CTX* ctx = prepared_context(key);
    const Sha256 digest = sha256(data);
    std::size_t length = 0;
    if (EVP_PKEY_sign(ctx, nullptr, &length, digest.data(), digest.size()) != 1)
        throw std::runtime_error("signing: " + openssl_error());
    std::vector<unsigned char> signature(length);
    if (EVP_PKEY_sign(ctx, signature.data(), &length, digest.data(), digest.size()) != 1)
        throw std::runtime_error("signing: " + openssl_error());
    signature.resize(length);
    return signature;
}

}  // namespace fedblog::keys
