#pragma once
// Delivers a body to an inbox with a signed POST. draft-cavage by default, as Mastodon expects; with RFC 9421
// preferred, a peer that answers 400 or 401 to it is asked again with draft-cavage ("double knock"), and
// the scheme that worked is remembered per host so later deliveries knock once.
#include <boost/asio/awaitable.hpp>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "activitypub/transport/http_client.hpp"
#include "keys/digest.hpp"
#include "keys/key_pair.hpp"
#include "keys/signature_policy.hpp"

namespace fedblog::activitypub::remote {

// Which scheme each host (URL authority, "m.example:8443") accepted last; shared by every delivery.
class SchemeMemory {
public:
    // `learned` is told when a host's scheme changes, so it can be kept across restarts.
    using Learned = std::function<void(const std::string& host, keys::SignatureScheme scheme)>;
    explicit SchemeMemory(keys::SignatureScheme preferred, Learned learned = {})
        : preferred_(preferred), learned_(std::move(learned)) {}
    keys::SignatureScheme for_host(const std::string& host) const;
    void remember(const std::string& host, keys::SignatureScheme scheme);
    // What an earlier process learned, without telling `learned` again.
    void recall(const std::string& host, keys::SignatureScheme scheme);
    keys::SignatureScheme preferred() const { return preferred_; }

private:
    keys::SignatureScheme preferred_;
    Learned learned_;
    mutable std::mutex mutex_;
    std::map<std::string, keys::SignatureScheme, std::less<>> by_host_;
};

// A before_send hook signing with RFC 9421 (rsa-v1_5-sha256 over @method, @target-uri and, with a body,
// content-digest; created and keyid). `key` must outlive the hook.
transport::BeforeSend rfc9421_signer(const keys::KeyPair& key, std::string key_id, std::function<std::int64_t()> clock);

// An activity's body as each of its deliveries sends it, with its SHA-256 (for the Digest header) computed once:
// the same ~12 KB go to every follower, and hashing them again per delivery is work for nothing.
struct Payload {
    explicit Payload(std::string text);
    const std::string body;
    const keys::Sha256 sha256;
};

class SignedPoster {
public:
    SignedPoster(transport::HttpClient& client, const keys::KeyPair& key, std::string key_id,
                 std::function<std::int64_t()> clock, SchemeMemory& schemes);

    // The final response (or transport error) of the last attempt.
    boost::asio::awaitable<transport::Result> post(std::string inbox_url, std::string body);
    // The same for a body shared by many deliveries: neither copied nor hashed again.
    boost::asio::awaitable<transport::Result> post(std::string inbox_url, std::shared_ptr<const Payload> payload);

private:
    transport::Request request(const std::string& url, const std::shared_ptr<const Payload>& payload,
                               keys::SignatureScheme scheme) const;

    transport::HttpClient& client_;
    const keys::KeyPair& key_;
    std::string key_id_;
    std::function<std::int64_t()> clock_;
    SchemeMemory& schemes_;
};

}  // namespace fedblog::activitypub::remote
