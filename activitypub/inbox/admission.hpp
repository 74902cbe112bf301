#pragma once
// The inbox's first step, before the body is even parsed: is this sender within its rate, and is there room
// for one more activity in flight? Both answers cost no JSON parse, no key fetch and no RSA, so a flood is
// turned away for the price of reading a header.
//
// Whom the rate is counted against: the host of the signature's keyId, read by parsing the Signature (or
// Signature-Input) header only. That is the sending server, whatever address it sends from: a large instance
// delivers from many workers and addresses, all counted as one. The keyId is not verified yet, so a forger may
// name another server's host and spend that server's budget: the damage is 429s, which the real server retries
// (Mastodon for days), never a lost or forged activity; and the forger pays for each request. A request
// without a readable keyId is counted against its client address (the real one, through trusted proxies).
#include <atomic>
#include <chrono>
#include <cstddef>
#include <string>
#include <utility>

#include "keys/http_message.hpp"

namespace fedblog::activitypub::inbox {

// "host:<keyId host>" for a signed request, else "address:<client>".
std::string rate_key(const keys::HttpMessage& message, const std::string& client);

// At most `limit` activities verified and handled at once (0: no bound). A Ticket holds one place.
class InFlightGate {
public:
    class Ticket {
    public:
        Ticket() = default;
        explicit Ticket(InFlightGate* gate) : gate_(gate) {}
        Ticket(Ticket&& other) noexcept : gate_(std::exchange(other.gate_, nullptr)) {}
        Ticket& operator=(Ticket&& other) noexcept {
            std::swap(gate_, other.gate_);
            return *this;
        }
        ~Ticket() {
            if (gate_) gate_->in_flight_.fetch_sub(1, std::memory_order_acq_rel);
        }
        explicit operator bool() const { return gate_ != nullptr; }

    private:
        InFlightGate* gate_ = nullptr;
    };

    // An empty ticket when `limit` activities are in flight already.
    Ticket try_enter(std::size_t limit) {
        std::size_t before = in_flight_.fetch_add(1, std::memory_order_acq_rel);
        if (limit != 0 && before >= limit) {
            in_flight_.fetch_sub(1, std::memory_order_acq_rel);
            return Ticket();
        }
        return Ticket(this);
    }
    std::size_t in_flight() const { return in_flight_.load(std::memory_order_acquire); }

private:
    std::atomic<std::size_t> in_flight_{0};
};

}  // namespace fedblog::activitypub::inbox
