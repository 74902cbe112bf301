#include "keys/rsa_signer.hpp"

#include <openssl/rsa.h>

#include <stdexcept>
#include <string>

#include "keys/digest.hpp"
#include "keys/fetched_digests.hpp"
#include "keys/key_pair.hpp"
#include "keys/prepared_context.hpp"

namespace fedblog::keys {

namespace {

PkeyCtxPtr prepare_sign(EVP_PKEY* key) {
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new(key, nullptr));
    if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1 || EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1 ||
        EVP_PKEY_CTX_set_signature_md(ctx.get(), sha256_digest()) != 1)
        throw std::runtime_error("signing: " + openssl_error());
    return ctx;
}

}  // namespace

std::vector<unsigned char> sign_rsa_pkcs1_sha256(EVP_PKEY* key, std::string_view data) {
    thread_local PreparedContexts contexts(4);  // the blog's key, and the one before a rotation
    EVP_PKEY_CTX* ctx = contexts.get(key, prepare_sign);
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
