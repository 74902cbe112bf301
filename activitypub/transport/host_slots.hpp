#pragma once
// At most N requests in flight to one host; the rest wait their turn asynchronously, in arrival order, each
// no later than its own deadline (the fetch's overall timeout still applies while it waits). So a burst of
// fetches toward one server (keys, actors, a thread's ancestors) reaches it a few at a time, as a polite
// client should, and one slow server holds up only the fetches meant for it. Memory follows what is in
// flight: a host without requests has no entry.
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace fedblog::transport {

class HostSlots : public std::enable_shared_from_this<HostSlots> {
public:
    // Holds one place for its host until destroyed.
    class Slot {
    public:
        Slot() = default;
        Slot(std::shared_ptr<HostSlots> owner, std::string host) : owner_(std::move(owner)), host_(std::move(host)) {}
        Slot(Slot&&) noexcept = default;
        Slot& operator=(Slot&& other) noexcept {
            release();
            owner_ = std::move(other.owner_);
            host_ = std::move(other.host_);
            return *this;
        }
        ~Slot() { release(); }
        explicit operator bool() const { return owner_ != nullptr; }

    private:
        void release() {
            if (auto owner = std::move(owner_)) owner->release(host_);
        }
        std::shared_ptr<HostSlots> owner_;
        std::string host_;
    };

    // `per_host` 0: no bound (every acquire succeeds at once). Make it with std::make_shared.
    explicit HostSlots(std::size_t per_host) : per_host_(per_host) {}

    // A place for `host`, or an empty Slot when `deadline` came first.
    boost::asio::awaitable<Slot> acquire(std::string host, std::chrono::steady_clock::time_point deadline);

    // Places taken for `host` now, and requests waiting for one (tests).
    std::size_t in_flight(const std::string& host) const;
    std::size_t waiting(const std::string& host) const;

private:
    struct Waiter {
        std::function<void()> wake;  // posts to the waiter's own executor
        bool granted = false;        // set under mutex_ by release(), which hands its place over
    };
    struct Host {
        std::size_t active = 0;
        std::deque<std::shared_ptr<Waiter>> waiting;
    };
    void release(const std::string& host);

    const std::size_t per_host_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Host> hosts_;
};

}  // namespace fedblog::transport
