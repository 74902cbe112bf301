#pragma once
// The blog's followers: who follows, where to deliver, and follow requests waiting for approval.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/database.hpp"
#include "store/post.hpp"

namespace fedblog::store {

struct Follower {
    std::string actor_id;
    std::string inbox;
    std::string shared_inbox;  // empty when the server advertises none
    std::string handle;
    std::string display_name;
    std::string follow_activity_id;  // the Follow we accepted (or hold): Undo and Accept refer to it
    bool accepted = false;
    Timestamp created_at = 0;
};

class Followers {
public:
    explicit Followers(Database& db) : db_(db) {}

    // Records the follow (or refreshes it: a repeated Follow replaces the activity id and addresses).
    // `accepted` false holds it for the owner's approval.
    void save(const Follower& follower);
    std::optional<Follower> find(std::string_view actor_id);
    void accept(std::string_view actor_id);
    // True when there was such a follower.
    bool remove(std::string_view actor_id);
    // Every follower delivered through this inbox (personal or shared): it answered 410 Gone. Returns how many.
    int remove_by_inbox(std::string_view inbox);
    // Accepted followers, oldest first.
    std::vector<Follower> accepted();
    std::vector<Follower> pending();
    // The delivery addresses of accepted followers: each shared inbox once, else the personal inbox.
    std::vector<std::string> delivery_inboxes();

private:
    std::vector<Follower> list(bool accepted);
    Database& db_;
};

// Activity ids already handled: a redelivered activity is acknowledged and ignored.
class SeenActivities {
public:
    explicit SeenActivities(Database& db) : db_(db) {}
    // True the first time an id is seen (and records it); false for a repeat.
    bool first_sighting(std::string_view activity_id, Timestamp now);
    // Forgets ids older than `before`; returns how many.
    int forget_before(Timestamp before);

private:
    Database& db_;
};

}  // namespace fedblog::store
