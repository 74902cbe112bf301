#pragma once
// Per-thread OpenSSL contexts already set up for one key each, shared by rsa_signer and rsa_verifier:
// setting a context up (key, padding, digest) costs about a third of an RSA-2048 verification, so each
// thread keeps the contexts of the keys it used recently and reuses them. Internal to keys/.
#include <openssl/evp.h>

#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

namespace fedblog::keys {

struct PkeyCtxDeleter {
    void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter>;

// One thread's cache: declare it thread_local. A context holds a reference to its key, so the address of
// a key cached here cannot be reused by another key while the entry lives: matching on the pointer is
// safe (a rotated or refetched key is a new EVP_PKEY).
class PreparedContexts {
public:
    explicit PreparedContexts(std::size_t capacity) : capacity_(capacity) {}

    // The context for `key`, made by `prepare(key)` (a PkeyCtxPtr, null when it fails) the first time.
    // Null when preparing fails; nothing is cached then. Beyond the capacity the oldest entry goes.
    template <typename Prepare>
    EVP_PKEY_CTX* get(EVP_PKEY* key, Prepare&& prepare) {
        for (auto& entry : entries_)
            if (entry.key == key) return entry.ctx.get();
        PkeyCtxPtr ctx = std::forward<Prepare>(prepare)(key);
        if (!ctx) return nullptr;
        if (entries_.size() >= capacity_) entries_.erase(entries_.begin());
        entries_.push_back({key, std::move(ctx)});
        return entries_.back().ctx.get();
    }

    std::size_t size() const { return entries_.size(); }

private:
    struct Entry {
        EVP_PKEY* key;
        PkeyCtxPtr ctx;
    };
    std::size_t capacity_;
    std::vector<Entry> entries_;
};

}  // namespace fedblog::keys
