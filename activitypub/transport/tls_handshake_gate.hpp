#pragma once
// Connections opened together to one origin share the first one's TLS session instead of each paying a full
// handshake (as browsers do): while one connection (the leader) does a full handshake to an origin with no kept
// session, the next ones wait, without blocking a thread, until a session for it is kept (TLS 1.3 tickets come
// after the handshake, before the first response), the leader gives up or has read its first response, or their
// own bound passes. Then they handshake, resuming when a session is there.
//
// An origin whose leader read a response without any session arriving issues none: connections to it do not wait
// for a while (remembered for a bounded number of origins), so such servers cost one bounded wait, not one per
// wave. Thread-safe; waiters are woken on their own executors.
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace fedblog::transport {

struct TlsHandshakeGateBounds {
    std::size_t max_sessionless = 1024;  // origins remembered to issue no sessions; the oldest forgotten first
    std::chrono::seconds sessionless_for{3600};
};

class TlsHandshakeGate : public std::enable_shared_from_this<TlsHandshakeGate> {
public:
    using Clock = std::chrono::steady_clock;

    // Held by the leading connection; waiters are let go when it is released or destroyed.
    class Lead {
    public:
        Lead() = default;
        Lead(std::shared_ptr<TlsHandshakeGate> gate, std::string origin)
            : gate_(std::move(gate)), origin_(std::move(origin)) {}
        Lead(Lead&&) noexcept = default;
        Lead& operator=(Lead&& other) noexcept {
            release(false);
            gate_ = std::move(other.gate_);
            origin_ = std::move(other.origin_);
            return *this;
        }
        ~Lead() { release(false); }
        explicit operator bool() const { return gate_ != nullptr; }

        // responded: the leader read a response, so every session the server meant to send it has arrived.
        void release(bool responded) {
            if (auto gate = std::move(gate_)) gate->end_lead(origin_, responded);
        }

    private:
        std::shared_ptr<TlsHandshakeGate> gate_;
        std::string origin_;
    };

    static std::shared_ptr<TlsHandshakeGate> create(TlsHandshakeGateBounds bounds = {});

    // Before a full handshake to origin (no session kept for it): a Lead when this connection goes first, or,
    // after waiting as described above (at most until `until`), an empty one. Awaited on the connection's executor.
    boost::asio::awaitable<Lead> before_full_handshake(std::string origin, Clock::time_point until);

    // A session for origin was kept: single_use (a TLS 1.3 ticket) lets one waiter go, otherwise all.
    void session_kept(const std::string& origin, bool single_use);

    std::size_t waiting(const std::string& origin) const;  // tests

private:
    explicit TlsHandshakeGate(TlsHandshakeGateBounds bounds) : bounds_(bounds) {}

    struct Waiter {
        std::function<void()> wake;  // posts to the waiter's own executor
    };
    struct Origin {
        bool leading = false;
        std::size_t kept = 0;  // sessions kept since the lead began
        std::deque<std::shared_ptr<Waiter>> waiting;
        std::optional<Clock::time_point> sessionless_since;
    };
    using Origins = std::unordered_map<std::string, Origin>;

    void end_lead(const std::string& origin, bool responded);
    void leave(const std::string& origin, const std::shared_ptr<Waiter>& waiter);
    void mark_sessionless(Origins::iterator marked, Clock::time_point now);
    void erase_if_idle(Origins::iterator entry);

    const TlsHandshakeGateBounds bounds_;
    mutable std::mutex mutex_;
    Origins origins_;
    std::size_t sessionless_ = 0;  // entries with sessionless_since set
};

}  // namespace fedblog::transport
