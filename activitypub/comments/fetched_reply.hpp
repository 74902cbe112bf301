#pragma once
// Remote replies believed only as their own origin serves them, and the budget that bounds every walk through
// a conversation (the missing ancestors of an inbox reply, the backfill of a thread): what both share.
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <variant>
#include <vector>

#include "activitypub/remote/document_fetcher.hpp"
#include "store/database.hpp"

namespace fedblog::activitypub::comments {

struct WalkLimits {
    int max_depth = 8;       // ancestors: levels above a reply; backfill: levels below a comment we hold
    int max_fetches = 16;    // GETs per walk: objects, collection pages, authors
    int max_replies = 100;   // backfill: new replies kept per walk
    int max_pages = 8;       // pages read per collection (a `next` chain that never ends stops there)
    std::chrono::milliseconds time_budget{10000};  // checked before each GET (each GET has its own deadline)
};

// Counts what a walk spends, and remembers which bounds cut it short (for the report and the log).
class WalkBudget {
public:
    using Clock = std::function<std::chrono::steady_clock::time_point()>;
    explicit WalkBudget(WalkLimits limits, Clock clock = std::chrono::steady_clock::now);

    // True, counting it, when one more GET fits in the fetch count and the time budget.
    bool take_fetch();
    // No GET fits any more: the fetches are all used, or the time is up.
    bool spent();
    // Records that `bound` ("depth", "replies", "pages", ...) cut something short.
    void exhaust(const std::string& bound);
    // The bounds reached, in the order they were: "fetches", "time", "depth", "replies", "pages"; empty
    // when the walk ran to its end.
    std::string exhausted() const;
    int fetches() const { return fetches_; }
    const WalkLimits& limits() const { return limits_; }

private:
    WalkLimits limits_;
    Clock clock_;
    std::chrono::steady_clock::time_point deadline_;
    int fetches_ = 0;
    std::vector<std::string> reached_;
};

// What a walk needs from its caller.
struct Walker {
    remote::DocumentFetcher& fetcher;
    store::Database& db;
    std::string own_origin;                              // never fetched: what is ours is in the store
    std::function<bool(const std::string& url)> holds;   // one of our posts, or a comment we hold
    std::function<bool(const std::string& url)> blocked; // a blocked domain or actor (may be empty)
};

// A reply as its origin vouches for it.
struct FetchedReply {
    nlohmann::json object;
    std::string id;
    std::string author;       // attributedTo, on the id's origin
    std::string in_reply_to;  // empty for a thread's root
};

struct ReplyRefused {
    bool unavailable = false;  // the network or the server failed: it may work later
    std::string detail;
};

// Reads `object` as a reply that `served_from` (the URL that answered) vouches for: a Note, Article,
// Question or Page whose id and attributedTo are both on that URL's origin.
std::variant<FetchedReply, ReplyRefused> read_reply(const nlohmann::json& object, const std::string& served_from);

// GETs `url` (counted in `budget`) and believes the answer only when its id is `url` exactly and the URL
// that answered (after redirects) is on the same origin: a document cannot speak for another server.
boost::asio::awaitable<std::variant<FetchedReply, ReplyRefused>> fetch_reply(const Walker& walker, const std::string& url,
                                                                            WalkBudget& budget);

// Caches the author's actor (name, handle, avatar for the thread) unless it is cached already. False when
// it cannot be fetched, or is not an actor with that id on that origin.
boost::asio::awaitable<bool> remember_author(const Walker& walker, const std::string& actor_id, WalkBudget& budget,
                                             std::int64_t now);

// The id of a JSON-LD node given as a string or an object with an "id"; empty otherwise.
std::string node_id(const nlohmann::json& node);

}  // namespace fedblog::activitypub::comments
