#include "activitypub/transport/host_slots.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace fedblog::transport {

namespace asio = boost::asio;

asio::awaitable<HostSlots::Slot> HostSlots::acquire(std::string host, std::chrono::steady_clock::time_point deadline) {
    if (per_host_ == 0) co_return Slot(shared_from_this(), std::move(host));
    // The timer is shared with the wake-up, which may run after this coroutine has given up waiting.
    auto timer = std::make_shared<asio::steady_timer>(co_await asio::this_coro::executor, deadline);
    auto waiter = std::make_shared<Waiter>();
    {
        std::lock_guard lock(mutex_);
        Host& entry = hosts_[host];
        if (entry.active < per_host_) {
            ++entry.active;
            co_return Slot(shared_from_this(), std::move(host));
        }
        waiter->wake = [timer] { asio::post(timer->get_executor(), [timer] { timer->cancel(); }); };
        entry.waiting.push_back(waiter);
    }
    co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
    std::lock_guard lock(mutex_);
    if (waiter->granted) co_return Slot(shared_from_this(), std::move(host));
    // The deadline came first: leave the queue (the host's entry stays: its places are all taken).
    auto& queue = hosts_[host].waiting;
    queue.erase(std::remove(queue.begin(), queue.end(), waiter), queue.end());
    co_return Slot();
}

void HostSlots::release(const std::string& host) {
    std::lock_guard lock(mutex_);
    auto found = hosts_.find(host);
    if (found == hosts_.end()) return;
    Host& entry = found->second;
    if (!entry.waiting.empty()) {
        // The place goes to the next waiter as it is: `active` does not change.
        auto next = std::move(entry.waiting.front());
        entry.waiting.pop_front();
        next->granted = true;
        next->wake();
        return;
    }
    if (entry.active > 0) --entry.active;
    if (entry.active == 0) hosts_.erase(found);
}

std::size_t HostSlots::in_flight(const std::string& host) const {
    std::lock_guard lock(mutex_);
    auto found = hosts_.find(host);
    return found == hosts_.end() ? 0 : found->second.active;
}

std::size_t HostSlots::waiting(const std::string& host) const {
    std::lock_guard lock(mutex_);
    auto found = hosts_.find(host);
    return found == hosts_.end() ? 0 : found->second.waiting.size();
}

}  // namespace fedblog::transport
