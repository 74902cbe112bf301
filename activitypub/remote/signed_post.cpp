#include "activitypub/remote/signed_post.hpp"

#include "activitypub/remote/actor_document.hpp"
#include "activitypub/remote/signed_fetch.hpp"
#include "keys/rfc9421.hpp"

namespace fedblog::activitypub::remote {

namespace asio = boost::asio;

keys::SignatureScheme SchemeMemory::for_host(const std::string& host) const {
    std::lock_guard lock(mutex_);
    auto it = by_host_.find(host);
    return it == by_host_.end() ? preferred_ : it->second;
}

void SchemeMemory::remember(const std::string& host, keys::SignatureScheme scheme) {
    {
        std::lock_guard lock(mutex_);
        auto [it, added] = by_host_.try_emplace(host, scheme);
        if (!added && it->second == scheme) return;
        it->second = scheme;
    }
    if (learned_) learned_(host, scheme);
}

void SchemeMemory::recall(const std::string& host, keys::SignatureScheme scheme) {
    std::lock_guard lock(mutex_);
    by_host_[host] = scheme;
}

transport::BeforeSend rfc9421_signer(const keys::KeyPair& key, std::string key_id, std::function<std::int64_t()> clock) {
    return [&key, key_id = std::move(key_id), clock = std::move(clock)](transport::OutgoingRequest& request) {
        keys::HttpMessage message{request.method, request.scheme, request.authority, request.target, request.headers,
                                  request.body};
        if (auto error = keys::rfc9421::sign_request(message, key, {.key_id = key_id, .created = clock()}))
            throw std::runtime_error("RFC 9421 signing failed: " + error->detail);
        request.headers = std::move(message.headers);
    };
}

SignedPoster::SignedPoster(transport::HttpClient& client, const keys::KeyPair& key, std::string key_id,
                           std::function<std::int64_t()> clock, SchemeMemory& schemes)
    : client_(client), key_(key), key_id_(std::move(key_id)), clock_(std::move(clock)), schemes_(schemes) {}

Payload::Payload(std::string text) : body(std::move(text)), sha256(keys::sha256(body)) {}

transport::Request SignedPoster::request(const std::string& url, const std::shared_ptr<const Payload>& payload,
                                         keys::SignatureScheme scheme) const {
    transport::Request request;
    request.method = "POST";
    request.url = url;
    request.headers = {{"content-type", "application/activity+json"}};
    request.shared_body = std::shared_ptr<const std::string>(payload, &payload->body);  // keeps the payload alive
    request.before_send = scheme == keys::SignatureScheme::rfc9421
                              ? rfc9421_signer(key_, key_id_, clock_)
                              : cavage_signer(key_, key_id_, clock_, payload->sha256);
    return request;
}

asio::awaitable<transport::Result> SignedPoster::post(std::string inbox_url, std::string body) {
    co_return co_await post(std::move(inbox_url), std::make_shared<const Payload>(std::move(body)));
}

asio::awaitable<transport::Result> SignedPoster::post(std::string inbox_url, std::shared_ptr<const Payload> payload) {
    std::string host = origin_of(inbox_url).value_or(inbox_url);
    host.erase(0, host.find("://") == std::string::npos ? 0 : host.find("://") + 3);
    keys::SignatureScheme scheme = schemes_.for_host(host);
    const bool may_knock_again = scheme == keys::SignatureScheme::rfc9421;
    transport::Result result = co_await client_.fetch(request(inbox_url, payload, scheme));
    if (may_knock_again && result && (result->status == 400 || result->status == 401)) {
        // The peer may not know RFC 9421 yet: knock again the way every server understands.
        transport::Result fallback = co_await client_.fetch(request(inbox_url, payload, keys::SignatureScheme::cavage));
        if (fallback && fallback->status / 100 == 2) schemes_.remember(host, keys::SignatureScheme::cavage);
        co_return fallback;
    }
    if (result && result->status / 100 == 2) schemes_.remember(host, scheme);
    co_return result;
}

}  // namespace fedblog::activitypub::remote
