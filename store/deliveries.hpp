#pragma once
// The durable delivery queue: one job per (activity, inbox), kept across restarts until delivered or given up.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/database.hpp"
#include "store/post.hpp"

namespace fedblog::store {

struct DeliveryTarget {
    std::string inbox;
    std::string host;  // the inbox URL's authority, lower-case
};

struct DeliveryJob {
    std::int64_t id = 0;
    std::string activity_id, inbox, host, body;  // body: the unsigned activity JSON
    std::string state;                           // "pending" | "done" | "dead"
    int attempts = 0;                            // attempts made so far
    Timestamp next_attempt = 0, created_at = 0;
    std::optional<Timestamp> finished_at;
    std::string last_error;
};

// One row of `fedblog deliveries`.
struct HostDeliveries {
    std::string host;
    int pending = 0;  // state pending (includes failing ones)
    int failing = 0;  // pending with attempts > 0
    int dead = 0;
    int done = 0;
    std::optional<Timestamp> next_attempt;  // earliest pending
    std::string last_error;                 // of the most recently failed job, if any
    bool unavailable = false;               // from the hosts table
};

// A job a worker may take, without its body (read at launch with find()).
struct ReadyJob {
    std::int64_t id = 0;
    std::string host;
    Timestamp next_attempt = 0;  // with id, the place to read on from
};

class Deliveries {
public:
    explicit Deliveries(Database& db) : db_(db) {}

    // For a caller that already holds db.mutex() and an open transaction (a WriteTransaction, so the jobs commit
    // together with the change that causes them): one pending job per distinct inbox, due at `now`. An
    // (activity, inbox) pair already queued is left as it is. Returns how many were added.
    static int enqueue_locked(Database& db, std::string_view activity_id, std::string_view body,
                              const std::vector<DeliveryTarget>& targets, Timestamp now);
    // Same, opening its own WriteTransaction (a savepoint when the caller has one open).
    int enqueue(std::string_view activity_id, std::string_view body, const std::vector<DeliveryTarget>& targets,
                Timestamp now);

    // Jobs a worker may start now: pending, unclaimed, next_attempt <= now, whose host is not unavailable;
    // at most `per_host` per host, at most `limit` in all, earliest next_attempt first (ties by id).
    std::vector<DeliveryJob> due(Timestamp now, int limit, int per_host);
    // The same jobs in the same order as due() without the per-host cap and without bodies: cheap enough to
    // call every second with thousands pending. The workers keep their own per-host queues from it.
    std::vector<ReadyJob> ready(Timestamp now, int limit);
    // The next ones after `last` in the same order: reading on without reading again what was read.
    std::vector<ReadyJob> ready_after(Timestamp now, const ReadyJob& last, int limit);
    // One job per unavailable host whose last_probe is NULL or <= probe_before (and that has a pending unclaimed
    // job, due or not): the probe that finds out whether the host answers again. Records last_probe = now.
    std::vector<DeliveryJob> due_probes(Timestamp now, Timestamp probe_before);
    void claim(std::int64_t id, Timestamp now);
    // claim() for many at once, in one statement: those of `ids` still pending are claimed and returned, in the
    // order of `ids`, without their bodies (body() reads one per activity). The others (finished or retried by
    // hand meanwhile) are left as they are. Inside a WriteTransaction: a failure may leave part of the batch
    // claimed until the transaction rolls back.
    std::vector<DeliveryJob> claim_pending(const std::vector<std::int64_t>& ids, Timestamp now);
    // The activity's unsigned body, as queued ("" when there is none).
    std::string body(std::string_view activity_id);
    // At startup: every claim left by a process that died is released. Returns how many.
    int release_claims();
    // The claims of `ids` that are still pending released (jobs claimed but not started when the workers stop).
    void release(const std::vector<std::int64_t>& ids);

    // The outcome of an attempt: each counts it and clears the claim.
    void mark_done(std::int64_t id, Timestamp now);
    // mark_done() for many at once, in one statement; inside a WriteTransaction, as claim_pending().
    void mark_done(const std::vector<std::int64_t>& ids, Timestamp now);
    void reschedule(std::int64_t id, Timestamp next_attempt, std::string_view error);
    void mark_dead(std::int64_t id, Timestamp now, std::string_view error);
    // Pending jobs to an inbox that no longer exists (a follower gone): dead with `reason`. A claimed job is left
    // to the worker that has it. Returns how many.
    int abandon_inbox(std::string_view inbox, Timestamp now, std::string_view reason);
    // The same for every pending job to a host (a blocked domain).
    int abandon_host(std::string_view host, Timestamp now, std::string_view reason);
    // Hosts with pending jobs.
    std::vector<std::string> pending_hosts();

    // By hand: a dead or pending job is pending again, due now (attempts kept). False when no such job or done.
    bool retry(std::int64_t id, Timestamp now);
    // Every dead job of a host (all hosts when empty) pending again; returns how many.
    int retry_dead(std::string_view host, Timestamp now);

    // Hosts that have jobs, ordered by name.
    std::vector<HostDeliveries> by_host();
    // Empty filters match all; newest first; body included.
    std::vector<DeliveryJob> list(std::string_view state, std::string_view host, int limit);
    std::optional<DeliveryJob> find(std::int64_t id);
    int count(std::string_view state);
    // Housekeeping: forgets done jobs finished before `before`; returns how many.
    int forget_done_before(Timestamp before);

private:
    Database& db_;
};

}  // namespace fedblog::store
