#include "activitypub/transport/tls_session_cache.hpp"

#include <openssl/x509.h>

#include <algorithm>
#include <ctime>

namespace fedblog::transport {

namespace {

// What a connection carries (in its SSL's ex_data) to find where its sessions go. The cache is held weakly:
// a ticket read after the client is gone is simply dropped.
struct Binding {
    std::weak_ptr<TlsSessionCache> cache;
    std::string origin;
};

void free_binding(void*, void* binding, CRYPTO_EX_DATA*, int, long, void*) { delete static_cast<Binding*>(binding); }

int binding_index() {
    static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, free_binding);
    return index;
}

// Called by OpenSSL for every session a client connection gets: at the end of a TLS 1.2 handshake, for each
// TLS 1.3 ticket later. The cache keeps a copy (and returns 0: the connection keeps its reference): OpenSSL marks
// the session a connection still holds unresumable when it is freed without a close_notify, which is how
// connections usually end (an old TLS 1.0 rule; RFC 5246 7.2.1 dropped it), and that must not reach the cache.
int on_new_session(SSL* ssl, SSL_SESSION* session) {
    const auto* binding = static_cast<const Binding*>(SSL_get_ex_data(ssl, binding_index()));
    if (!binding) return 0;
    // Never keep what a verified handshake did not establish (verification failures end the handshake before
    // this anyway; this keeps it so if that ever changes).
    if (SSL_get_verify_result(ssl) != X509_V_OK || !SSL_SESSION_get0_peer(session)) return 0;
    auto cache = binding->cache.lock();
    if (!cache) return 0;
    cache->put(binding->origin, TlsSessionCache::Session(SSL_SESSION_dup(session)));
    return 0;
}

}  // namespace

std::shared_ptr<TlsSessionCache> TlsSessionCache::create(std::size_t per_origin, std::size_t max_origins) {
    return std::shared_ptr<TlsSessionCache>(new TlsSessionCache(std::max<std::size_t>(per_origin, 1),
                                                                std::max<std::size_t>(max_origins, 1)));
}

void TlsSessionCache::install(SSL_CTX* context) {
    SSL_CTX_set_session_cache_mode(context, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(context, on_new_session);
}

bool TlsSessionCache::offer(SSL* ssl, const std::string& origin) {
    int index = binding_index();
    if (index < 0) return false;  // no ex_data slot: connections simply never resume
    auto binding = std::make_unique<Binding>(Binding{weak_from_this(), origin});
    delete static_cast<Binding*>(SSL_get_ex_data(ssl, index));  // tied once normally; never leak a second tie
    if (SSL_set_ex_data(ssl, index, binding.get()) != 1) {
        SSL_set_ex_data(ssl, index, nullptr);
        return false;
    }
    binding.release();  // freed with the SSL by free_binding
    auto session = take(origin);
    return session && SSL_set_session(ssl, session.get()) == 1;  // SSL_set_session takes its own reference
}

TlsSessionCache::Session TlsSessionCache::take(const std::string& origin) {
    std::lock_guard lock(mutex_);
    auto found = kept_.find(origin);
    if (found == kept_.end()) return nullptr;
    auto& sessions = found->second.sessions;
    drop_unusable(sessions);
    if (sessions.empty()) {
        recency_.erase(found->second.recency);
        kept_.erase(found);
        return nullptr;
    }
    touch(found->second);
    if (SSL_SESSION_get_protocol_version(sessions.back().get()) >= TLS1_3_VERSION) {
        Session newest = std::move(sessions.back());
        sessions.pop_back();
        return newest;
    }
    // A copy, for the reason on_new_session keeps one.
    return Session(SSL_SESSION_dup(sessions.back().get()));
}

void TlsSessionCache::put(const std::string& origin, Session session) {
    if (!session || !SSL_SESSION_is_resumable(session.get())) return;
    std::lock_guard lock(mutex_);
    auto [found, added] = kept_.try_emplace(origin);
    auto& kept = found->second;
    if (added) {
        recency_.push_front(origin);
        kept.recency = recency_.begin();
        if (kept_.size() > max_origins_) {
            kept_.erase(recency_.back());
            recency_.pop_back();
        }
    } else {
        touch(kept);
    }
    auto& sessions = kept.sessions;
    drop_unusable(sessions);
    sessions.push_back(std::move(session));
    if (sessions.size() > per_origin_) sessions.erase(sessions.begin());
}

std::size_t TlsSessionCache::size() const {
    std::lock_guard lock(mutex_);
    std::size_t total = 0;
    for (const auto& [origin, kept] : kept_) total += kept.sessions.size();
    return total;
}

void TlsSessionCache::drop_unusable(std::vector<Session>& sessions) {
    const long now = static_cast<long>(std::time(nullptr));
    std::erase_if(sessions, [now](const Session& session) {
        return !SSL_SESSION_is_resumable(session.get()) ||
               SSL_SESSION_get_time(session.get()) + SSL_SESSION_get_timeout(session.get()) <= now;
    });
}

void TlsSessionCache::touch(Kept& kept) { recency_.splice(recency_.begin(), recency_, kept.recency); }

}  // namespace fedblog::transport
