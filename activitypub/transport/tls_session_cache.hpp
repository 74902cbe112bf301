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
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace fedblog::transport {

class TlsSessionCache : public std::enable_shared_from_this<TlsSessionCache> {
public:
    struct SessionFree {
        void operator()(SSL_SESSION* session) const { SSL_SESSION_free(session); }
    };
    using Session = std::unique_ptr<SSL_SESSION, SessionFree>;

    // At most per_origin sessions for one origin (a few: TLS 1.3 tickets are used once each) and max_origins
    // origins, the least recently used forgotten first.
    static std::shared_ptr<TlsSessionCache> create(std::size_t per_origin = 4, std::size_t max_origins = 1024);

    // Makes a client context keep no sessions itself and hand new ones to the cache their connection was tied to.
    static void install(SSL_CTX* context);

    // Before the handshake on `ssl`: ties it to origin, so the sessions it gets are kept for origin, and sets a
    // session kept for origin, if any, to be offered. Returns whether one was.
    bool offer(SSL* ssl, const std::string& origin);

    // A resumable, unexpired session for origin, or null. A TLS 1.3 ticket leaves the cache (the server accepts
    // it once at most); a TLS 1.2 session stays, since it resumes any number of times, and a copy is returned.
    Session take(const std::string& origin);
    // Keeps a session got from a verified connection to origin (the newest is taken first).
    void put(const std::string& origin, Session session);

    std::size_t size() const;

private:
    TlsSessionCache(std::size_t per_origin, std::size_t max_origins)
        : per_origin_(per_origin), max_origins_(max_origins) {}

    struct Kept {
        std::vector<Session> sessions;               // oldest first
        std::list<std::string>::iterator recency;    // its place in recency_
    };

    // Drops sessions that can no longer resume: expired by their lifetime, or not resumable at all.
    static void drop_unusable(std::vector<Session>& sessions);
    void touch(Kept& kept);

    const std::size_t per_origin_;
    const std::size_t max_origins_;
    mutable std::mutex mutex_;
    std::map<std::string, Kept> kept_;
    std::list<std::string> recency_;  // origins, most recently used first
};

}  // namespace fedblog::transport
