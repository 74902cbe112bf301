#pragma once
// RSASSA-PKCS1-v1_5 with SHA-256 verification on a prepared OpenSSL context (keys/prepared_context.hpp):
// each thread keeps the contexts of the keys it verified recently and only hashes and verifies per call.
#include <openssl/evp.h>

#include <string_view>

namespace fedblog::keys {

// True when `signature` is key's PKCS#1 v1.5 SHA-256 signature of `data`. `key` must be an RSA key.
bool verify_rsa_pkcs1_sha256(EVP_PKEY* key, std::string_view data, std::string_view signature);

}  // namespace fedblog::keys
