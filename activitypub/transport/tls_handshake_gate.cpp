#include "activitypub/transport/tls_handshake_gate.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace fedblog::transport {

namespace asio = boost::asio;

std::shared_ptr<TlsHandshakeGate> TlsHandshakeGate::create(TlsHandshakeGateBounds bounds) {
    bounds.max_sessionless = std::max<std::size_t>(bounds.max_sessionless, 1);
    return std::shared_ptr<TlsHandshakeGate>(new TlsHandshakeGate(bounds));
}

asio::awaitable<TlsHandshakeGate::Lead> TlsHandshakeGate::before_full_handshake(std::string origin,
                                                                                Clock::time_point until) {
    auto executor = co_await asio::this_coro::executor;
    std::shared_ptr<asio::steady_timer> timer;  // only for a connection that waits
    std::shared_ptr<Waiter> waiter;
    {
        std::lock_guard lock(mutex_);
        Origin& entry = origins_[origin];
        if (entry.sessionless_since) {
            if (Clock::now() - *entry.sessionless_since < bounds_.sessionless_for) co_return Lead();
            entry.sessionless_since.reset();  // time to look again: the server may issue sessions now
            --sessionless_;
        }
        if (!entry.leading) {
            entry.leading = true;
            entry.kept = 0;
            co_return Lead(shared_from_this(), std::move(origin));
        }
        if (entry.kept > 0) co_return Lead();  // the leader's sessions came already: take one if any is left
        // Shared with the wake-up, which may run after this coroutine is gone.
        timer = std::make_shared<asio::steady_timer>(executor, until);
        waiter = std::make_shared<Waiter>();
        waiter->wake = [timer] { asio::post(timer->get_executor(), [timer] { timer->cancel(); }); };
        entry.waiting.push_back(waiter);
    }
    // Leaves the queue however the wait ends, the coroutine destroyed while waiting included.
    struct Queued {
        std::shared_ptr<TlsHandshakeGate> gate;
        const std::string& origin;
        std::shared_ptr<Waiter> waiter;
        ~Queued() { gate->leave(origin, waiter); }
    } queued{shared_from_this(), origin, waiter};
    co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
    co_return Lead();
}

void TlsHandshakeGate::session_kept(const std::string& origin, bool single_use) {
    std::lock_guard lock(mutex_);
    auto found = origins_.find(origin);
    if (found == origins_.end()) return;
    Origin& entry = found->second;
    if (entry.sessionless_since) {
        entry.sessionless_since.reset();
        --sessionless_;
    }
    if (entry.leading) ++entry.kept;
    // A TLS 1.3 ticket resumes once, so it is for one waiter; a TLS 1.2 session resumes any number of times.
    do {
        if (entry.waiting.empty()) break;
        entry.waiting.front()->wake();
        entry.waiting.pop_front();
    } while (!single_use);
    erase_if_idle(found);
}

void TlsHandshakeGate::end_lead(const std::string& origin, bool responded) {
    std::lock_guard lock(mutex_);
    auto found = origins_.find(origin);
    if (found == origins_.end()) return;
    Origin& entry = found->second;
    entry.leading = false;
    for (auto& waiter : entry.waiting) waiter->wake();
    entry.waiting.clear();
    // A failed or abandoned handshake says nothing about the server's sessions; a response without any does.
    if (responded && entry.kept == 0) mark_sessionless(found, Clock::now());
    erase_if_idle(found);
}

void TlsHandshakeGate::leave(const std::string& origin, const std::shared_ptr<Waiter>& waiter) {
    std::lock_guard lock(mutex_);
    auto found = origins_.find(origin);
    if (found == origins_.end()) return;
    auto& queue = found->second.waiting;
    queue.erase(std::remove(queue.begin(), queue.end(), waiter), queue.end());
    erase_if_idle(found);
}

void TlsHandshakeGate::mark_sessionless(Origins::iterator marked, Clock::time_point now) {
    Origin& entry = marked->second;
    if (!entry.sessionless_since) ++sessionless_;
    entry.sessionless_since = now;
    if (sessionless_ <= bounds_.max_sessionless) return;
    // Over the bound: forget expired marks, else the oldest one other than this.
    auto oldest = origins_.end();
    for (auto it = origins_.begin(); it != origins_.end();) {
        auto current = it++;
        if (current == marked) continue;
        auto& since = current->second.sessionless_since;
        if (!since) continue;
        if (now - *since >= bounds_.sessionless_for) {
            since.reset();
            --sessionless_;
            erase_if_idle(current);
        } else if (oldest == origins_.end() || *since < *oldest->second.sessionless_since) {
            oldest = current;
        }
    }
    if (sessionless_ > bounds_.max_sessionless && oldest != origins_.end()) {
        oldest->second.sessionless_since.reset();
        --sessionless_;
        erase_if_idle(oldest);
    }
}

void TlsHandshakeGate::erase_if_idle(Origins::iterator entry) {
    const Origin& origin = entry->second;
    if (!origin.leading && origin.waiting.empty() && !origin.sessionless_since) origins_.erase(entry);
}

std::size_t TlsHandshakeGate::waiting(const std::string& origin) const {
    std::lock_guard lock(mutex_);
    auto found = origins_.find(origin);
    return found == origins_.end() ? 0 : found->second.waiting.size();
}

}  // namespace fedblog::transport
