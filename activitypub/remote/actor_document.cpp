#include "activitypub/remote/actor_document.hpp"

#include <algorithm>
#include <boost/url/parse.hpp>

namespace fedblog::activitypub::remote {

namespace {

using nlohmann::json;

// A string, or the `id`/`href`/`url` of an object, or the first such of an array.
std::string link_string(const json& value) {
    if (value.is_string()) return value.get<std::string>();
    if (value.is_object()) {
        for (const char* key : {"href", "url", "id"})
            if (value.contains(key)) {
                std::string found = link_string(value[key]);
                if (!found.empty()) return found;
            }
    }
    if (value.is_array())
        for (const auto& item : value) {
            std::string found = link_string(item);
            if (!found.empty()) return found;
        }
    return {};
}

std::string string_member(const json& object, const char* key) {
    auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<PublicKey> read_key(const json& value) {
    if (!value.is_object()) return std::nullopt;
    PublicKey key{string_member(value, "id"), link_string(value.value("owner", json())), string_member(value, "publicKeyPem")};
    if (key.id.empty() || key.pem.empty()) return std::nullopt;
    return key;
}

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
    return text;
}

}  // namespace

bool is_actor_type(std::string_view type) {
    return type == "Person" || type == "Service" || type == "Organization" || type == "Group" || type == "Application";
}

std::optional<std::string> origin_of(std::string_view url) {
    auto parsed = boost::urls::parse_uri(url);  // not parse_absolute_uri: key ids carry a fragment
    if (!parsed || !parsed->has_authority() || parsed->host().empty()) return std::nullopt;
    std::string scheme = lower(std::string(parsed->scheme()));
    if (scheme != "https" && scheme != "http") return std::nullopt;
    std::string origin = scheme + "://" + lower(std::string(parsed->encoded_host()));
    if (parsed->has_port()) origin += ":" + std::string(parsed->port());
    return origin;
}

std::string without_fragment(std::string_view url) { return std::string(url.substr(0, url.find('#'))); }

const PublicKey* find_key(const ActorDocument& actor, std::string_view key_id) {
    for (const PublicKey& key : actor.keys)
        if (key.id == key_id) return &key;
    return nullptr;
}

std::variant<ActorDocument, KeyDocument, DocumentError> read_document(const json& document,
                                                                       std::string_view fetched_from) {
    if (!document.is_object()) return DocumentError{"the document is not a JSON object"};
    std::string id = string_member(document, "id");
    if (id.empty()) return DocumentError{"the document has no id"};
    auto fetched_origin = origin_of(fetched_from);
    auto id_origin = origin_of(id);
    if (!fetched_origin || !id_origin) return DocumentError{"the document id \"" + id + "\" is not an http(s) URL"};
    if (*id_origin != *fetched_origin)
        return DocumentError{"the document id \"" + id + "\" is not on the origin it was fetched from (" +
                             *fetched_origin + ")"};
    std::string type = link_string(document.value("type", json()));

    if (!is_actor_type(type)) {
        // A key document stands alone: {id, owner, publicKeyPem}. Its owner is only a claim until the
        // owner's actor lists this key (checked by the caller with the actor in hand).
        auto key = read_key(document);
        if (!key || key->owner.empty()) return DocumentError{"\"" + id + "\" is neither an actor nor a key"};
        return KeyDocument{*key};
    }
    if (id != without_fragment(fetched_from))
        return DocumentError{"the actor id \"" + id + "\" differs from the URL it was fetched from (" +
                             std::string(fetched_from) + ")"};
    ActorDocument actor;
    actor.id = id;
    actor.type = type;
    actor.inbox = link_string(document.value("inbox", json()));
    if (actor.inbox.empty()) return DocumentError{"the actor \"" + id + "\" has no inbox"};
    if (auto endpoints = document.find("endpoints"); endpoints != document.end() && endpoints->is_object())
        actor.shared_inbox = link_string(endpoints->value("sharedInbox", json()));
    actor.preferred_username = string_member(document, "preferredUsername");
    actor.name = string_member(document, "name");
    actor.icon_url = link_string(document.value("icon", json()));
    std::string profile = link_string(document.value("url", json()));
    if (origin_of(profile) == id_origin) actor.profile_url = profile;  // Mastodon drops a url on another host
    const json keys = document.value("publicKey", json());
    auto take = [&](const json& value) {
        auto key = read_key(value);
        if (key && key->owner == actor.id) actor.keys.push_back(*key);  // a key this actor does not own is ignored
    };
    if (keys.is_array())
        for (const auto& key : keys) take(key);
    else
        take(keys);
    const json aliases = document.value("alsoKnownAs", json());
    if (aliases.is_array())
        for (const auto& alias : aliases)
            if (alias.is_string()) actor.also_known_as.push_back(alias.get<std::string>());
    return actor;
}

store::RemoteActor to_remote_actor(const ActorDocument& actor, const PublicKey* key, const nlohmann::json& document,
                                   std::int64_t now) {
    store::RemoteActor row;
    row.id = actor.id;
    row.type = actor.type;
    row.inbox = actor.inbox;
    row.shared_inbox = actor.shared_inbox;
    if (!actor.preferred_username.empty())
        if (auto origin = origin_of(actor.id)) row.handle = actor.preferred_username + "@" + origin->substr(origin->find("://") + 3);
    row.display_name = actor.name;
    row.icon_url = actor.icon_url;
    row.profile_url = actor.profile_url;
    if (key) {
        row.key_id = key->id;
        row.public_key_pem = key->pem;
    }
    row.document = document.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    row.fetched_at = now;
    return row;
}

}  // namespace fedblog::activitypub::remote
