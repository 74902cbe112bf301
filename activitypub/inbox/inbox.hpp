#pragma once
// The inbox, in the order that wastes least and trusts nothing early (honk's postinbox, Mastodon's rules):
//   media type → JSON → activity shape (its id on its actor's origin) → blocked domain → signature (policy,
//   key, one refetch) → signed for our Host → the signer owns the activity (same actor, or the activity fetched again from its origin) →
//   an embedded object from another origin is fetched from there → seen before? → handled, in one
//   savepoint with the record that it was seen, committed with the activities that arrived alongside it
//   (GroupWriter) before the answer goes out.
// Before all of it, admission (admission.hpp): the sender's rate, and room among the activities in flight.
// Answers: 202 accepted (also for duplicates and activities we do not act on), 400 malformed (or an id on
// another origin than its actor), 401 signature, 403 blocked, 415 media type, 421 signed for another Host,
// 429 the sender's rate exceeded, 503 the signer's key could not be fetched now or too many activities in
// flight. Each with a short reason that the log line repeats.
#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "activitypub/comments/fetched_reply.hpp"
#include "activitypub/ids.hpp"
#include "activitypub/inbox/admission.hpp"
#include "activitypub/inbox/blocking.hpp"
#include "activitypub/inbox/comment_policy.hpp"
#include "activitypub/inbox/group_writer.hpp"
#include "activitypub/inbox/incoming.hpp"
#include "activitypub/inbox/rate_limiter.hpp"
#include "activitypub/inbox/replies.hpp"
#include "activitypub/remote/document_fetcher.hpp"
#include "activitypub/remote/key_directory.hpp"
#include "keys/http_message.hpp"
#include "store/database.hpp"

namespace fedblog::activitypub::inbox {

struct InboxRequest {
    keys::HttpMessage message;  // scheme: the public one; authority: the Host header as received
    std::string content_type;
    std::string client;  // the TCP peer, for logs
};

struct InboxAnswer {
    unsigned status = 202;
    std::string reason;  // short and machine-readable: "accepted", "duplicate", "bad_signature", ...
    std::string detail;  // one sentence for the sender and the log
    std::string activity_type;  // as the sender named it (empty when unreadable); for metrics
    unsigned retry_after = 0;   // seconds, for a Retry-After header (429, and 503 when busy); 0: none
};

struct InboxOptions {
    bool manually_approves_followers = false;
    std::vector<std::string> blocked_domains;  // a domain blocks its subdomains too; `fedblog block` adds more
    CommentPolicy comments;                    // replies: approved or held, size limit, spam signals
    bool require_https = true;                 // remote ids must be https (off only in development)
    // A reply whose parent we lack: its ancestors are fetched within these bounds (fetches count authors too).
    comments::WalkLimits ancestor_limits{
        .max_depth = 8, .max_fetches = 16, .max_replies = 0, .max_pages = 0, .time_budget = std::chrono::seconds(10)};
    // Admission: requests per remote host (the signature's keyId host, else the client address), and
    // activities in flight at once. Off unless set; serve sets them from the settings.
    RateLimits rate_per_host{};
    std::size_t max_in_flight = 0;  // 0: no bound
};

class Inbox {
public:
    using Clock = std::function<std::int64_t()>;
    // `deliveries_queued` is called after a transaction that queued deliveries commits (wakes the workers).
    Inbox(store::Database& db, Ids ids, remote::KeyDirectory& keys, remote::DocumentFetcher& fetcher,
          InboxOptions options, Clock clock, std::function<void()> deliveries_queued);

    boost::asio::awaitable<InboxAnswer> receive(const InboxRequest& request);
    // The block (a `fedblog block` entry or the blocked_domains setting) that covers this actor or URL; the
    // ancestor walk and the backfill ask too.
    std::optional<BlockMatch> blocked(const std::string& url);
    bool is_blocked(const std::string& url) { return blocked(url).has_value(); }
    // New options (serve's SIGHUP: blocked domains, comment moderation); activities already being handled keep
    // the ones they started with.
    void set_options(InboxOptions options);
    // Its group commits so far (metrics, the benchmark).
    const GroupWriter& writer() const { return writer_; }

    // Activities being verified or handled now (tests, metrics).
    std::size_t in_flight() const { return in_flight_.in_flight(); }

private:
    InboxAnswer within_limits(const InboxRequest& request, InFlightGate::Ticket& ticket);
    boost::asio::awaitable<InboxAnswer> admit(const InboxRequest& request, IncomingActivity& activity);
    boost::asio::awaitable<InboxAnswer> confirm_from_origin(IncomingActivity& activity);
    boost::asio::awaitable<InboxAnswer> confirm_object(IncomingActivity& activity);
    boost::asio::awaitable<InboxAnswer> handle(IncomingActivity& activity, GroupWriter::Expected& expected);
    boost::asio::awaitable<InboxAnswer> handle_move(const IncomingActivity& activity);
    InboxAnswer move_follower(const IncomingActivity& activity, const remote::FetchedDocument& target);
    boost::asio::awaitable<InboxAnswer> remember_actor(const std::string& actor_id);
    boost::asio::awaitable<InboxAnswer> fetch_ancestors(const IncomingActivity& activity,
                                                        std::vector<comments::FetchedReply>& chain);
    // The activity's effects and the record that it was seen, in one savepoint (inside the group's transaction
    // when the writer runs it); sets `queued` when deliveries were queued.
    // `content`: a reply's, prepared beforehand (prepare_reply).
    InboxAnswer apply(const IncomingActivity& activity, const std::vector<comments::FetchedReply>& ancestors,
                      const PreparedContent* content, bool& queued);
    // apply() in a transaction of its own, waking the delivery workers (the fuzzer's way in).
    InboxAnswer handle_locally(const IncomingActivity& activity, const std::vector<comments::FetchedReply>& ancestors = {});
    InboxAnswer forget_actor(const std::string& actor_id, std::int64_t now);
    bool is_known_actor(const std::string& actor_id);

    store::Database& db_;
    Ids ids_;
    remote::KeyDirectory& keys_;
    remote::DocumentFetcher& fetcher_;
    std::shared_ptr<const InboxOptions> options() const;

    mutable std::mutex options_mutex_;
    std::shared_ptr<const InboxOptions> options_;  // guarded by options_mutex_
    Clock clock_;
    std::function<void()> deliveries_queued_;
    RateLimiter rate_limiter_;
    InFlightGate in_flight_;
    std::atomic<std::int64_t> busy_logged_at_{0};  // a full inbox is logged once a second, not per request
    // A second connection for what the io threads read (blocks, a reply's place): it never waits for the
    // writer's lock and sees what is committed. Absent for a database without a file (then db_ is read).
    std::unique_ptr<store::Database> reader_;
    std::unique_ptr<BlockCache> blocks_;
    store::Database& reader() { return reader_ ? *reader_ : db_; }
    GroupWriter writer_;  // last: its thread stops, writing what is queued, before the rest goes

    // fuzz/activity_fuzz.cpp drives handle_locally and move_follower directly, as if past the signature check:
    // only a fuzzer defines this type.
    friend struct InboxFuzzAccess;
};

}  // namespace fedblog::activitypub::inbox
