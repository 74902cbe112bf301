#include "activitypub/remote/key_directory.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <vector>

#include "activitypub/remote/actor_document.hpp"
#include "common/log.hpp"
#include "keys/key_pair.hpp"
#include "store/remote_actors.hpp"

namespace fedblog::activitypub::remote {

namespace asio = boost::asio;
using nlohmann::json;

// One fetch in flight; later lookups of the same key wait for it instead of fetching again.
struct KeyDirectory::Pending {
    std::optional<KeyResult<VerifiedKey>> result;     // set once, under the directory's mutex
    std::vector<std::function<void()>> wake_waiters;  // each posts to its waiter's own executor
};

namespace {

std::shared_ptr<EVP_PKEY> parse_key(const std::string& pem) {
    keys::EvpPkeyPtr parsed = keys::public_key_from_pem(pem);
    return std::shared_ptr<EVP_PKEY>(parsed.release(), EVP_PKEY_free);
}

bool is_https(std::string_view url) { return url.starts_with("https://"); }


}  // namespace

KeyDirectory::KeyDirectory(transport::HttpClient& client, store::Database& db, transport::BeforeSend sign_get,
                           Options options, Clock clock)
    : fetcher_(client, std::move(sign_get)), db_(db), options_(options), clock_(std::move(clock)) {}

std::size_t KeyDirectory::fetch_count() const {
    std::lock_guard lock(mutex_);
    return fetches_;
}

std::optional<VerifiedKey> KeyDirectory::cached(const std::string& key_id) {
    std::int64_t fresh_after = clock_() - options_.refresh_age.count();
    {
        std::lock_guard lock(mutex_);
        auto it = memory_.find(key_id);
        if (it != memory_.end() && it->second.fetched_at >= fresh_after) return it->second;
    }
    store::RemoteActors actors(db_);
    auto row = actors.find_by_key_id(key_id);
    if (!row || row->fetched_at < fresh_after || row->public_key_pem.empty()) return std::nullopt;
    try {
        VerifiedKey key{key_id, row->id, parse_key(row->public_key_pem), row->fetched_at};
        std::lock_guard lock(mutex_);
        memory_[key_id] = key;
        return key;
    } catch (const std::exception&) {
        return std::nullopt;  // a damaged cache row: fetch again
    }
}

asio::awaitable<KeyResult<VerifiedKey>> KeyDirectory::lookup(std::string key_id, bool refresh) {
    if (!refresh)
        if (auto key = cached(key_id)) co_return *key;

    std::shared_ptr<Pending> pending;
    bool leader = false;
    {
        std::lock_guard lock(mutex_);
        auto it = pending_.find(key_id);
        if (it == pending_.end()) {
            pending = std::make_shared<Pending>();
            pending_.emplace(key_id, pending);
            leader = true;
            ++fetches_;
        } else {
            pending = it->second;
        }
    }

    if (leader) {
        KeyResult<VerifiedKey> result = co_await fetch_and_verify(key_id);
        std::vector<std::function<void()>> waiters;
        {
            std::lock_guard lock(mutex_);
            if (auto* key = std::get_if<VerifiedKey>(&result)) {
                memory_[key_id] = *key;
                key->just_fetched = true;
            }
            pending->result = result;
            waiters.swap(pending->wake_waiters);
            pending_.erase(key_id);
        }
        for (auto& wake : waiters) wake();
        co_return result;
    }

    // Follower: sleep on a timer of our own executor until the leader wakes us.
    asio::steady_timer wake(co_await asio::this_coro::executor, asio::steady_timer::time_point::max());
    {
        std::lock_guard lock(mutex_);
        if (pending->result) co_return *pending->result;
        pending->wake_waiters.push_back([&wake] { asio::post(wake.get_executor(), [&wake] { wake.cancel(); }); });
    }
    co_await wake.async_wait(asio::as_tuple(asio::use_awaitable));
    std::lock_guard lock(mutex_);
    co_return *pending->result;
}

asio::awaitable<KeyResult<VerifiedKey>> KeyDirectory::fetch_and_verify(const std::string& key_id) {
    if (options_.require_https && !is_https(key_id))
        co_return KeyError{KeyErrorKind::invalid, "key id \"" + key_id + "\" is not an https URL"};
    auto fetched = co_await fetcher_.fetch(without_fragment(key_id));
    if (auto* error = std::get_if<KeyError>(&fetched)) co_return *error;
    // No structured binding: GCC 12 mishandles them across a co_await.
    const json& document = std::get<FetchedDocument>(fetched).document;
    const std::string& answered = std::get<FetchedDocument>(fetched).url;
    auto read = read_document(document, answered);
    if (auto* error = std::get_if<DocumentError>(&read)) co_return KeyError{KeyErrorKind::invalid, error->detail};

    ActorDocument actor;
    json actor_json = document;
    if (auto* key_document = std::get_if<KeyDocument>(&read)) {
        // The key names its owner; believe it only if the owner's own document lists this key.
        if (key_document->key.id != key_id)
            co_return KeyError{KeyErrorKind::invalid, "the key document at " + answered + " has id \"" +
                                                          key_document->key.id + "\", not \"" + key_id + "\""};
        const std::string& owner = key_document->key.owner;
        if (options_.require_https && !is_https(owner))
            co_return KeyError{KeyErrorKind::invalid, "key owner \"" + owner + "\" is not an https URL"};
        auto owner_fetched = co_await fetcher_.fetch(owner);
        if (auto* error = std::get_if<KeyError>(&owner_fetched)) co_return *error;
        actor_json = std::move(std::get<FetchedDocument>(owner_fetched).document);
        auto owner_read = read_document(actor_json, std::get<FetchedDocument>(owner_fetched).url);
        auto* owner_actor = std::get_if<ActorDocument>(&owner_read);
        if (!owner_actor || owner_actor->id != owner)
            co_return KeyError{KeyErrorKind::invalid, "the owner \"" + owner + "\" of key \"" + key_id +
                                                          "\" does not serve an actor with that id"};
        actor = *owner_actor;
    } else {
        actor = std::get<ActorDocument>(read);
    }
    const PublicKey* key = find_key(actor, key_id);
    if (!key)
        co_return KeyError{KeyErrorKind::invalid,
                           "the actor \"" + actor.id + "\" does not list the key \"" + key_id + "\" as its own"};
    std::int64_t now = clock_();
    VerifiedKey verified{key_id, actor.id, nullptr, now};
    try {
        verified.key = parse_key(key->pem);
    } catch (const std::exception& e) {
        co_return KeyError{KeyErrorKind::invalid, "the key \"" + key_id + "\" is not a usable public key: " + e.what()};
    }
    store::RemoteActors(db_).save(to_remote_actor(actor, key, actor_json, now));
    log::debug("remote key fetched", {{"key_id", key_id}, {"actor", actor.id}});
    co_return verified;
}

void KeyDirectory::forget_actor(const std::string& actor_id) {
    {
        std::lock_guard lock(mutex_);
        std::erase_if(memory_, [&](const auto& entry) { return entry.second.actor_id == actor_id; });
    }
    store::RemoteActors(db_).mark_deleted(actor_id, clock_());
}

}  // namespace fedblog::activitypub::remote
