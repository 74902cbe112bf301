// The session cache's own rules on OpenSSL session objects: single use of TLS 1.3 tickets, reuse of TLS 1.2
// sessions, expiry, the bounds (per origin, origins, bytes, age) and use from several threads. Resumption over
// real connections is in tls_resumption_test.cpp.
#include "activitypub/transport/tls_session_cache.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <ctime>
#include <string>
#include <thread>
#include <vector>

namespace fedblog::transport {
namespace {

using Session = TlsSessionCache::Session;

// The cipher suite a handshake of that version could have agreed (TLS_AES_128_GCM_SHA256,
// ECDHE-ECDSA-AES128-GCM-SHA256).
const SSL_CIPHER* cipher(int version) {
    static SSL_CTX* context = SSL_CTX_new(TLS_client_method());
    static SSL* ssl = SSL_new(context);
    const unsigned char* code = reinterpret_cast<const unsigned char*>(version == TLS1_3_VERSION ? "\x13\x01"
                                                                                               : "\xc0\x2b");
    return SSL_CIPHER_find(ssl, code);
}

// A session as a handshake leaves it: a protocol version and cipher, an id (what makes it resumable), a lifetime.
Session session(int version, long age_seconds = 0, long timeout_seconds = 300) {
    static std::atomic<unsigned> next_id{0};
    Session made(SSL_SESSION_new());
    EXPECT_NE(made, nullptr);
    unsigned id = ++next_id;
    EXPECT_EQ(SSL_SESSION_set_protocol_version(made.get(), version), 1);
    EXPECT_EQ(SSL_SESSION_set_cipher(made.get(), cipher(version)), 1);
    EXPECT_EQ(SSL_SESSION_set1_id(made.get(), reinterpret_cast<const unsigned char*>(&id), sizeof id), 1);
    SSL_SESSION_set_time(made.get(), static_cast<long>(std::time(nullptr)) - age_seconds);
    SSL_SESSION_set_timeout(made.get(), timeout_seconds);
    return made;
}

TEST(TlsSessionCache, NothingKeptNothingTaken) {
    auto cache = TlsSessionCache::create();
    EXPECT_EQ(cache->take("https://remote.test"), nullptr);
}

TEST(TlsSessionCache, ATls13TicketIsTakenOnceNewestFirst) {
    auto cache = TlsSessionCache::create();
    auto older = session(TLS1_3_VERSION), newer = session(TLS1_3_VERSION);
    SSL_SESSION* older_ptr = older.get();
    SSL_SESSION* newer_ptr = newer.get();
    cache->put("https://remote.test", std::move(older));
    cache->put("https://remote.test", std::move(newer));
    EXPECT_EQ(cache->take("https://remote.test").get(), newer_ptr);
    EXPECT_EQ(cache->take("https://remote.test").get(), older_ptr);
    EXPECT_EQ(cache->take("https://remote.test"), nullptr);
    EXPECT_EQ(cache->size(), 0u);
}

TEST(TlsSessionCache, ATls12SessionStaysForMoreConnections) {
    auto cache = TlsSessionCache::create();
    auto kept = session(TLS1_2_VERSION);
    SSL_SESSION* kept_ptr = kept.get();
    cache->put("https://remote.test", std::move(kept));
    for (int i = 0; i < 3; ++i) {
        // A copy each time: a connection that ends without close_notify marks its session unresumable.
        auto taken = cache->take("https://remote.test");
        ASSERT_NE(taken, nullptr);
        EXPECT_NE(taken.get(), kept_ptr);
        unsigned id_length = 0, kept_length = 0;
        const unsigned char* id = SSL_SESSION_get_id(taken.get(), &id_length);
        const unsigned char* kept_id = SSL_SESSION_get_id(kept_ptr, &kept_length);
        EXPECT_EQ(std::string(reinterpret_cast<const char*>(id), id_length),
                  std::string(reinterpret_cast<const char*>(kept_id), kept_length));
    }
    EXPECT_EQ(cache->size(), 1u);
}

TEST(TlsSessionCache, OriginsAreKeptApart) {
    auto cache = TlsSessionCache::create();
    cache->put("https://remote.test", session(TLS1_3_VERSION));
    EXPECT_EQ(cache->take("https://other.test"), nullptr);
    EXPECT_EQ(cache->take("https://remote.test:8443"), nullptr);
    EXPECT_NE(cache->take("https://remote.test"), nullptr);
}

TEST(TlsSessionCache, ExpiredAndUnresumableSessionsAreNotOffered) {
    auto cache = TlsSessionCache::create();
    cache->put("https://remote.test", session(TLS1_3_VERSION, 400, 300));  // lived out its 300 s already
    EXPECT_EQ(cache->size(), 1u);  // put keeps what it is given; take looks at the clock
    EXPECT_EQ(cache->take("https://remote.test"), nullptr);
    EXPECT_EQ(cache->size(), 0u);

    Session without_id(SSL_SESSION_new());  // nothing to resume with
    SSL_SESSION_set_protocol_version(without_id.get(), TLS1_3_VERSION);
    cache->put("https://remote.test", std::move(without_id));
    EXPECT_EQ(cache->size(), 0u);
    cache->put("https://remote.test", nullptr);
    EXPECT_EQ(cache->size(), 0u);
}

TEST(TlsSessionCache, AFewPerOriginTheOldestDropped) {
    auto cache = TlsSessionCache::create({.per_origin = 2});
    std::vector<SSL_SESSION*> put;
    for (int i = 0; i < 3; ++i) {
        auto made = session(TLS1_3_VERSION);
        put.push_back(made.get());
        cache->put("https://remote.test", std::move(made));
    }
    EXPECT_EQ(cache->size(), 2u);
    EXPECT_EQ(cache->take("https://remote.test").get(), put[2]);
    EXPECT_EQ(cache->take("https://remote.test").get(), put[1]);
    EXPECT_EQ(cache->take("https://remote.test"), nullptr);
}

TEST(TlsSessionCache, TheLeastRecentlyUsedOriginIsForgotten) {
    auto cache = TlsSessionCache::create({.max_origins = 2});
    cache->put("https://a.test", session(TLS1_2_VERSION));
    cache->put("https://b.test", session(TLS1_2_VERSION));
    EXPECT_NE(cache->take("https://a.test"), nullptr);  // a used after b
    cache->put("https://c.test", session(TLS1_2_VERSION));
    EXPECT_EQ(cache->take("https://b.test"), nullptr);
    EXPECT_NE(cache->take("https://a.test"), nullptr);
    EXPECT_NE(cache->take("https://c.test"), nullptr);
    EXPECT_EQ(cache->size(), 2u);
}

TEST(TlsSessionCache, SeveralThreadsPutAndTake) {
    auto cache = TlsSessionCache::create({.per_origin = 3, .max_origins = 8});
    std::atomic<int> taken{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 2000; ++i) {
                std::string origin = "https://h" + std::to_string((i + t) % 12) + ".test";
                cache->put(origin, session(i % 2 ? TLS1_3_VERSION : TLS1_2_VERSION));
                if (cache->take(origin)) ++taken;
            }
        });
    for (auto& thread : threads) thread.join();
    EXPECT_GT(taken.load(), 0);
    EXPECT_LE(cache->size(), 3u * 8u);
}

std::size_t encoded_size(const Session& session) {
    return static_cast<std::size_t>(i2d_SSL_SESSION(session.get(), nullptr));
}

TEST(TlsSessionCache, BytesAreCountedAndGivenBackWhenTaken) {
    auto cache = TlsSessionCache::create();
    auto first = session(TLS1_3_VERSION), second = session(TLS1_3_VERSION);
    std::size_t expected = encoded_size(first) + encoded_size(second) + 3000;  // one chain for the origin
    cache->put("https://remote.test", std::move(first), 3000);
    cache->put("https://remote.test", std::move(second), 3000);
    EXPECT_EQ(cache->bytes(), expected);
    while (cache->take("https://remote.test")) {
    }
    EXPECT_EQ(cache->bytes(), 0u);
}

TEST(TlsSessionCache, AnOversizedSessionIsNotKept) {
    auto cache = TlsSessionCache::create({.max_session_bytes = 8 << 10});
    cache->put("https://remote.test", session(TLS1_3_VERSION), 100 << 10);  // a 100 KB certificate chain
    EXPECT_EQ(cache->size(), 0u);
    EXPECT_EQ(cache->bytes(), 0u);
    cache->put("https://remote.test", session(TLS1_3_VERSION), 4 << 10);
    EXPECT_EQ(cache->size(), 1u);
}

TEST(TlsSessionCache, TheByteBudgetForgetsTheLeastRecentlyUsedOrigins) {
    auto probe = session(TLS1_2_VERSION);
    std::size_t one = encoded_size(probe) + 1000;
    auto cache = TlsSessionCache::create({.max_bytes = 3 * one + one / 2});
    for (const char* origin : {"https://a.test", "https://b.test", "https://c.test"})
        cache->put(origin, session(TLS1_2_VERSION), 1000);
    EXPECT_NE(cache->take("https://a.test"), nullptr);  // b is now the least recently used
    cache->put("https://d.test", session(TLS1_2_VERSION), 1000);
    EXPECT_EQ(cache->take("https://b.test"), nullptr);
    for (const char* origin : {"https://a.test", "https://c.test", "https://d.test"})
        EXPECT_NE(cache->take(origin), nullptr) << origin;
    EXPECT_LE(cache->bytes(), 3 * one + one / 2);
}

TEST(TlsSessionCache, ALifetimeLongerThanTheCapEndsAtTheCap) {
    auto cache = TlsSessionCache::create({.max_age_seconds = 3600});
    cache->put("https://old.test", session(TLS1_3_VERSION, 2 * 3600, 7 * 24 * 3600));  // granted a week
    cache->put("https://young.test", session(TLS1_3_VERSION, 60, 7 * 24 * 3600));
    EXPECT_EQ(cache->take("https://old.test"), nullptr);
    EXPECT_NE(cache->take("https://young.test"), nullptr);
}

}  // namespace
}  // namespace fedblog::transport
