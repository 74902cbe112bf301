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
          db(database),
          poster(signed_poster),
          options(engine_options),
          clock(std::move(engine_clock)),
          random(std::random_device{}()) {}

    asio::any_io_executor executor;
    asio::strand<asio::any_io_executor> strand;
    asio::steady_timer timer;
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
    int in_flight = 0;
    bool stopped = false;

    std::atomic<int> in_flight_published{0};
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
        // Round-robin over hosts, so one host with thousands of jobs does not hold back the others.
        bool launched = true;
        while (launched && in_flight < options.concurrency && ready_count > 0) {
            launched = false;
            for (auto it = ready_by_host.begin(); it != ready_by_host.end() && in_flight < options.concurrency;) {
                auto& [host, ids] = *it;
                if (host_in_flight[host] < options.per_host && !ids.empty()) {
                    std::int64_t id = ids.front();
                    ids.pop_front();
                    --ready_count;
                    auto job = deliveries.find(id);
                    if (job && job->state == "pending") {
                        launch(deliveries, std::move(*job), now);
                        launched = true;
                    } else {
                        known.erase(id);  // finished or retried by hand meanwhile
                    }
                }
                it = ids.empty() ? ready_by_host.erase(it) : std::next(it);
            }
        }
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
        ++in_flight;
        ++host_in_flight[job.host];
        in_flight_published = in_flight;
        asio::co_spawn(executor, deliver(shared_from_this(), std::move(job)), [](std::exception_ptr failure) {
            if (!failure) return;
            try {
                std::rethrow_exception(failure);
            } catch (const std::exception& e) {
                log::error("delivery failed unexpectedly", {{"error", e.what()}});
            }
        });
    }

    static asio::awaitable<void> deliver(std::shared_ptr<State> self, store::DeliveryJob job) {
        std::optional<transport::Result> result;
        try {
            auto started = std::chrono::steady_clock::now();
            result = co_await self->poster.post(job.inbox, job.body);
            self->counters.latency.observe(std::chrono::steady_clock::now() - started);
        } catch (const std::exception& e) {
            // A throwing hook (signing, the scheme memory's store write) or a bug. As below, the claim stays;
            // the slot must still be given back, or a few of these would stop delivery until a restart.
            log::error("delivery failed unexpectedly", {{"id", job.id}, {"error", e.what()}});
        }
        if (result) {
            try {
                self->record(job, *result);
            } catch (const std::exception& e) {
                // The claim stays: the job is retried after the next restart rather than lost.
                log::error("delivery result not stored", {{"id", job.id}, {"error", e.what()}});
            }
        }
        asio::post(self->strand, [self, host = job.host, id = job.id] { self->finished(host, id); });
    }

    void finished(const std::string& host, std::int64_t id) {
        --in_flight;
        known.erase(id);
        in_flight_published = in_flight;
        if (auto it = host_in_flight.find(host); it != host_in_flight.end() && --it->second <= 0)
            host_in_flight.erase(it);
        // Refill in batches: each look at the queue is a query, not worth making per finished delivery.
        if (in_flight <= options.concurrency * 3 / 4) timer.cancel();
    }

    double random_unit() {
        std::lock_guard lock(random_mutex);
        return std::uniform_real_distribution<double>(0.0, 1.0)(random);
    }
    std::mutex random_mutex;

    void record(const store::DeliveryJob& job, const transport::Result& result) {
        const std::int64_t now = clock();
        const int attempt = job.attempts + 1;
        Outcome outcome = classify(result, now);
        store::Deliveries deliveries(db);
        store::Hosts hosts(db);
        switch (outcome.verdict) {
            case Verdict::delivered:
                deliveries.mark_done(job.id, now);
                if (hosts.record_success(job.host)) log::info("host available again", {{"host", job.host}});
                ++counters.delivered;
                log::debug("delivered", {{"inbox", job.inbox}, {"activity", job.activity_id}, {"attempt", attempt}});
                return;
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
    });
}

int DeliveryEngine::in_flight() const { return state_->in_flight_published.load(); }

const EngineCounters& DeliveryEngine::counters() const { return state_->counters; }

}  // namespace fedblog::activitypub::delivery
