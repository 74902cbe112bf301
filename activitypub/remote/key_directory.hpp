#pragma once
// Where an inbox gets the public key behind a signature's keyId: from memory, else the store's cache,
// else fetched (with a signed GET, so servers in authorized-fetch mode answer) and checked:
//   - an actor document must have the id it was fetched at, and list the key with itself as owner;
//   - a bare key document's owner is believed only when that owner's own actor lists the same key id;
//   - ids are https unless plain http is allowed (development).
// Keys embedded in an activity are never read: only what the key's own origin serves counts.
// Parsed keys stay in memory (a PEM parse costs about 17 verifications). Concurrent lookups of one key
// share one fetch. After a failed verification the caller asks again with refresh = true, once.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <variant>

#include "activitypub/remote/document_fetcher.hpp"
#include "activitypub/transport/http_client.hpp"
#include "store/database.hpp"

namespace fedblog::activitypub::remote {

struct VerifiedKey {
    std::string key_id;
    std::string actor_id;  // the owner, verified against its own actor document
    std::shared_ptr<EVP_PKEY> key;
    std::int64_t fetched_at = 0;
    bool just_fetched = false;  // this lookup went to the network (a second fetch would gain nothing)
};

// unavailable: may work later (an inbox answers 503); gone: 404/410; invalid: the documents do not establish
// the key's owner, or the PEM is not a key.
using KeyErrorKind = FetchErrorKind;
using KeyError = FetchError;

template <typename T>
using KeyResult = std::variant<T, KeyError>;

class KeyDirectory {
public:
    struct Options {
        std::chrono::seconds refresh_age{std::chrono::hours(24)};  // a cached key older than this is refetched
        bool require_https = true;
    };
    using Clock = std::function<std::int64_t()>;

    // `sign_get` signs each fetch as the blog; `clock` gives Unix seconds (injected for tests).
    KeyDirectory(transport::HttpClient& client, store::Database& db, transport::BeforeSend sign_get, Options options,
                 Clock clock);

    boost::asio::awaitable<KeyResult<VerifiedKey>> lookup(std::string key_id, bool refresh = false);

    // The actor deleted itself: forget its keys here and in the store.
    void forget_actor(const std::string& actor_id);

    // Network fetches started so far (tests check that concurrent lookups shared one).
    std::size_t fetch_count() const;

private:
    struct Pending;
    boost::asio::awaitable<KeyResult<VerifiedKey>> fetch_and_verify(const std::string& key_id);
    std::optional<VerifiedKey> cached(const std::string& key_id);

    DocumentFetcher fetcher_;
    store::Database& db_;
    Options options_;
    Clock clock_;

    mutable std::mutex mutex_;
    std::map<std::string, VerifiedKey, std::less<>> memory_;
    std::map<std::string, std::shared_ptr<Pending>, std::less<>> pending_;
    std::size_t fetches_ = 0;
};

}  // namespace fedblog::activitypub::remote
