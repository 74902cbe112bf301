#pragma once
// The actor's key pair: RAII over OpenSSL 3 EVP_PKEY, PEM in and out, and the private key file
// (mode 0600, written atomically, never world-readable even for an instant).
#include <openssl/evp.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace fedblog::keys {

struct EvpPkeyDeleter {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyDeleter>;

class KeyPair {
public:
    static KeyPair generate_rsa(unsigned bits = 2048);
    // Throws std::runtime_error (with OpenSSL's reason) when the PEM holds no private key.
    static KeyPair from_private_pem(std::string_view pem);

    std::string private_pem() const;  // PKCS#8
    std::string public_pem() const;   // SubjectPublicKeyInfo, what actors publish as publicKeyPem
    EVP_PKEY* get() const { return key_.get(); }

private:
    explicit KeyPair(EvpPkeyPtr key) : key_(std::move(key)) {}
    EvpPkeyPtr key_;
};

// A public key from its SubjectPublicKeyInfo PEM (what actors publish). Throws std::runtime_error with
// OpenSSL's reason when the PEM holds no public key.
EvpPkeyPtr public_key_from_pem(std::string_view pem);

// Writes the private key to `file` with mode 0600: a temporary file in the same folder, fsync, rename.
void write_private_key(const std::filesystem::path& file, const KeyPair& key);

// Reads the key at `file`, or generates and writes one when the file does not exist. Refuses a key file
// that group or others can read (an operator's mistake that would leak the blog's identity).
struct LoadedKey {
    KeyPair key;
    bool created;
};
LoadedKey load_or_create(const std::filesystem::path& file);

// Replaces the key at `file` with a new RSA-2048 key. The old one stays beside it as
// "<file>.retired-<now>" (mode 0600), for an operator who must roll back. Returns the new key.
KeyPair rotate_key(const std::filesystem::path& file, std::int64_t now);

// The last OpenSSL error as text, and clears the queue.
std::string openssl_error();

}  // namespace fedblog::keys
