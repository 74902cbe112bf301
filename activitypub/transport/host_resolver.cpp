#include "activitypub/transport/host_resolver.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>

namespace fedblog::transport {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// getaddrinfo runs on a helper thread and cannot be interrupted once started, so the caller waits on a timer
// instead of on the lookup; a lookup that outlives its deadline finishes into state nobody reads any more.
struct Lookup {
    explicit Lookup(const asio::any_io_executor& executor) : resolver(executor), wakeup(executor) {}
    tcp::resolver resolver;
    asio::steady_timer wakeup;
    bool done = false;
    boost::system::error_code error;
    tcp::resolver::results_type results;
};

}  // namespace

asio::awaitable<Expected<std::vector<tcp::endpoint>>> HostResolver::resolve(
    const std::string& host, std::uint16_t port, std::chrono::steady_clock::time_point deadline) const {
    std::vector<tcp::endpoint> endpoints;
    if (auto listed = static_hosts_.find(host); listed != static_hosts_.end()) {
        for (const auto& address : listed->second) endpoints.emplace_back(address, port);
        if (endpoints.empty()) co_return Error{ErrorKind::dns, host + " has no address in the static hosts"};
        co_return endpoints;
    }

    auto lookup = std::make_shared<Lookup>(co_await asio::this_coro::executor);
    lookup->wakeup.expires_at(deadline);
    lookup->resolver.async_resolve(host, std::to_string(port), tcp::resolver::numeric_service,
                                   [lookup](boost::system::error_code ec, tcp::resolver::results_type results) {
                                       lookup->done = true;
                                       lookup->error = ec;
                                       lookup->results = std::move(results);
                                       lookup->wakeup.cancel();
                                   });
    co_await lookup->wakeup.async_wait(asio::as_tuple(asio::use_awaitable));
    if (!lookup->done) co_return Error{ErrorKind::timeout, "DNS lookup of " + host + " timed out"};
    if (lookup->error) co_return Error{ErrorKind::dns, "DNS lookup of " + host + " failed: " + lookup->error.message()};
    for (const auto& entry : lookup->results) endpoints.push_back(entry.endpoint());
    if (endpoints.empty()) co_return Error{ErrorKind::dns, host + " has no address"};
    co_return endpoints;
}

}  // namespace fedblog::transport
