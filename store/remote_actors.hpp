#pragma once
// The cache of remote actors and their keys: what an inbox needs to verify a signature without fetching
// the actor each time, and what comments show (name, handle, avatar).
#include <optional>
#include <string>
#include <string_view>

#include "store/database.hpp"
#include "store/post.hpp"

namespace fedblog::store {

struct RemoteActor {
    std::string id;  // exactly as published
    std::string type = "Person";
    std::string inbox;
    std::string shared_inbox;  // empty when none
    std::string handle;        // user@host, empty until WebFinger or preferredUsername tells
    std::string display_name;
    std::string icon_url;
    std::string profile_url;
    std::string key_id;
    std::string public_key_pem;
    std::string document;  // the JSON as fetched
    Timestamp fetched_at = 0;
    std::optional<Timestamp> deleted;
};

class RemoteActors {
public:
    explicit RemoteActors(Database& db) : db_(db) {}

    std::optional<RemoteActor> find(std::string_view actor_id);
    std::optional<RemoteActor> find_by_key_id(std::string_view key_id);
    // "user@host" as WebFinger or preferredUsername gave it (the owner's commands name actors so).
    std::optional<RemoteActor> find_by_handle(std::string_view handle);
    // The actor's web page ("https://m.example/@alice"), which is not its id.
    std::optional<RemoteActor> find_by_profile_url(std::string_view profile_url);
    // Inserts or replaces the actor (matched by id); a re-fetched actor is alive again.
    void save(const RemoteActor& actor);
    // The actor deleted itself: keep the row (its comments refer to it) but drop its key.
    void mark_deleted(std::string_view actor_id, Timestamp when);

private:
    Database& db_;
};

}  // namespace fedblog::store
