#pragma once
// Reports (ActivityPub `Flag`) sent to the blog about its account, its posts or the comments it shows, kept
// for the owner: `fedblog reports`.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/database.hpp"
#include "store/post.hpp"

namespace fedblog::store {

struct Report {
    std::int64_t id = 0;
    std::string activity_id;  // the Flag's id
    std::string actor_id;     // who sent it (Mastodon: the reporter's instance actor)
    std::vector<std::string> objects;  // the reported ids, as received
    std::string content;      // the reason, as received
    Timestamp received_at = 0;
    std::string state = "open";  // open | resolved
    std::optional<Timestamp> resolved_at;
};

class Reports {
public:
    explicit Reports(Database& db) : db_(db) {}

    // The new report's id; nothing when a report with this activity id is held already.
    std::optional<std::int64_t> insert(const Report& report);
    std::optional<Report> find(std::int64_t id);
    // "" = every state; newest first.
    std::vector<Report> list(std::string_view state, int limit);
    // False when there is no such open report.
    bool resolve(std::int64_t id, Timestamp now);

private:
    Database& db_;
};

}  // namespace fedblog::store
