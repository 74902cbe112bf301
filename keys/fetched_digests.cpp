#include "keys/fetched_digests.hpp"

#include <stdexcept>

namespace fedblog::keys {

namespace {

const EVP_MD* fetch(const char* name) {
    // Kept for the life of the process on purpose: freeing at exit would race threads still verifying.
    EVP_MD* digest = EVP_MD_fetch(nullptr, name, nullptr);
    if (!digest) throw std::runtime_error(std::string("OpenSSL has no ") + name);
    return digest;
}

}  // namespace

const EVP_MD* sha256_digest() {
    static const EVP_MD* digest = fetch("SHA2-256");
    return digest;
}

const EVP_MD* sha512_digest() {
    static const EVP_MD* digest = fetch("SHA2-512");
    return digest;
}

}  // namespace fedblog::keys
