#include "keys/key_pair.hpp"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace fedblog::keys {

namespace {

struct BioDeleter {
    void operator()(BIO* bio) const { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

struct CtxDeleter {
    void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};

std::string bio_to_string(BIO* bio) {
    char* data = nullptr;
    long length = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<std::size_t>(length));
}

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error(what + ": " + openssl_error()); }

[[noreturn]] void fail_errno(const std::string& what) { throw std::runtime_error(what + ": " + std::strerror(errno)); }

}  // namespace

std::string openssl_error() {
    unsigned long code = ERR_get_error();
    if (code == 0) return "unknown OpenSSL error";
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    ERR_clear_error();
    return buffer;
}

KeyPair KeyPair::generate_rsa(unsigned bits) {
    std::unique_ptr<EVP_PKEY_CTX, CtxDeleter> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
    if (!ctx || EVP_PKEY_keygen_init(ctx.get()) <= 0) fail("RSA keygen init");
    if (EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), static_cast<int>(bits)) <= 0) fail("RSA key size");
    EVP_PKEY* raw = nullptr;
    if (EVP_PKEY_generate(ctx.get(), &raw) <= 0) fail("RSA key generation");
    return KeyPair(EvpPkeyPtr(raw));
}

KeyPair KeyPair::from_private_pem(std::string_view pem) {
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio) fail("BIO_new_mem_buf");
    EVP_PKEY* raw = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
    if (!raw) fail("not a PEM private key");
    return KeyPair(EvpPkeyPtr(raw));
}

EvpPkeyPtr public_key_from_pem(std::string_view pem) {
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio) fail("BIO_new_mem_buf");
    EVP_PKEY* raw = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
    if (!raw) fail("not a PEM public key");
    return EvpPkeyPtr(raw);
}

std::string KeyPair::private_pem() const {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
        fail("writing private key PEM");
    return bio_to_string(bio.get());
}

std::string KeyPair::public_pem() const {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1) fail("writing public key PEM");
    return bio_to_string(bio.get());
}

void write_private_key(const std::filesystem::path& file, const KeyPair& key) {
    const std::string pem = key.private_pem();
    std::filesystem::path temporary = file;
    temporary += ".tmp";
    std::filesystem::remove(temporary);
    // O_EXCL + 0600 at creation: the key is never readable by others, not even before a chmod.
    int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) fail_errno("cannot create " + temporary.string());
    std::size_t written = 0;
    while (written < pem.size()) {
        ssize_t n = ::write(fd, pem.data() + written, pem.size() - written);
        if (n < 0) {
            if (errno == EINTR) continue;
            ::close(fd);
            fail_errno("cannot write " + temporary.string());
        }
        written += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) fail_errno("cannot sync " + temporary.string());
    std::filesystem::rename(temporary, file);
}

LoadedKey load_or_create(const std::filesystem::path& file) {
    struct stat info {};
    if (::stat(file.c_str(), &info) != 0) {
        if (errno != ENOENT) fail_errno("cannot read " + file.string());
        KeyPair key = KeyPair::generate_rsa();
        write_private_key(file, key);
        return {std::move(key), true};
    }
    if (info.st_mode & (S_IRWXG | S_IRWXO))
        throw std::runtime_error(file.string() + " is readable by group or others; run: chmod 600 " + file.string());
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) fail_errno("cannot read " + file.string());
    try {
        return {KeyPair::from_private_pem(text.str()), false};
    } catch (const std::runtime_error& e) {
        throw std::runtime_error(file.string() + ": " + e.what());
    }
}

KeyPair rotate_key(const std::filesystem::path& file, std::int64_t now) {
    KeyPair fresh = KeyPair::generate_rsa();
    std::filesystem::path retired = file;
    retired += ".retired-" + std::to_string(now);
    if (std::filesystem::exists(file)) {
        // A hard link keeps the old key reachable while the new one is renamed over `file`: no moment
        // without a key file, whatever happens in between.
        std::filesystem::create_hard_link(file, retired);
    }
    write_private_key(file, fresh);
    return fresh;
}

}  // namespace fedblog::keys
