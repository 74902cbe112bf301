#include "keys/rsa_verifier.hpp"

#include <openssl/err.h>
#include <openssl/rsa.h>

#include "keys/digest.hpp"
#include "keys/fetched_digests.hpp"
#include "keys/prepared_context.hpp"

namespace fedblog::keys {

namespace {

PkeyCtxPtr prepare_verify(EVP_PKEY* key) {
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new(key, nullptr));
    if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1 ||
        EVP_PKEY_CTX_set_signature_md(ctx.get(), sha256_digest()) != 1)
        return nullptr;
    return ctx;
}

}  // namespace

bool verify_rsa_pkcs1_sha256(EVP_PKEY* key, std::string_view data, std::string_view signature) {
    thread_local PreparedContexts contexts(32);
    EVP_PKEY_CTX* ctx = contexts.get(key, prepare_verify);
    bool verified = false;
    if (ctx) {
        const Sha256 digest = sha256(data);
        verified = EVP_PKEY_verify(ctx, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                                   digest.data(), digest.size()) == 1;
    }
    // A failure (a wrong-length signature, say) leaves errors behind; they are not ours to report. Only
    // then: clearing an empty queue still costs a lookup of the thread's error state.
    if (!verified) ERR_clear_error();
    return verified;
}

}  // namespace fedblog::keys
