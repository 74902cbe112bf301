#include "activitypub/inbox/inbox.hpp"

#include <sqlite3.h>

#include "activitypub/comments/ancestors.hpp"
#include "activitypub/delivery/fanout.hpp"
#include "activitypub/inbox/follows.hpp"
#include "activitypub/inbox/replies.hpp"
#include "activitypub/inbox/reports.hpp"
#include "activitypub/remote/actor_document.hpp"
#include "activitypub/remote/request_verifier.hpp"
#include "common/json_guard.hpp"
#include "common/log.hpp"
#include "store/comments.hpp"
#include "store/followers.hpp"
#include "store/reactions.hpp"
#include "store/hosts.hpp"
#include "store/remote_actors.hpp"
#include "store/transaction.hpp"

namespace fedblog::activitypub::inbox {

namespace asio = boost::asio;

namespace {

InboxAnswer accepted(std::string reason, std::string detail) { return {202, std::move(reason), std::move(detail), {}}; }
InboxAnswer refused(unsigned status, std::string reason, std::string detail) {
    return {status, std::move(reason), std::move(detail), {}};
}

bool is_activity_media_type(std::string_view content_type) {
    std::string main(content_type.substr(0, content_type.find(';')));
    std::erase_if(main, [](char c) { return c == ' ' || c == '\t'; });
    for (char& c : main) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    // application/json too: a few servers send it, and the body is checked as an activity anyway.
    return main == "application/activity+json" || main == "application/ld+json" || main == "application/json";
}

bool is_self_delete(const IncomingActivity& activity) {
    return activity.type == "Delete" && activity.object_id == activity.actor;
}

std::string host_of(const std::string& url) { return delivery::inbox_host(url).value_or(""); }

// "Blog.Example:443" and "blog.example" name the same https authority.
std::string canonical_authority(std::string authority, std::string_view scheme) {
    for (char& c : authority) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::string default_port = scheme == "https" ? ":443" : ":80";
    if (authority.ends_with(default_port)) authority.resize(authority.size() - default_port.size());
    return authority;
}

// 403 for a blocked sender; the owner's note on the block stays private.
InboxAnswer refused_blocked(const BlockMatch& block, const std::string& url, const std::string& what) {
    if (block.kind == "actor") return refused(403, "blocked_actor", what + " this actor are not accepted");
    return refused(403, "blocked_domain", what + " " + host_of(url) + " are not accepted");
}

}  // namespace

Inbox::Inbox(store::Database& db, Ids ids, remote::KeyDirectory& keys, remote::DocumentFetcher& fetcher,
             InboxOptions options, Clock clock, std::function<void()> deliveries_queued)
    : db_(db),
      ids_(std::move(ids)),
      keys_(keys),
      fetcher_(fetcher),
      options_(std::make_shared<const InboxOptions>(std::move(options))),
      clock_(std::move(clock)),
      deliveries_queued_(std::move(deliveries_queued)),
      rate_limiter_(options_->rate_per_host),
      writer_(db, deliveries_queued_) {
    const char* file = sqlite3_db_filename(db_.sqlite().getHandle(), "main");
    if (file && *file) {
        reader_ = std::make_unique<store::Database>(file);
        blocks_ = std::make_unique<BlockCache>(*reader_);
    }
}

asio::awaitable<InboxAnswer> Inbox::receive(const InboxRequest& request) {
    IncomingActivity activity;
    InFlightGate::Ticket ticket;  // held until the answer is ready
    InboxAnswer answer = within_limits(request, ticket);
    // Announced to the group writer while it is verified and parsed, so that the group being formed waits for it.
    GroupWriter::Expected expected;
    if (answer.reason.empty()) {
        expected = writer_.expect();
        answer = co_await admit(request, activity);
    }
    if (answer.status == 202 && answer.reason.empty()) answer = co_await handle(activity, expected);
    expected.release();
    answer.activity_type = activity.type;
    if (answer.reason == "rate_limited" || answer.reason == "inbox_busy") co_return answer;  // logged above
    if (answer.status >= 400)
        log::warn("inbox refused", {{"status", answer.status},
                                    {"reason", answer.reason},
                                    {"detail", answer.detail},
                                    {"client", request.client},
                                    {"type", activity.type},
                                    {"actor", activity.actor},
                                    {"id", activity.id}});
    else if (log::enabled(log::Level::info))  // the fields are copies: not made for a line not written
        log::info("inbox", {{"status", answer.status},
                            {"result", answer.reason},
                            {"type", activity.type},
                            {"actor", activity.actor},
                            {"id", activity.id}});
    co_return answer;
}

// Admission, before the body is read: an answer with an empty reason means "go on". Each refusal is logged
// here once per episode (the first 429 for a host since it was last allowed; a full inbox once a second), so a
// flood does not flood the log too.
InboxAnswer Inbox::within_limits(const InboxRequest& request, InFlightGate::Ticket& ticket) {
    const auto limits = options();
    if (limits->rate_per_host.per_minute != 0) {
        const std::string key = rate_key(request.message, request.client);
        auto decision = rate_limiter_.take(key);
        if (!decision.allowed) {
            InboxAnswer answer = refused(429, "rate_limited",
                                         "more than " + std::to_string(limits->rate_per_host.per_minute) +
                                             " activities a minute from " + key + "; retry after " +
                                             std::to_string(decision.retry_after.count()) + " s");
            answer.retry_after = static_cast<unsigned>(decision.retry_after.count());
            if (decision.first_refusal)
                log::warn("inbox rate limited",
                          {{"key", key}, {"client", request.client}, {"retry_after", answer.retry_after}});
            return answer;
        }
    }
    ticket = in_flight_.try_enter(limits->max_in_flight);
    if (!ticket) {
        constexpr unsigned busy_retry_after = 5;  // activities in flight end within seconds (fetch timeouts: 10 s)
        InboxAnswer answer = refused(503, "inbox_busy",
                                     std::to_string(limits->max_in_flight) +
                                         " activities are being handled already; retry after " +
                                         std::to_string(busy_retry_after) + " s");
        answer.retry_after = busy_retry_after;
        const std::int64_t now = clock_();
        if (busy_logged_at_.exchange(now) != now)
            log::warn("inbox busy", {{"in_flight", limits->max_in_flight}, {"client", request.client}});
        return answer;
    }
    return InboxAnswer{};
}

// Everything before handling: an answer with an empty reason means "admitted".
asio::awaitable<InboxAnswer> Inbox::admit(const InboxRequest& request, IncomingActivity& activity) {
    if (!is_activity_media_type(request.content_type))
        co_return refused(415, "unsupported_media_type",
                          "Content-Type must be application/activity+json or application/ld+json, not \"" +
                              request.content_type + "\"");
    if (auto problem = check_untrusted_json(request.message.body)) co_return refused(400, problem->reason, problem->detail);
    Json document = Json::parse(request.message.body, nullptr, false);
    if (document.is_discarded()) co_return refused(400, "malformed_json", "the body is not valid JSON");
    auto read = read_activity(std::move(document));
    if (auto* malformed = std::get_if<MalformedActivity>(&read))
        co_return refused(400, "malformed_activity", malformed->detail);
    activity = std::get<IncomingActivity>(std::move(read));
    // An id is minted by its actor's server. One on another origin would let any signer burn that origin's
    // future ids in seen_activities (Mastodon's Delete of a note is "<note>#delete"), so the real one is dropped
    // as a duplicate.
    if (auto id_origin = remote::origin_of(activity.id); !id_origin || id_origin != remote::origin_of(activity.actor))
        co_return refused(400, "foreign_activity_id", "the activity's id is not on its actor's origin");

    // A Follow from a blocked domain or actor is verified and then answered with a Reject; anything else is
    // refused unread.
    if (auto block = blocked(activity.actor); block && activity.type != "Follow")
        co_return refused_blocked(*block, activity.actor, "activities from");
    // An actor we never heard of deleting itself: nothing to do, and its key would answer 410 anyway.
    if (is_self_delete(activity) && !is_known_actor(activity.actor))
        co_return accepted("unknown_actor", "an actor this blog does not know was deleted; nothing to do");

    auto verification = co_await remote::verify_request(keys_, request.message, clock_());
    if (auto* rejected = std::get_if<remote::RejectedRequest>(&verification)) {
        // A deleted actor's key is gone with it: its own origin confirms the deletion instead.
        if (is_self_delete(activity) && rejected->reason == "key_gone") {
            auto fetched = co_await fetcher_.fetch(activity.actor);
            auto* error = std::get_if<remote::FetchError>(&fetched);
            if (error && error->kind == remote::FetchErrorKind::gone) co_return InboxAnswer{};
        }
        co_return refused(rejected->status, rejected->reason, rejected->detail);
    }
    const auto& verified = std::get<remote::VerifiedRequest>(verification);
    // Signed for another server's Host (checked after the signature, so a proxy that rewrote Host still gets
    // its bad_signature hint): a request captured there and replayed here.
    if (const std::string_view scheme = request.message.scheme;
        canonical_authority(request.message.authority, scheme) != canonical_authority(ids_.authority(), scheme))
        co_return refused(421, "wrong_host",
                          "the request was signed for " + request.message.authority + ", not " + ids_.authority());
    // The signer, when it is not the actor already checked above.
    if (auto block = verified.actor_id == activity.actor ? std::nullopt : blocked(verified.actor_id);
        block && activity.type != "Follow")
        co_return refused_blocked(*block, verified.actor_id, "activities signed by");
    if (verified.actor_id != activity.actor) {
        InboxAnswer confirmed = co_await confirm_from_origin(activity);
        if (!confirmed.reason.empty()) co_return confirmed;
    }
    // A validly signed activity means the host is up again, as Mastodon counts it. Looked up on the reader
    // connection: a healthy host (nearly every one) must not wait for the group writer's lock, or the io
    // threads stall behind each group and nothing queues up for the next.
    const std::string host = host_of(activity.actor);
    if (auto health = store::Hosts(reader()).find(host);
        health && (health->failure_days != 0 || health->unavailable_since) && store::Hosts(db_).record_success(host))
        log::info("host available again", {{"host", host}});
    co_return co_await confirm_object(activity);
}

// Signed by someone else (a relay, a forwarded reply): believe only what the activity's own origin serves.
asio::awaitable<InboxAnswer> Inbox::confirm_from_origin(IncomingActivity& activity) {
    // admit() has checked that the id is on the actor's origin: fetching it asks that origin.
    auto fetched = co_await fetcher_.fetch(activity.id);
    if (auto* error = std::get_if<remote::FetchError>(&fetched))
        co_return refused(error->kind == remote::FetchErrorKind::unavailable ? 503 : 401, "signer_not_actor",
                          "the signature is not the actor's, and the activity could not be fetched from its origin: " +
                              error->detail);
    auto& document = std::get<remote::FetchedDocument>(fetched);
    auto read = read_activity(Json(document.document));
    auto* origin_copy = std::get_if<IncomingActivity>(&read);
    if (!origin_copy || origin_copy->id != activity.id || document.url != activity.id ||
        origin_copy->actor != activity.actor || origin_copy->type != activity.type)
        co_return refused(401, "signer_not_actor",
                          "the signature is not the actor's, and its origin does not serve the same activity");
    activity = std::move(*origin_copy);
    co_return InboxAnswer{};
}

// An embedded object from a third origin is believed only as that origin serves it.
asio::awaitable<InboxAnswer> Inbox::confirm_object(IncomingActivity& activity) {
    const Json& object = activity.object();
    if (!object.is_object() || activity.object_id.empty()) co_return InboxAnswer{};
    auto object_origin = remote::origin_of(activity.object_id);
    if (object_origin == remote::origin_of(activity.actor) || object_origin == ids_.origin()) co_return InboxAnswer{};
    auto fetched = co_await fetcher_.fetch(activity.object_id);
    if (auto* error = std::get_if<remote::FetchError>(&fetched))
        co_return refused(error->kind == remote::FetchErrorKind::unavailable ? 503 : 400, "object_unconfirmed",
                          "the embedded object is from another origin and could not be fetched there: " + error->detail);
    auto& document = std::get<remote::FetchedDocument>(fetched);
    if (id_of(document.document.value("id", nlohmann::json())) != activity.object_id)
        co_return refused(400, "object_unconfirmed", "the embedded object's origin serves another id");
    activity.document["object"] = Json(document.document);
    co_return InboxAnswer{};
}

asio::awaitable<InboxAnswer> Inbox::handle(IncomingActivity& activity, GroupWriter::Expected& expected) {
    if (activity.type == "Move") co_return co_await handle_move(activity);
    // A follower's addresses come from its actor document: at hand when it signed, fetched when another did.
    if (activity.type == "Follow" && !store::RemoteActors(db_).find(activity.actor)) {
        InboxAnswer fetched = co_await remember_actor(activity.actor);
        if (!fetched.reason.empty()) co_return fetched;
    }
    std::vector<comments::FetchedReply> ancestors;
    if (activity.type == "Create" && is_reply_type(activity.object_type)) {
        InboxAnswer missing = co_await fetch_ancestors(activity, ancestors);
        if (!missing.reason.empty()) co_return missing;
    }
    // A reply's HTML is parsed here, on the io threads side by side, so that the single writer only writes.
    std::optional<PreparedContent> content;
    if (activity.type == "Create" && is_reply_type(activity.object_type))
        content = prepare_reply(activity, options()->comments);
    // On the writer's thread, committed with whatever else arrived meanwhile; the answer waits for the commit.
    // Named: GCC 12 mishandles temporaries inside a co_await expression.
    std::function<InboxAnswer(bool&)> work = [this, &activity, &ancestors, &content](bool& queued) {
        return apply(activity, ancestors, content ? &*content : nullptr, queued);
    };
    co_return co_await writer_.write<InboxAnswer>(std::move(work), &expected);
}

// A reply to a part of a thread we do not hold yet: its missing ancestors are fetched from their own origins,
// here, outside any transaction; handle_locally imports them with the reply. A chain that does not reach our
// thread leaves `chain` empty, and the reply is then ignored as one to something we do not hold.
asio::awaitable<InboxAnswer> Inbox::fetch_ancestors(const IncomingActivity& activity,
                                                    std::vector<comments::FetchedReply>& chain) {
    const Json& object = activity.object();
    const std::string parent = id_of(object.value("inReplyTo", Json()));
    if (parent.empty() || id_of(object.value("attributedTo", Json())) != activity.actor ||
        find_thread_place(reader(), ids_, parent))
        co_return InboxAnswer{};
    comments::Walker walker{fetcher_, db_, ids_.origin(),
                            [this](const std::string& url) { return find_thread_place(db_, ids_, url).has_value(); },
                            [this](const std::string& url) { return is_blocked(url); }};
    comments::WalkBudget budget(options()->ancestor_limits);
    auto walk = co_await comments::fetch_missing_ancestors(walker, parent, budget, clock_());
    if (walk.unavailable)
        co_return refused(503, "ancestors_unavailable", "the reply's thread could not be fetched now: " + walk.detail);
    if (!walk.reached) {
        log::info("reply outside our threads", {{"object", activity.object_id}, {"detail", walk.detail},
                                                {"bounds", budget.exhausted()}});
        co_return InboxAnswer{};
    }
    chain = std::move(walk.chain);
    co_return InboxAnswer{};
}

asio::awaitable<InboxAnswer> Inbox::remember_actor(const std::string& actor_id) {
    auto fetched = co_await fetcher_.fetch(actor_id);
    if (auto* error = std::get_if<remote::FetchError>(&fetched))
        co_return refused(error->kind == remote::FetchErrorKind::unavailable ? 503 : 400, "actor_unavailable",
                          "the actor could not be fetched: " + error->detail);
    const auto& document = std::get<remote::FetchedDocument>(fetched);
    nlohmann::json plain(document.document);
    auto read = remote::read_document(plain, document.url);
    auto* actor = std::get_if<remote::ActorDocument>(&read);
    if (!actor || actor->id != actor_id || actor->inbox.empty())
        co_return refused(400, "actor_unavailable", "the actor's id does not serve an actor with an inbox");
    store::RemoteActors(db_).save(remote::to_remote_actor(*actor, nullptr, plain, clock_()));
    co_return InboxAnswer{};
}

InboxAnswer Inbox::handle_locally(const IncomingActivity& activity,
                                  const std::vector<comments::FetchedReply>& ancestors) {
    bool queued = false;
    InboxAnswer answer;
    {
        store::WriteTransaction transaction(db_);
        answer = apply(activity, ancestors, nullptr, queued);
        transaction.commit();
    }
    if (queued && deliveries_queued_) deliveries_queued_();
    return answer;
}

InboxAnswer Inbox::apply(const IncomingActivity& activity, const std::vector<comments::FetchedReply>& ancestors,
                         const PreparedContent* content, bool& queued) {
    const std::int64_t now = clock_();
    InboxAnswer answer;
    {
        store::WriteTransaction transaction(db_);
        if (!store::SeenActivities(db_).first_sighting(activity.id, now))
            return accepted("duplicate", "this activity id was received before");
        if (activity.type == "Follow") {
            if (activity.object_id != ids_.actor()) {
                answer = accepted("ignored", "a Follow of someone other than this blog");
            } else {
                auto follower = store::RemoteActors(db_).find(activity.actor);
                if (!follower || follower->inbox.empty())
                    return refused(503, "actor_unknown", "the follower's actor document is not at hand; send again");
                if (auto block = blocked(activity.actor)) {
                    refuse_follow(db_, ids_, activity.document, *follower, now);
                    answer = refused_blocked(*block, activity.actor, "follows from");
                } else {
                    bool now_accepted =
                        receive_follow(db_, ids_, activity.document, *follower, options()->manually_approves_followers, now);
                    answer = accepted(now_accepted ? "followed" : "follow_pending",
                                      now_accepted ? "follow accepted" : "follow request held for the owner's approval");
                }
                queued = true;
            }
        } else if (activity.type == "Like" || activity.type == "Announce") {
            auto outcome = receive_reaction(db_, ids_, activity, now);
            answer = accepted(outcome.result, outcome.detail);
        } else if (activity.type == "Undo") {
            auto reaction = undo_reaction(db_, ids_, activity);
            const auto follower = store::Followers(db_).find(activity.actor);
            bool is_follow = follower && (activity.object_type == "Follow" ||
                                          (activity.object_type.empty() && activity.object_id == follower->follow_activity_id));
            if (reaction.result == "reaction_undone")
                answer = accepted(reaction.result, reaction.detail);
            else if (is_follow && undo_follow(db_, activity.object_id, activity.actor))
                answer = accepted("unfollowed", "the follower was removed");
            else
                answer = accepted("ignored", "an Undo of something this blog does not keep");
        } else if (activity.type == "Create" && is_reply_type(activity.object_type)) {
            const auto policy = options();
            for (const auto& ancestor : ancestors) import_reply(db_, ids_, Json(ancestor.object), now, policy->comments);
            auto outcome = receive_reply(db_, ids_, activity, now, policy->comments, content);
            answer = {outcome.status, outcome.result, outcome.detail, {}};
        } else if (activity.type == "Update" && is_reply_type(activity.object_type)) {
            auto outcome = receive_reply_update(db_, activity, now, options()->comments);
            answer = {outcome.status, outcome.result, outcome.detail, {}};
        } else if (activity.type == "Delete" && !is_self_delete(activity)) {
            auto outcome = receive_reply_delete(db_, activity, now);
            answer = accepted(outcome.result, outcome.detail);
        } else if (is_self_delete(activity)) {
            answer = forget_actor(activity.actor, now);
        } else if (activity.type == "Flag") {
            auto outcome = receive_flag(db_, ids_, activity, now);
            answer = accepted(outcome.result, outcome.detail);
        } else {
            answer = accepted("ignored", "this blog does not act on " + activity.type + " activities");
        }
        if (answer.status >= 400 && !queued) return answer;
        transaction.commit();
    }
    return answer;
}

// The actor deleted itself: its follow, comments, reactions, pending deliveries and keys go with it.
InboxAnswer Inbox::forget_actor(const std::string& actor_id, std::int64_t now) {
    if (auto actor = store::RemoteActors(db_).find(actor_id))
        store::Deliveries(db_).abandon_inbox(actor->inbox, now, "actor deleted");
    store::Followers(db_).remove(actor_id);
    store::Comments(db_).delete_by_actor(actor_id, now);
    store::Reactions(db_).remove_by_actor(actor_id);
    keys_.forget_actor(actor_id);  // after the lookup above: it marks the cached actor deleted
    return accepted("actor_deleted", "the actor, its follow, comments and reactions were forgotten");
}

// Account migration: the follower moves to the target, once the target names the old account as its own.
asio::awaitable<InboxAnswer> Inbox::handle_move(const IncomingActivity& activity) {
    std::string target = id_of(activity.document.value("target", Json()));
    if (activity.object_id != activity.actor || target.empty())
        co_return refused(400, "malformed_activity", "a Move must move its own actor to a target");
    if (!store::Followers(db_).find(activity.actor)) {
        store::SeenActivities(db_).first_sighting(activity.id, clock_());
        co_return accepted("ignored", "the moved account does not follow this blog");
    }
    if (auto block = blocked(target)) co_return refused_blocked(*block, target, "moves to");
    auto fetched = co_await fetcher_.fetch(target);
    if (auto* error = std::get_if<remote::FetchError>(&fetched))
        co_return refused(error->kind == remote::FetchErrorKind::unavailable ? 503 : 400, "move_unconfirmed",
                          "the Move's target could not be fetched: " + error->detail);
    co_return move_follower(activity, std::get<remote::FetchedDocument>(fetched));
}

// The Move's target as its own origin serves it: the follower moves there once it names the old account.
InboxAnswer Inbox::move_follower(const IncomingActivity& activity, const remote::FetchedDocument& document) {
    const std::string target = id_of(activity.document.value("target", Json()));
    auto read = remote::read_document(nlohmann::json(document.document), document.url);
    auto* moved_to = std::get_if<remote::ActorDocument>(&read);
    if (!moved_to || moved_to->id != target)
        return refused(400, "move_unconfirmed", "the Move's target is not an actor with that id");
    if (std::find(moved_to->also_known_as.begin(), moved_to->also_known_as.end(), activity.actor) ==
        moved_to->also_known_as.end())
        return refused(400, "move_unconfirmed", "the Move's target does not list the old account in alsoKnownAs");

    const std::int64_t now = clock_();
    store::WriteTransaction transaction(db_);
    if (!store::SeenActivities(db_).first_sighting(activity.id, now))
        return accepted("duplicate", "this activity id was received before");
    store::Followers followers(db_);
    // Read again: the follower may have left while the target was fetched.
    auto old = followers.find(activity.actor);
    if (!old) {
        transaction.commit();
        return accepted("ignored", "the moved account does not follow this blog");
    }
    const store::RemoteActor target_row = remote::to_remote_actor(*moved_to, nullptr, document.document, now);
    store::Follower moved = *old;
    moved.actor_id = target_row.id;
    moved.inbox = target_row.inbox;
    moved.shared_inbox = target_row.shared_inbox;
    moved.display_name = target_row.display_name;
    moved.handle = target_row.handle;
    followers.remove(activity.actor);
    followers.save(moved);
    transaction.commit();
    log::info("follower moved", {{"from", activity.actor}, {"to", moved_to->id}});
    return accepted("moved", "the follower now follows from " + moved_to->id);
}

std::optional<BlockMatch> Inbox::blocked(const std::string& url) {
    return blocks_ ? blocks_->find(options()->blocked_domains, url) : find_block(db_, options()->blocked_domains, url);
}

std::shared_ptr<const InboxOptions> Inbox::options() const {
    std::lock_guard lock(options_mutex_);
    return options_;
}

void Inbox::set_options(InboxOptions options) {
    auto fresh = std::make_shared<const InboxOptions>(std::move(options));
    rate_limiter_.set_limits(fresh->rate_per_host);
    std::lock_guard lock(options_mutex_);
    options_ = std::move(fresh);
}

bool Inbox::is_known_actor(const std::string& actor_id) {
    return store::Followers(db_).find(actor_id).has_value() || store::RemoteActors(db_).find(actor_id).has_value();
}

}  // namespace fedblog::activitypub::inbox
