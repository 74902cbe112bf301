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

std::size_t chain_bytes(SSL* ssl) {
    std::size_t total = 0;
    if (STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl))
        for (int i = 0; i < sk_X509_num(chain); ++i) total += std::max(i2d_X509(sk_X509_value(chain, i), nullptr), 0);
    return total;
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
    cache->put(binding->origin, TlsSessionCache::Session(SSL_SESSION_dup(session)), chain_bytes(ssl));
    return 0;
}

}  // namespace

std::shared_ptr<TlsSessionCache> TlsSessionCache::create(TlsSessionBounds bounds, KeptListener on_kept) {
    bounds.per_origin = std::max<std::size_t>(bounds.per_origin, 1);
    bounds.max_origins = std::max<std::size_t>(bounds.max_origins, 1);
    return std::shared_ptr<TlsSessionCache>(new TlsSessionCache(bounds, std::move(on_kept)));
}

void TlsSessionCache::install(SSL_CTX* context) {
    SSL_CTX_set_session_cache_mode(context, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(context, on_new_session);
}

bool TlsSessionCache::offer(SSL* ssl, const std::string& origin) {
    int index = binding_index();
    if (index < 0) return false;  // no ex_data slot: connections simply never resume
    if (auto* earlier = static_cast<Binding*>(SSL_get_ex_data(ssl, index))) {  // tied once normally
        SSL_set_ex_data(ssl, index, nullptr);
        delete earlier;
    }
    auto binding = std::make_unique<Binding>(Binding{weak_from_this(), origin});
    if (SSL_set_ex_data(ssl, index, binding.get()) != 1) return false;
    binding.release();  // freed with the SSL by free_binding
    auto session = take(origin);
    return session && SSL_set_session(ssl, session.get()) == 1;  // SSL_set_session takes its own reference
}

TlsSessionCache::Session TlsSessionCache::take(const std::string& origin) {
    std::lock_guard lock(mutex_);
    auto found = kept_.find(origin);
    if (found == kept_.end()) return nullptr;
    auto& kept = found->second;
    drop_unusable(kept);
    if (kept.sessions.empty()) {
        forget(found);
        return nullptr;
    }
    touch(kept);
    auto& newest = kept.sessions.back();
    // A copy, for the reason on_new_session keeps one.
    if (SSL_SESSION_get_protocol_version(newest.session.get()) < TLS1_3_VERSION)
        return Session(SSL_SESSION_dup(newest.session.get()));
    Session taken = std::move(newest.session);
    bytes_ -= newest.bytes;
    kept.sessions.pop_back();
    return taken;
}

void TlsSessionCache::put(const std::string& origin, Session session, std::size_t chain_bytes) {
    if (!session || !SSL_SESSION_is_resumable(session.get())) return;
    int encoded = i2d_SSL_SESSION(session.get(), nullptr);
    if (encoded <= 0) return;
    std::size_t session_bytes = static_cast<std::size_t>(encoded);
    if (session_bytes + chain_bytes > bounds_.max_session_bytes) return;

    const bool single_use = SSL_SESSION_get_protocol_version(session.get()) >= TLS1_3_VERSION;
    {
        std::lock_guard lock(mutex_);
        if (!keep(origin, std::move(session), session_bytes, chain_bytes)) return;
    }
    // Outside the lock: the listener takes locks of its own.
    if (on_kept_) on_kept_(origin, single_use);
}

bool TlsSessionCache::keep(const std::string& origin, Session session, std::size_t session_bytes,
                           std::size_t chain_bytes) {
    auto [found, added] = kept_.try_emplace(origin);
    auto& kept = found->second;
    if (added) {
        recency_.push_front(origin);
        kept.recency = recency_.begin();
    } else {
        touch(kept);
        drop_unusable(kept);
    }
    // One chain per origin is counted: an origin's sessions mostly share the certificates of one handshake.
    bytes_ += chain_bytes - std::min(chain_bytes, kept.chain_bytes) + session_bytes;
    kept.chain_bytes = std::max(kept.chain_bytes, chain_bytes);
    kept.sessions.push_back({std::move(session), session_bytes});
    if (kept.sessions.size() > bounds_.per_origin) drop_front(kept);
    while (kept_.size() > bounds_.max_origins || bytes_ > bounds_.max_bytes) {
        auto oldest = kept_.find(recency_.back());
        if (oldest == found) {  // only this origin is left, and it alone is over the budget
            drop_front(kept);
            if (kept.sessions.empty()) break;
        } else {
            forget(oldest);
        }
    }
    if (!kept.sessions.empty()) return true;
    forget(found);
    return false;
}

std::size_t TlsSessionCache::size() const {
    std::lock_guard lock(mutex_);
    std::size_t total = 0;
    for (const auto& [origin, kept] : kept_) total += kept.sessions.size();
    return total;
}

std::size_t TlsSessionCache::bytes() const {
    std::lock_guard lock(mutex_);
    return bytes_;
}

void TlsSessionCache::drop_unusable(Kept& kept) {
    const long now = static_cast<long>(std::time(nullptr));
    std::erase_if(kept.sessions, [&](const Held& held) {
        SSL_SESSION* session = held.session.get();
        long made = SSL_SESSION_get_time(session);
        long lifetime = std::min(SSL_SESSION_get_timeout(session), bounds_.max_age_seconds);
        bool unusable = !SSL_SESSION_is_resumable(session) || made + lifetime <= now || made > now + 60;
        if (unusable) bytes_ -= held.bytes;
        return unusable;
    });
}

void TlsSessionCache::drop_front(Kept& kept) {
    bytes_ -= kept.sessions.front().bytes;
    kept.sessions.erase(kept.sessions.begin());
}

void TlsSessionCache::forget(std::map<std::string, Kept>::iterator origin) {
    for (const auto& held : origin->second.sessions) bytes_ -= held.bytes;
    bytes_ -= origin->second.chain_bytes;
    recency_.erase(origin->second.recency);
    kept_.erase(origin);
}

void TlsSessionCache::touch(Kept& kept) { recency_.splice(recency_.begin(), recency_, kept.recency); }

}  // namespace fedblog::transport
