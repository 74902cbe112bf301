#include "keys/prepared_context.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

#include "keys/key_pair.hpp"

using namespace fedblog::keys;

namespace {

// A verify context for `key`, counting how often one is made.
struct CountingPrepare {
    int* made;
    PkeyCtxPtr operator()(EVP_PKEY* key) const {
        ++*made;
        PkeyCtxPtr ctx(EVP_PKEY_CTX_new(key, nullptr));
        if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1) return nullptr;
        return ctx;
    }
};

// P-256 keys: cheap to make, and they take a plain verify context (Ed25519 keys do not).
EvpPkeyPtr ec_key() {
    EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    if (!key) throw std::runtime_error("no P-256 key");
    return key;
}

}  // namespace

TEST(PreparedContexts, PreparesOncePerKeyAndReusesTheContext) {
    const EvpPkeyPtr a = ec_key(), b = ec_key();
    PreparedContexts contexts(4);
    int made = 0;
    EVP_PKEY_CTX* first = contexts.get(a.get(), CountingPrepare{&made});
    ASSERT_NE(first, nullptr);
    EXPECT_EQ(contexts.get(a.get(), CountingPrepare{&made}), first);
    EXPECT_EQ(made, 1);
    EVP_PKEY_CTX* other = contexts.get(b.get(), CountingPrepare{&made});
    ASSERT_NE(other, nullptr);
    EXPECT_NE(other, first);
    EXPECT_EQ(EVP_PKEY_CTX_get0_pkey(other), b.get());
    EXPECT_EQ(made, 2);
    EXPECT_EQ(contexts.size(), 2u);
}

TEST(PreparedContexts, DropsTheOldestBeyondItsCapacity) {
    std::vector<EvpPkeyPtr> keys;
    for (int i = 0; i < 3; ++i) keys.push_back(ec_key());
    PreparedContexts contexts(2);
    int made = 0;
    for (const EvpPkeyPtr& key : keys) ASSERT_NE(contexts.get(key.get(), CountingPrepare{&made}), nullptr);
    EXPECT_EQ(contexts.size(), 2u);
    EXPECT_EQ(made, 3);
    contexts.get(keys[2].get(), CountingPrepare{&made});  // still there
    contexts.get(keys[1].get(), CountingPrepare{&made});
    EXPECT_EQ(made, 3);
    contexts.get(keys[0].get(), CountingPrepare{&made});  // was dropped: made again
    EXPECT_EQ(made, 4);
    EXPECT_EQ(contexts.size(), 2u);
}

TEST(PreparedContexts, CachesNothingWhenPreparingFails) {
    const EvpPkeyPtr key = ec_key();
    PreparedContexts contexts(4);
    int attempts = 0;
    auto failing = [&](EVP_PKEY*) {
        ++attempts;
        return PkeyCtxPtr();
    };
    EXPECT_EQ(contexts.get(key.get(), failing), nullptr);
    EXPECT_EQ(contexts.get(key.get(), failing), nullptr);
    EXPECT_EQ(attempts, 2);
    EXPECT_EQ(contexts.size(), 0u);
}

TEST(PreparedContexts, AContextKeepsItsKeyAlive) {
    // What makes matching on the key's address safe: the cached context holds a reference, so the key
    // cannot be freed (and its address reused by another key) while the entry lives.
    PreparedContexts contexts(4);
    int made = 0;
    EVP_PKEY* raw = nullptr;
    {
        const EvpPkeyPtr key = ec_key();
        raw = key.get();
        ASSERT_NE(contexts.get(raw, CountingPrepare{&made}), nullptr);
    }
    EVP_PKEY_CTX* ctx = contexts.get(raw, CountingPrepare{&made});
    EXPECT_EQ(made, 1);
    EXPECT_EQ(EVP_PKEY_CTX_get0_pkey(ctx), raw);
    EXPECT_EQ(EVP_PKEY_get_base_id(EVP_PKEY_CTX_get0_pkey(ctx)), EVP_PKEY_EC);
}
