#include "activitypub/remote/document_fetcher.hpp"

#include "common/json_guard.hpp"

namespace fedblog::activitypub::remote {

namespace asio = boost::asio;
using nlohmann::json;

asio::awaitable<std::variant<FetchedDocument, FetchError>> DocumentFetcher::fetch(const std::string& url) {
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
