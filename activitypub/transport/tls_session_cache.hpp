#pragma once
// TLS sessions kept per origin so the next connection to the same server resumes instead of doing a full
// handshake: the server skips its certificate signature, fedblog the chain verification. A session is offered
// only to the exact host name (or IP literal) and port it was verified for: servers commonly share ticket keys
// across names, and a resumed handshake carries no certificate, so the key is what binds a session to a name.
//
// TLS 1.3 tickets arrive after the handshake (on the first read), so sessions reach the cache through the
// context's new-session callback, for connections tied to an origin with offer(). Thread-safe.
#include <openssl/ssl.h>

#include <cstddef>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace fedblog::transport {

// Remote servers choose what they send (tickets up to 64 KB, long certificate chains, lifetimes of days), so what
// is kept is bounded in count, bytes and age. Sizes are DER-encoded: i2d_SSL_SESSION (leaf certificate, ticket,
// secrets) per session, plus the peer's chain once per origin.
struct TlsSessionBounds {
    std::size_t per_origin = 4;                // a few: TLS 1.3 tickets are used once each
    std::size_t max_origins = 1024;            // the least recently used forgotten first
    std::size_t max_bytes = 16 << 20;
    std::size_t max_session_bytes = 16 << 10;  // with the chain: larger sessions are not kept at all
    long max_age_seconds = 24 * 3600;          // whatever lifetime the server grants
};

class TlsSessionCache : public std::enable_shared_from_this<TlsSessionCache> {
public:
    struct SessionFree {
        void operator()(SSL_SESSION* session) const { SSL_SESSION_free(session); }
    };
    using Session = std::unique_ptr<SSL_SESSION, SessionFree>;

    // Told of each session kept, after it is (a TLS 1.3 ticket is single_use); from any thread.
    using KeptListener = std::function<void(const std::string& origin, bool single_use)>;

    static std::shared_ptr<TlsSessionCache> create(TlsSessionBounds bounds = {}, KeptListener on_kept = {});

    // Makes a client context keep no sessions itself and hand new ones to the cache their connection was tied to.
    static void install(SSL_CTX* context);

    // Before the handshake on `ssl`: ties it to origin, so the sessions it gets are kept for origin, and sets a
    // session kept for origin, if any, to be offered. Returns whether one was.
    bool offer(SSL* ssl, const std::string& origin);

    // A resumable, unexpired session for origin, or null. A TLS 1.3 ticket leaves the cache (the server accepts
    // it once at most); a TLS 1.2 session stays, since it resumes any number of times, and a copy is returned.
    Session take(const std::string& origin);
    // Keeps a session got from a verified connection to origin (the newest is taken first); chain_bytes is the
    // size of the peer's certificate chain the session holds on to.
    void put(const std::string& origin, Session session, std::size_t chain_bytes = 0);

    std::size_t size() const;   // sessions kept
    std::size_t bytes() const;  // their estimated size, as counted against max_bytes

private:
    TlsSessionCache(TlsSessionBounds bounds, KeptListener on_kept) : bounds_(bounds), on_kept_(std::move(on_kept)) {}

    struct Held {
        Session session;
        std::size_t bytes;
    };
    struct Kept {
        std::vector<Held> sessions;                // oldest first
        std::size_t chain_bytes = 0;
        std::list<std::string>::iterator recency;  // its place in recency_
    };

    // put's part under the lock: whether the session is still kept once the bounds are applied.
    bool keep(const std::string& origin, Session session, std::size_t session_bytes, std::size_t chain_bytes);
    // Drops sessions that can no longer resume: expired, too old, or not resumable at all.
    void drop_unusable(Kept& kept);
    void drop_front(Kept& kept);
    void forget(std::map<std::string, Kept>::iterator origin);
    void touch(Kept& kept);

    const TlsSessionBounds bounds_;
    const KeptListener on_kept_;
    mutable std::mutex mutex_;
    std::map<std::string, Kept> kept_;
    std::list<std::string> recency_;  // origins, most recently used first
    std::size_t bytes_ = 0;
};

}  // namespace fedblog::transport
