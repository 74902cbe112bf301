#include "activitypub/remote/document_fetcher.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/json_guard.hpp"

namespace fedblog::activitypub::remote {

namespace asio = boost::asio;
using nlohmann::json;

asio::awaitable<FetchResult> DocumentFetcher::fetch(std::string url) {
    std::shared_ptr<Pending> pending;
    bool leader = false;
    {
        std::lock_guard lock(mutex_);
        auto [it, added] = pending_.try_emplace(url);
        if (added) it->second = std::make_shared<Pending>();
        pending = it->second;
        leader = added;
    }
    if (leader) {
        FetchResult result = co_await fetch_now(url);
        std::vector<std::function<void()>> waiters;
        {
            std::lock_guard lock(mutex_);
            pending->result = result;
            waiters.swap(pending->wake_waiters);
            pending_.erase(url);
        }
        for (auto& wake : waiters) wake();
        co_return result;
    }
    // Sleep on a timer of our own executor until the leader's result is in. The timer is shared with the
    // wake-up, which runs on that executor after this coroutine may have moved on.
    auto wake = std::make_shared<asio::steady_timer>(co_await asio::this_coro::executor,
                                                     asio::steady_timer::time_point::max());
    {
        std::lock_guard lock(mutex_);
        if (pending->result) co_return *pending->result;
        pending->wake_waiters.push_back([wake] { asio::post(wake->get_executor(), [wake] { wake->cancel(); }); });
    }
    co_await wake->async_wait(asio::as_tuple(asio::use_awaitable));
    std::lock_guard lock(mutex_);
    co_return *pending->result;
}

asio::awaitable<FetchResult> DocumentFetcher::fetch_now(const std::string& url) {
    transport::Request request;
    request.url = url;
    request.headers = {{"accept", "application/activity+json, application/ld+json; "
                                  "profile=\"https://www.w3.org/ns/activitystreams\""}};
    request.before_send = sign_get_;
    transport::Result response = co_await client_.fetch(std::move(request));
    if (!response)
        co_return FetchError{FetchErrorKind::unavailable, "fetching " + url + ": " +
                                                              std::string(transport::to_string(response.error().kind)) +
                                                              " (" + response.error().detail + ")"};
    if (response->status == 404 || response->status == 410)
        co_return FetchError{FetchErrorKind::gone, url + " answered " + std::to_string(response->status)};
    if (response->status != 200)
        co_return FetchError{response->status >= 500 || response->status == 429 ? FetchErrorKind::unavailable
                                                                                 : FetchErrorKind::invalid,
                             url + " answered " + std::to_string(response->status)};
    if (auto problem = check_untrusted_json(response->body))
        co_return FetchError{FetchErrorKind::invalid, url + " did not answer readable JSON: " + problem->detail};
    json document = json::parse(response->body, nullptr, false);
    if (document.is_discarded() || !document.is_object())
        co_return FetchError{FetchErrorKind::invalid, url + " did not answer a JSON object"};
    co_return FetchedDocument{std::move(document), response->url};
}

}  // namespace fedblog::activitypub::remote
