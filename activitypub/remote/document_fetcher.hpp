#pragma once
// Fetching one remote ActivityStreams document with the blog's signed GET: what the key directory, the inbox
// (an activity fetched again from its origin, a Move target) and later the comment backfill all need.
// The document is returned with the URL that answered (after redirects): callers compare ids against it.
#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <variant>

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

class DocumentFetcher {
public:
    // `sign_get` signs each GET as the blog (servers in authorized-fetch mode refuse unsigned ones).
    DocumentFetcher(transport::HttpClient& client, transport::BeforeSend sign_get)
        : client_(client), sign_get_(std::move(sign_get)) {}

    boost::asio::awaitable<std::variant<FetchedDocument, FetchError>> fetch(const std::string& url);

private:
    transport::HttpClient& client_;
    transport::BeforeSend sign_get_;
};

}  // namespace fedblog::activitypub::remote
