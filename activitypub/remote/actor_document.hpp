#pragma once
// Reading remote actor and key documents: lenient about JSON-LD shapes (a string or an object, one value
// or an array), strict about what trust depends on: ids, key ownership, origins.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "store/remote_actors.hpp"

namespace fedblog::activitypub::remote {

struct PublicKey {
    std::string id;
    std::string owner;
    std::string pem;
};

struct ActorDocument {
    std::string id;
    std::string type;
    std::string inbox;
    std::string shared_inbox;  // endpoints.sharedInbox, empty when none
    std::string preferred_username;
    std::string name;
    std::string icon_url;
    std::string profile_url;  // `url`, kept only when on the actor's host
    std::vector<PublicKey> keys;
    std::vector<std::string> also_known_as;
};

// A bare key document: {id, owner, publicKeyPem} (what some servers serve at a key id).
struct KeyDocument {
    PublicKey key;
};

struct DocumentError {
    std::string detail;  // for logs and 401 bodies: names what is wrong
};

// Actor types Mastodon accepts (docs/mastodon.md §2 item 7).
bool is_actor_type(std::string_view type);

// `fetched_from` is the URL that answered (after redirects), fragment dropped. An actor's id must equal it
// (byte for byte); a key document's id must be on the same origin. Keys whose owner is not the actor are
// dropped, as Mastodon 4.6+ does.
std::variant<ActorDocument, KeyDocument, DocumentError> read_document(const nlohmann::json& document,
                                                                       std::string_view fetched_from);

// The key of this actor with exactly this id, if it publishes one.
const PublicKey* find_key(const ActorDocument& actor, std::string_view key_id);

// "https://m.example:8443" for any URL on that origin; nothing when not an absolute http(s) URL.
std::optional<std::string> origin_of(std::string_view url);

// The row the store caches for an actor: addresses, names, the document, and `key` when one was verified
// (null: the actor is known without a key, e.g. the target of a Move, and its key is fetched when it signs).
store::RemoteActor to_remote_actor(const ActorDocument& actor, const PublicKey* key, const nlohmann::json& document,
                                   std::int64_t now);

// The URL without its fragment: key ids are "<actor>#main-key", the document is the actor.
std::string without_fragment(std::string_view url);

}  // namespace fedblog::activitypub::remote
