#pragma once
// Fetching one remote ActivityStreams document with the blog's signed GET: what the key directory, the inbox
// (an activity fetched again from its origin, a Move target) and later the comment backfill all need.
// The document is returned with the URL that answered (after redirects): callers compare ids against it.
// Concurrent fetches of one URL share one request: a burst of activities naming the same actor, object or
// thread costs the remote server one fetch, not one each.
#include <boost/asio/awaitable.hpp>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "activitypub/transport/http_client.hpp"

namespace fedblog::activitypub::remote {

enum class FetchErrorKind {
    unavailable,  // network, timeout, 5xx, 429: may work later
    gone,         // 404/410: the document no longer exists
    invalid,      // another status, or not JSON
};

struct FetchError {
    FetchErrorKind kind;
    std::string detail;
};

struct FetchedDocument {
    nlohmann::json document;
    std::string url;  // the URL that answered
};

using FetchResult = std::variant<FetchedDocument, FetchError>;

class DocumentFetcher {
public:
    // `sign_get` signs each GET as the blog (servers in authorized-fetch mode refuse unsigned ones).
    DocumentFetcher(transport::HttpClient& client, transport::BeforeSend sign_get)
        : client_(client), sign_get_(std::move(sign_get)) {}
    DocumentFetcher(const DocumentFetcher&) = delete;
    DocumentFetcher& operator=(const DocumentFetcher&) = delete;

    boost::asio::awaitable<FetchResult> fetch(std::string url);  // by value: it is used after suspending

private:
    // One request in flight; fetches of the same URL meanwhile wait for its result.
    struct Pending {
        std::optional<FetchResult> result;                // set once, under mutex_
        std::vector<std::function<void()>> wake_waiters;  // each posts to its waiter's own executor
    };
    boost::asio::awaitable<FetchResult> fetch_now(const std::string& url);

    transport::HttpClient& client_;
    transport::BeforeSend sign_get_;
    std::mutex mutex_;
    std::map<std::string, std::shared_ptr<Pending>, std::less<>> pending_;
};

}  // namespace fedblog::activitypub::remote
