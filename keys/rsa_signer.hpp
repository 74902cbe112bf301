#pragma once
// RSASSA-PKCS1-v1_5 with SHA-256 signing on a prepared OpenSSL context, the counterpart of rsa_verifier:
// every delivery signs once, and setting up a digest-sign context per signature (two context allocations,
// the key's provider data looked up again) is overhead the RSA operation itself does not need.
#include <openssl/evp.h>

#include <string_view>
#include <vector>

namespace fedblog::keys {

// key's PKCS#1 v1.5 SHA-256 signature of `data`. `key` must be an RSA private key. Throws std::runtime_error
// with OpenSSL's reason when signing fails.
std::vector<unsigned char> sign_rsa_pkcs1_sha256(EVP_PKEY* key, std::string_view data);

}  // namespace fedblog::keys
