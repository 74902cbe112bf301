#include "keys/rsa_verifier.hpp"

#include <openssl/err.h>
#include <openssl/rsa.h>

#include <memory>
#include <vector>

#include "keys/digest.hpp"
#include "keys/fetched_digests.hpp"

namespace fedblog::keys {

namespace {

struct CtxDeleter {
    void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};
using CtxPtr = std::unique_ptr<EVP_PKEY_CTX, CtxDeleter>;

// A context holds a reference to its key, so a cached key's address cannot be reused by another key
// while it is here: matching on the pointer is safe.
struct PreparedContext {
    EVP_PKEY* key;
    CtxPtr ctx;
};

constexpr std::size_t contexts_per_thread = 32;

EVP_PKEY_CTX* prepared_context(EVP_PKEY* key) {
    thread_local std::vector<PreparedContext> cache;
    for (auto& entry : cache)
        if (entry.key == key) return entry.ctx.get();
    CtxPtr ctx(EVP_PKEY_CTX_new(key, nullptr));
    if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1 ||
        EVP_PKEY_CTX_set_signature_md(ctx.get(), sha256_digest()) != 1)
        return nullptr;
    if (cache.size() >= contexts_per_thread) cache.erase(cache.begin());  // oldest first out
    cache.push_back({key, std::move(ctx)});
    return cache.back().ctx.get();
}

}  // namespace

bool verify_rsa_pkcs1_sha256(EVP_PKEY* key, std::string_view data, std::string_view signature) {
    EVP_PKEY_CTX* ctx = prepared_context(key);
    if (!ctx) {
        ERR_clear_error();
        return false;
    }
    const Sha256 digest = sha256(data);
    bool verified = EVP_PKEY_verify(ctx, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                                    digest.data(), digest.size()) == 1;
    ERR_clear_error();  // a wrong-length signature leaves errors behind; they are not ours to report
    return verified;
}

}  // namespace fedblog::keys
