#include "activitypub/delivery/engine.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>
#include <unordered_set>

#include "common/log.hpp"
#include "store/transaction.hpp"
#include "store/followers.hpp"
#include "store/hosts.hpp"

namespace fedblog::activitypub::delivery {

namespace asio = boost::asio;

struct DeliveryEngine::State : std::enable_shared_from_this<DeliveryEngine::State> {
    State(asio::any_io_executor executor, store::Database& database, remote::SignedPoster& signed_poster,
          EngineOptions engine_options, Clock engine_clock)
        : executor(executor),
          strand(asio::make_strand(executor)),
          timer(strand),
          flush_timer(strand),
          db(database),
          poster(signed_poster),
          options(engine_options),
          clock(std::move(engine_clock)),
          random(std::random_device{}()) {}

    asio::any_io_executor executor;
    asio::strand<asio::any_io_executor> strand;
    asio::steady_timer timer;
    asio::steady_timer flush_timer;  // the group commit of delivered jobs
    store::Database& db;
    remote::SignedPoster& poster;
    EngineOptions options;
    Clock clock;

    // Touched only on the strand.
    std::mt19937_64 random;
    std::map<std::string, int, std::less<>> host_in_flight;
    std::map<std::string, std::deque<std::int64_t>, std::less<>> ready_by_host;  // due, not yet started
    std::unordered_set<std::int64_t> known;  // ids queued above or in flight: a refill must not add them twice
    std::size_t ready_count = 0;
    bool refill_needed = true;
    store::ReadyJob read_cursor;  // the last job read from the queue
    bool read_to_end = false;     // the last read found no more
    std::chrono::steady_clock::time_point last_refill;
    static constexpr int ready_batch = 4096;
    int in_flight = 0;  // requests under way: the slots the concurrency limits count
    bool stopped = false;
    // Jobs answered 2xx whose `done` is not committed yet. Their slot is free (the request is over), but they
    // count in in_flight() until the commit: it means "outcome not recorded", and a crash before the commit
    // resends them.
    struct Delivered {
        std::int64_t id;
        std::string host, inbox, activity_id;
        int attempt;
    };
    std::vector<Delivered> delivered_batch;
    bool flush_armed = false;
    std::uint64_t flush_generation = 0;  // bumped by each flush not made by the timer
    // A job to start, with the body it shares with the other jobs of its activity.
    struct Starting {
        store::DeliveryJob job;
        std::shared_ptr<const remote::Payload> body;
    };
    // Jobs claimed ahead, waiting for a slot of their host: up to claim_ahead() of them, at most per_host a host.
    // Claims are written with the group commit; claiming ahead lets a slot freed by an answer take its next job
    // at once instead of after the next commit (with a 10 ms window, up to half the slots sat idle). A crash
    // leaves them claimed, and start() releases claims: they are sent after the restart, as the others.
    std::map<std::string, std::deque<Starting>, std::less<>> claimed_by_host;
    std::size_t claimed_count = 0;
    // Bodies of the activities with jobs in flight (read and hashed once each), by activity id; an entry
    // outlives its last job only until the next sweep.
    std::unordered_map<std::string, std::weak_ptr<const remote::Payload>> bodies;
    std::size_t bodies_swept_at = 0;

    std::atomic<int> in_flight_published{0};
    std::atomic<int> requests_published{0};
    EngineCounters counters;

    // Static with a shared_ptr: the loop keeps the state alive after the engine object is gone.
    static asio::awaitable<void> loop(std::shared_ptr<State> self) {
        while (!self->stopped) {
            try {
                self->fill();
            } catch (const std::exception& e) {
                // A busy or failing database must not end delivery for good: try again at the next poll.
                log::error("delivery queue unreadable", {{"error", e.what()}});
            }
            self->timer.expires_after(self->options.poll_interval);
            co_await self->timer.async_wait(asio::as_tuple(asio::use_awaitable));
        }
    }

    // Starts as many due jobs as the limits allow, from per-host queues kept in memory: the store is read in
    // bulk (ids only) at most once per poll interval or when woken, not once per delivery — with ten thousand
    // jobs pending, a query per launch would cost more than the deliveries themselves.
    void fill() {
        if (stopped) return;
        store::Deliveries deliveries(db);
        const std::int64_t now = clock();
        const auto steady_now = std::chrono::steady_clock::now();
        if (refill_needed || steady_now - last_refill >= options.poll_interval) {
            // From the start of the queue: retries come due with old ids, other processes add jobs.
            refill_needed = false;
            last_refill = steady_now;
            for (auto& job : deliveries.due_probes(now, now - options.probe_interval.count())) {
                if (!known.insert(job.id).second) continue;
                log::info("probing unavailable host", {{"host", job.host}});
                launch(deliveries, std::move(job), now);
            }
            take(deliveries.ready(now, ready_batch));
        } else if (ready_count < ready_batch / 4 && !read_to_end) {
            // Running low: read on from where the last read stopped, so the hosts left in memory are not all
            // at their limit while thousands of jobs wait unread.
            take(deliveries.ready_after(now, read_cursor, ready_batch));
        }
        if (claimed_count < claim_ahead() && ready_count > 0) {
            // Round-robin over hosts, so one host with thousands of jobs does not hold back the others. The
            // claims of a round commit together: one WAL commit for up to claim_ahead() jobs, not one each.
            std::vector<Starting> claimed;
            try {
                store::WriteTransaction transaction(db);
                pick(deliveries, now, claimed);
                transaction.commit();
            } catch (...) {
                for (const auto& job : claimed) known.erase(job.job.id);  // rolled back: read again later
                throw;
            }
            keep_claimed(std::move(claimed));
        }
        start_claimed();
    }

    // Answers marked done per commit.
    std::size_t commit_batch() const {
        return static_cast<std::size_t>(
            std::max(1, options.group_commit_jobs > 0 ? options.group_commit_jobs : 4 * options.concurrency));
    }
    // Jobs kept claimed ahead: every slot may free up (commit_batch() answers) before the commit that claims
    // the next ones, and `concurrency` more start the moment slots free after it.
    std::size_t claim_ahead() const { return commit_batch() + static_cast<std::size_t>(options.concurrency); }

    // Chooses jobs to claim ahead, up to claim_ahead() waiting in all and per_host a host, and claims them inside
    // the caller's transaction (one statement per round). They join claimed_by_host once that commits
    // (keep_claimed()); on a failure the caller forgets them (they stay pending and are read again).
    void pick(store::Deliveries& deliveries, std::int64_t now, std::vector<Starting>& claimed_out) {
        const auto wanted = claim_ahead();
        std::map<std::string_view, int> chosen_per_host;
        auto waiting_for = [&](const std::string& host) {
            auto it = claimed_by_host.find(host);
            return (it == claimed_by_host.end() ? 0 : static_cast<int>(it->second.size())) + chosen_per_host[host];
        };
        while (claimed_count + claimed_out.size() < wanted && ready_count > 0) {
            std::vector<std::int64_t> chosen;
            bool chose = true;
            while (chose && claimed_count + claimed_out.size() + chosen.size() < wanted && ready_count > 0) {
                chose = false;
                for (auto it = ready_by_host.begin();
                     it != ready_by_host.end() && claimed_count + claimed_out.size() + chosen.size() < wanted;) {
                    auto& [host, ids] = *it;
                    if (!ids.empty() && waiting_for(host) < options.per_host) {
                        chosen.push_back(ids.front());
                        ++chosen_per_host[host];
                        ids.pop_front();
                        --ready_count;
                        chose = true;
                    }
                    ++it;  // emptied hosts go after the loop: chosen_per_host views their names
                }
            }
            if (chosen.empty()) break;
            // Those not claimed were finished or retried by hand meanwhile: forgotten, and the loop chooses again.
            std::size_t claimed_size = 0;
            try {
                auto claimed = deliveries.claim_pending(chosen, now);
                claimed_size = claimed.size();
                std::size_t next = 0;
                for (auto id : chosen) {
                    if (next < claimed.size() && claimed[next].id == id) {
                        auto body = body_of(deliveries, claimed[next].activity_id);
                        claimed_out.push_back({std::move(claimed[next]), std::move(body)});
                        ++next;
                    } else {
                        known.erase(id);
                    }
                }
            } catch (...) {
                // Rolled back by the caller: the chosen stay pending, to be read again.
                for (auto id : chosen) known.erase(id);
                std::erase_if(ready_by_host, [](const auto& entry) { return entry.second.empty(); });
                throw;
            }
            if (claimed_size == chosen.size()) break;
        }
        std::erase_if(ready_by_host, [](const auto& entry) { return entry.second.empty(); });
    }

    void keep_claimed(std::vector<Starting> claimed) {
        for (auto& start : claimed) {
            std::string host = start.job.host;
            claimed_by_host[host].push_back(std::move(start));
            ++claimed_count;
        }
    }

    // Starts claimed jobs while their hosts and the whole have free slots.
    void start_claimed() {
        std::vector<Starting> starting;
        if (!stopped)
            for (auto it = claimed_by_host.begin(); it != claimed_by_host.end() && in_flight < options.concurrency;) {
                auto& [host, waiting] = *it;
                while (!waiting.empty() && in_flight < options.concurrency && host_slots(host) < options.per_host) {
                    take_slot(host);
                    starting.push_back(std::move(waiting.front()));
                    waiting.pop_front();
                    --claimed_count;
                }
                it = waiting.empty() ? claimed_by_host.erase(it) : std::next(it);
            }
        publish();
        for (auto& start : starting) spawn(std::move(start));
    }

    int host_slots(const std::string& host) const {
        auto it = host_in_flight.find(host);
        return it == host_in_flight.end() ? 0 : it->second;
    }

    // The activity's body, read and hashed once and shared by its jobs in flight: the same ~12 KB for every
    // follower.
    std::shared_ptr<const remote::Payload> body_of(store::Deliveries& deliveries, const std::string& activity_id) {
        if (auto found = bodies.find(activity_id); found != bodies.end())
            if (auto body = found->second.lock()) return body;
        auto body = std::make_shared<const remote::Payload>(deliveries.body(activity_id));
        if (bodies.size() >= 2 * bodies_swept_at + 16) {
            std::erase_if(bodies, [](const auto& entry) { return entry.second.expired(); });
            bodies_swept_at = bodies.size();
        }
        bodies[activity_id] = body;
        return body;
    }

    void take(const std::vector<store::ReadyJob>& jobs) {
        read_to_end = jobs.size() < static_cast<std::size_t>(ready_batch);
        if (!jobs.empty()) read_cursor = jobs.back();
        for (const auto& job : jobs) {
            if (!known.insert(job.id).second) continue;  // queued here or in flight already
            ready_by_host[job.host].push_back(job.id);
            ++ready_count;
        }
    }

    void launch(store::Deliveries& deliveries, store::DeliveryJob job, std::int64_t now) {
        deliveries.claim(job.id, now);
        take_slot(job.host);
        publish();
        auto body = std::make_shared<const remote::Payload>(std::move(job.body));
        spawn({std::move(job), std::move(body)});
    }

    // Slots change on the strand; in_flight() sees them when publish() is called, at the end of each change,
    // so it never drops before the outcomes behind it are committed and counted.
    void take_slot(const std::string& host) {
        ++in_flight;
        ++host_in_flight[host];
    }

    void publish() {
        in_flight_published = in_flight + static_cast<int>(delivered_batch.size());
        requests_published = in_flight;
    }

    void spawn(Starting start) {
        asio::co_spawn(executor, deliver(shared_from_this(), std::move(start.job), std::move(start.body)),
                       [](std::exception_ptr failure) {
            if (!failure) return;
            try {
                std::rethrow_exception(failure);
            } catch (const std::exception& e) {
                log::error("delivery failed unexpectedly", {{"error", e.what()}});
            }
        });
    }

    static asio::awaitable<void> deliver(std::shared_ptr<State> self, store::DeliveryJob job,
                                         std::shared_ptr<const remote::Payload> body) {
        // Off the strand first: co_spawn would run this inline up to the first wait, and the request is signed
        // before that, so every RSA signature would be made on the strand, one at a time, on one core.
        co_await asio::post(self->executor, asio::use_awaitable);
        std::optional<transport::Result> result;
        try {
            auto started = std::chrono::steady_clock::now();
            result = co_await self->poster.post(job.inbox, std::move(body));  // shared, not copied
            self->counters.latency.observe(std::chrono::steady_clock::now() - started);
        } catch (const std::exception& e) {
            // A throwing hook (signing, the scheme memory's store write) or a bug. As below, the claim stays;
            // the slot must still be given back, or a few of these would stop delivery until a restart.
            log::error("delivery failed unexpectedly", {{"id", job.id}, {"error", e.what()}});
        }
        if (result) {
            try {
                Outcome outcome = classify(*result, self->clock());
                if (outcome.verdict == Verdict::delivered) {
                    // Marked done by the next group commit, on the strand, which also gives the slot back.
                    asio::post(self->strand, [self, done = Delivered{job.id, job.host, job.inbox, job.activity_id,
                                                                      job.attempts + 1}]() mutable {
                        self->add_delivered(std::move(done));
                    });
                    co_return;
                }
                self->record(job, outcome);
            } catch (const std::exception& e) {
                // The claim stays: the job is retried after the next restart rather than lost.
                log::error("delivery result not stored", {{"id", job.id}, {"error", e.what()}});
            }
        }
        asio::post(self->strand, [self, host = job.host, id = job.id] { self->finished(host, id); });
    }

    // Group commit: a job answered 2xx is marked done together with the others answered within the next
    // moment, in one transaction. At-least-once holds: done is written only after the 2xx, and a crash before
    // the commit leaves the job pending (its claim is released at start), so it is sent again.
    void add_delivered(Delivered done) {
        // The request is over: its slot takes the next claimed job now; `known` keeps the id until the commit.
        give_back_slot(done.host);
        delivered_batch.push_back(std::move(done));  // before start_claimed() publishes in_flight()
        start_claimed();
        // With no request under way no answer is coming to share the commit: waiting would only hold back the
        // record (and `fedblog deliveries`) at the end of every fan-out.
        if (stopped || in_flight == 0 || starved(delivered_batch.back().host) ||
            delivered_batch.size() >= commit_batch()) {
            ++flush_generation;  // a wait armed for this batch finds it gone
            flush_armed = false;
            flush_delivered();
            return;
        }
        if (flush_armed) return;
        flush_armed = true;
        flush_timer.expires_after(options.group_commit_interval);
        flush_timer.async_wait([self = shared_from_this(), generation = flush_generation](
                                   const boost::system::error_code&) {
            if (generation != self->flush_generation) return;
            self->flush_armed = false;
            self->flush_delivered();
        });
    }

    // After an answer from `host` and start_claimed(): a slot stays free that no job claimed ahead can take, while
    // jobs wait unclaimed that could (this host's, or any when nothing is claimed). Committing now claims them in
    // the same commit; waiting for the timer would leave the slot idle that long. (With a few hosts at their
    // limit, this commits every per_host answers instead of every commit_batch().)
    bool starved(const std::string& host) const {
        if (in_flight >= options.concurrency || ready_count == 0) return false;
        if (claimed_count == 0) return true;
        auto ready = ready_by_host.find(host);
        return ready != ready_by_host.end() && !ready->second.empty() && !claimed_by_host.contains(host);
    }

    void flush_delivered() {
        if (delivered_batch.empty()) return;
        std::vector<Delivered> batch;
        batch.swap(delivered_batch);
        std::vector<std::string> available_again;
        std::vector<Starting> claimed;
        try {
            const std::int64_t now = clock();
            store::WriteTransaction transaction(db);
            store::Deliveries deliveries(db);
            std::vector<std::int64_t> ids;
            std::vector<std::string> batch_hosts;
            std::unordered_set<std::string_view> hosts_seen;
            for (const auto& done : batch) {
                ids.push_back(done.id);
                if (hosts_seen.insert(done.host).second) batch_hosts.push_back(done.host);
            }
            deliveries.mark_done(ids, now);
            available_again = store::Hosts(db).record_successes(batch_hosts);
            // The next jobs are claimed in the same commit: one commit per batch, not one for the results and
            // one for the claims.
            if (!stopped) pick(deliveries, now, claimed);
            transaction.commit();
            counters.delivered += batch.size();
        } catch (const std::exception& e) {
            // The claims stay: these jobs are sent again after the next restart rather than lost.
            log::error("delivery results not stored", {{"jobs", batch.size()}, {"error", e.what()}});
            for (const auto& start : claimed) known.erase(start.job.id);  // rolled back: read again later
            claimed.clear();
        }
        for (const auto& done : batch) known.erase(done.id);
        keep_claimed(std::move(claimed));
        for (const auto& host : available_again) log::info("host available again", {{"host", host}});
        if (log::enabled(log::Level::debug))
            for (const auto& done : batch)
                log::debug("delivered",
                           {{"inbox", done.inbox}, {"activity", done.activity_id}, {"attempt", done.attempt}});
        start_claimed();
        refill_if_low();
    }

    void give_back_slot(const std::string& host) {
        --in_flight;
        if (auto it = host_in_flight.find(host); it != host_in_flight.end() && --it->second <= 0)
            host_in_flight.erase(it);
    }

    void finished(const std::string& host, std::int64_t id) {
        give_back_slot(host);
        known.erase(id);
        start_claimed();
        refill_if_low();
    }

    // Reading the queue and claiming are batched: each is a statement, not worth making per finished delivery.
    // When the jobs claimed ahead run low, the loop looks now rather than at the next poll.
    void refill_if_low() {
        if (claimed_count < static_cast<std::size_t>(options.concurrency / 2)) timer.cancel();
    }

    // At stop: claims taken ahead for jobs that will not start now are released, so the queue shows them as
    // waiting (a restart would release them anyway).
    void release_claimed() {
        std::vector<std::int64_t> ids;
        for (auto& [host, waiting] : claimed_by_host)
            for (const auto& start : waiting) ids.push_back(start.job.id);
        claimed_by_host.clear();
        claimed_count = 0;
        for (auto id : ids) known.erase(id);
        try {
            store::Deliveries(db).release(ids);
        } catch (const std::exception& e) {
            log::error("delivery claims not released", {{"jobs", ids.size()}, {"error", e.what()}});
        }
    }

    double random_unit() {
        std::lock_guard lock(random_mutex);
        return std::uniform_real_distribution<double>(0.0, 1.0)(random);
    }
    std::mutex random_mutex;

    // Every outcome but delivered (those go through the group commit).
    void record(const store::DeliveryJob& job, const Outcome& outcome) {
        const std::int64_t now = clock();
        const int attempt = job.attempts + 1;
        store::Deliveries deliveries(db);
        store::Hosts hosts(db);
        switch (outcome.verdict) {
            case Verdict::delivered:
                return;  // not reached: deliver() batches these
            case Verdict::retry: {
                auto delay = next_delay(attempt, options.schedule, random_unit(), outcome.retry_after);
                if (hosts.record_failure(job.host, now, options.unavailable_after_days))
                    log::warn("host marked unavailable",
                              {{"host", job.host}, {"after_days", options.unavailable_after_days}});
                if (!delay) {
                    deliveries.mark_dead(job.id, now, "gave up after " + std::to_string(attempt) + " attempts: " + outcome.reason);
                    ++counters.dead;
                    log::warn("delivery abandoned", {{"inbox", job.inbox}, {"activity", job.activity_id},
                                                      {"attempts", attempt}, {"error", outcome.reason}});
                    return;
                }
                // The queue counts whole seconds: one more keeps a Retry-After from being honoured early.
                deliveries.reschedule(job.id, now + *delay + (outcome.retry_after ? 1 : 0), outcome.reason);
                ++counters.retried;
                log::info("delivery will be retried", {{"inbox", job.inbox}, {"activity", job.activity_id},
                                                       {"attempt", attempt}, {"in_seconds", *delay},
                                                       {"error", outcome.reason}});
                return;
            }
            case Verdict::permanent:
                deliveries.mark_dead(job.id, now, outcome.reason);
                ++counters.dead;
                log::warn("delivery refused", {{"inbox", job.inbox}, {"activity", job.activity_id},
                                               {"error", outcome.reason}});
                return;
            case Verdict::gone: {
                deliveries.mark_dead(job.id, now, outcome.reason);
                ++counters.dead;
                int removed = store::Followers(db).remove_by_inbox(job.inbox);
                deliveries.abandon_inbox(job.inbox, now, "the inbox answered 410 Gone");
                log::info("inbox gone", {{"inbox", job.inbox}, {"followers_removed", removed}});
                return;
            }
        }
    }
};

DeliveryEngine::DeliveryEngine(asio::any_io_executor executor, store::Database& db, remote::SignedPoster& poster,
                               EngineOptions options, Clock clock)
    : state_(std::make_shared<State>(executor, db, poster, options, std::move(clock))) {}

DeliveryEngine::~DeliveryEngine() { stop(); }

void DeliveryEngine::start() {
    int released = store::Deliveries(state_->db).release_claims();
    if (released) log::info("deliveries resumed after a restart", {{"jobs", released}});
    asio::co_spawn(state_->strand, State::loop(state_), asio::detached);
}

void DeliveryEngine::wake() {
    asio::post(state_->strand, [state = state_] {
        state->refill_needed = true;
        state->timer.cancel();
    });
}

void DeliveryEngine::stop() {
    asio::post(state_->strand, [state = state_] {
        state->stopped = true;
        state->timer.cancel();
        state->flush_delivered();  // what is answered already is not sent again after a restart
        state->release_claimed();
        state->publish();
    });
}

int DeliveryEngine::in_flight() const { return state_->in_flight_published.load(); }

int DeliveryEngine::requests_in_flight() const { return state_->requests_published.load(); }

const EngineCounters& DeliveryEngine::counters() const { return state_->counters; }

}  // namespace fedblog::activitypub::delivery
