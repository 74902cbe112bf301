// The session cache's own rules on OpenSSL session objects: single use of TLS 1.3 tickets, reuse of TLS 1.2
// sessions, expiry, the bounds per origin and overall, and use from several threads. Resumption over real
// connections is in tls_resumption_test.cpp.
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

// A session as a handshake leaves it: a protocol version, an id (what makes it resumable), a lifetime.
Session session(int version, long age_seconds = 0, long timeout_seconds = 300) {
    static std::atomic<unsigned> next_id{0};
    Session made(SSL_SESSION_new());
    EXPECT_NE(made, nullptr);
    unsigned id = ++next_id;
    EXPECT_EQ(SSL_SESSION_set_protocol_version(made.get(), version), 1);
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
    auto cache = TlsSessionCache::create(2, 10);
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
    auto cache = TlsSessionCache::create(4, 2);
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
    auto cache = TlsSessionCache::create(3, 8);
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

}  // namespace
}  // namespace fedblog::transport
