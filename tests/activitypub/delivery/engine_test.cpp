// The delivery engine end to end: a real SQLite queue, a real HttpClient and SignedPoster, and a real TLS
// inbox on loopback (a.test → 127.0.0.1, certificate from a test CA). The retry schedule is shrunk
// (time_scale) and the queue is polled every 50 ms, so retries happen within a test; the engine's clock is
// injected so a test can jump whole days. Every test waits for the state it expects with a deadline instead of
// sleeping a fixed time.
#include "activitypub/delivery/engine.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "activitypub/remote/signed_post.hpp"
#include "activitypub/transport/http_client.hpp"
#include "keys/key_pair.hpp"
#include "keys/signature_policy.hpp"
#include "store/database.hpp"
#include "store/deliveries.hpp"
#include "store/followers.hpp"
#include "store/hosts.hpp"
#include "tests/support/received_message.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_ca.hpp"
#include "tests/support/tls_test_server.hpp"

namespace fedblog::activitypub::delivery {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using fedblog::testing::TestReply;
using fedblog::testing::TestRequest;
using fedblog::testing::TestServer;
using SteadyClock = std::chrono::steady_clock;

constexpr std::int64_t seconds_per_day = 86400;
// 2024-10-04T06:00:00Z: far from a UTC day boundary, so only jump_days() changes the day.
constexpr std::int64_t start_time = 20000 * seconds_per_day + 6 * 3600;
const std::string key_id = "https://blog.test/users/blog#main-key";
const std::string activity_body =
    R"({"@context":"https://www.w3.org/ns/activitystreams","id":"https://blog.test/posts/1#create",)"
    R"("type":"Create","object":{"content":"<p>h\u00e9llo \"w\u00f6rld\" – ✓</p>"}})";

const fedblog::testing::TestCa& test_ca() {
    static const fedblog::testing::TestCa ca;
    return ca;
}

const keys::KeyPair& blog_key() {
    static const keys::KeyPair key = keys::KeyPair::generate_rsa();
    return key;
}

TestReply status(unsigned code, std::vector<std::pair<std::string, std::string>> headers = {}) {
    TestReply reply;
    reply.status = code;
    reply.headers = std::move(headers);
    return reply;
}

TestReply no_answer() {
    TestReply reply;
    reply.never_answer = true;
    return reply;
}

// True as soon as `done()` is; false when it still is not after `limit`.
template <typename Predicate>
bool eventually(Predicate done, std::chrono::milliseconds limit = 10s) {
    const auto deadline = SteadyClock::now() + limit;
    while (!done()) {
        if (SteadyClock::now() > deadline) return done();
        std::this_thread::sleep_for(5ms);
    }
    return true;
}

class DeliveryEngineTest : public ::testing::Test {
protected:
    ~DeliveryEngineTest() override {
        if (engine) {
            engine->stop();
            // Deliveries in flight hold references to the poster and the database: let them land first.
            eventually([this] { return engine->in_flight() == 0; }, 15s);
        }
        // The threads stop before the client goes: a pooled connection's timer may still fire on them.
        work.reset();
        io.stop();
        for (auto& thread : threads) thread.join();
        engine.reset();
        poster.reset();
        client.reset();
    }

    // The engine's (and the signer's) clock: Unix seconds that run with real time from start_time, plus the days
    // a test jumped.
    std::int64_t now() const {
        const auto elapsed = SteadyClock::now() - SteadyClock::time_point(SteadyClock::duration(origin.load()));
        return start_time + jumped.load() + std::chrono::duration_cast<std::chrono::seconds>(elapsed).count();
    }
    void jump(std::int64_t seconds) { jumped += seconds; }
    void jump_days(int days) { jump(days * seconds_per_day); }
    // Moves the start of the current clock second to this instant (the clock reads the same now, and ticks
    // exactly 1 s later).
    void align_clock_second() {
        const auto at = SteadyClock::now();
        const auto whole = std::chrono::floor<std::chrono::seconds>(
            at - SteadyClock::time_point(SteadyClock::duration(origin.load())));
        origin = (at - whole).time_since_epoch().count();
    }

    // Starts the inbox at a.test: request number n (0-based, counted over all connections) gets script(n).
    void serve(std::function<TestReply(std::size_t)> reply_for) {
        script = std::move(reply_for);
        server = std::make_unique<TestServer>(test_ca().issue({"a.test"}), [this](const TestRequest&) {
            std::size_t n = 0;
            {
                std::lock_guard lock(arrivals_mutex);
                n = arrivals.size();
                arrivals.push_back(SteadyClock::now());
            }
            return script(n);
        });
    }

    std::string host() const { return "a.test:" + std::to_string(server->port()); }
    std::string inbox(const std::string& user = "alice") const {
        return "https://" + host() + "/users/" + user + "/inbox";
    }
    std::size_t posts() const { return server->requests().size(); }
    std::vector<SteadyClock::time_point> arrival_times() {
        std::lock_guard lock(arrivals_mutex);
        return arrivals;
    }

    static EngineOptions options(int max_attempts = 5) {
        EngineOptions options;
        options.poll_interval = 50ms;
        options.schedule = RetrySchedule{.max_attempts = max_attempts, .time_scale = 0.0005};
        return options;
    }

    void start_engine(EngineOptions engine_options = options(), transport::Limits limits = {},
                      const std::string& signing_key_id = key_id) {
        transport::ClientOptions client_options;
        client_options.public_url = "https://blog.test";
        client_options.extra_ca_pem = test_ca().certificate_pem();
        client_options.static_hosts["a.test"] = {asio::ip::make_address("127.0.0.1")};
        client_options.address_policy.always_allowed = {asio::ip::make_address("127.0.0.1")};
        client_options.limits = limits;
        client = std::make_unique<transport::HttpClient>(io.get_executor(), client_options);
        poster = std::make_unique<remote::SignedPoster>(*client, blog_key(), signing_key_id,
                                                        [this] { return now(); }, schemes);
        engine = std::make_unique<DeliveryEngine>(io.get_executor(), db, *poster, engine_options,
                                                  [this] { return now(); });
        for (int i = 0; i < 2; ++i) threads.emplace_back([this] { io.run(); });
        engine->start();
    }

    // Queues `activity_id` for the inbox, due `in_seconds` from now; returns the job's id.
    std::int64_t queue(const std::string& activity_id, const std::string& inbox_url, std::int64_t in_seconds = 0,
                       const std::string& body = activity_body) {
        store::Deliveries deliveries(db);
        EXPECT_EQ(deliveries.enqueue(activity_id, body, {{inbox_url, host()}}, now() + in_seconds), 1);
        for (const auto& job : deliveries.list("", "", 1000))
            if (job.activity_id == activity_id && job.inbox == inbox_url) return job.id;
        ADD_FAILURE() << "job not queued: " << activity_id;
        return 0;
    }

    // The job reached `state` and the engine is done with it: its counters are only bumped after the store
    // write, and in_flight() drops only once the whole outcome is recorded.
    bool ends(std::int64_t id, const std::string& state) {
        return eventually([&] { return state_of(id) == state && engine->in_flight() == 0; });
    }

    store::DeliveryJob job(std::int64_t id) {
        auto found = store::Deliveries(db).find(id);
        EXPECT_TRUE(found) << "no job " << id;
        return found.value_or(store::DeliveryJob{});
    }
    std::string state_of(std::int64_t id) { return job(id).state; }
    std::string describe(std::int64_t id) {
        auto j = job(id);
        return "job " + std::to_string(id) + ": " + j.state + ", " + std::to_string(j.attempts) +
               " attempts, last error \"" + j.last_error + "\", " + std::to_string(posts()) + " POSTs received";
    }

    // Stays true for `span` (the engine polls every 50 ms, so a few polls at least).
    template <typename Predicate>
    bool holds_for(Predicate condition, std::chrono::milliseconds span = 300ms) {
        const auto until = SteadyClock::now() + span;
        while (SteadyClock::now() < until) {
            if (!condition()) return false;
            std::this_thread::sleep_for(10ms);
        }
        return condition();
    }

    fedblog::testing::TempDir dir;
    store::Database db{dir / "fedblog.db"};

    std::atomic<SteadyClock::rep> origin{SteadyClock::now().time_since_epoch().count()};
    std::atomic<std::int64_t> jumped{0};

    std::mutex arrivals_mutex;
    std::vector<SteadyClock::time_point> arrivals;  // when each request reached the handler
    std::function<TestReply(std::size_t)> script;
    std::atomic<bool> healthy{false};
    std::unique_ptr<TestServer> server;

    asio::io_context io;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work{std::in_place,
                                                                                   asio::make_work_guard(io)};
    std::vector<std::thread> threads;
    std::unique_ptr<transport::HttpClient> client;
    remote::SchemeMemory schemes{keys::SignatureScheme::cavage};
    std::unique_ptr<remote::SignedPoster> poster;
    std::unique_ptr<DeliveryEngine> engine;
};

TEST_F(DeliveryEngineTest, AcceptedAtOnceIsDoneAfterOneSignedPost) {
    serve([](std::size_t) { return status(202); });
    const auto id = queue("https://blog.test/posts/1#create", inbox());
    start_engine();

    ASSERT_TRUE(ends(id, "done")) << describe(id);
    EXPECT_EQ(job(id).attempts, 1);
    EXPECT_TRUE(job(id).finished_at.has_value());
    EXPECT_EQ(engine->counters().delivered, 1u);
    EXPECT_EQ(engine->counters().retried, 0u);
    ASSERT_TRUE(holds_for([&] { return posts() == 1; })) << describe(id);

    // What the inbox received verifies with the blog's public key, exactly as a remote server checks it.
    const auto requests = server->requests();
    const TestRequest& request = requests.front();
    EXPECT_EQ(request.method(), boost::beast::http::verb::post);
    EXPECT_EQ(request.target(), "/users/alice/inbox");
    EXPECT_EQ(request[boost::beast::http::field::host], host());
    EXPECT_EQ(request.body(), activity_body);  // byte for byte
    const keys::HttpMessage message = fedblog::testing::received_message(request, "https");
    const auto claim = keys::read_signature(message, now());
    ASSERT_TRUE(std::holds_alternative<keys::SignatureClaim>(claim))
        << std::get<keys::VerificationFailure>(claim).detail;
    const auto& signature = std::get<keys::SignatureClaim>(claim);
    EXPECT_EQ(signature.scheme, keys::SignatureScheme::cavage);
    EXPECT_EQ(signature.key_id, key_id);
    const auto verified = keys::verify_signature(signature, blog_key().get());
    EXPECT_TRUE(verified.verified()) << (verified.failure ? verified.failure->detail : "");
}

// A transient answer first, then 202: retried once, delivered once, and the host's failure count reset.
class TransientStatusTest : public DeliveryEngineTest, public ::testing::WithParamInterface<unsigned> {};

TEST_P(TransientStatusTest, RetriedThenDeliveredOnce) {
    const unsigned first = GetParam();
    serve([first](std::size_t n) { return status(n == 0 ? first : 202); });
    const auto id = queue("https://blog.test/posts/2#create", inbox());
    start_engine();

    ASSERT_TRUE(ends(id, "done")) << describe(id);
    EXPECT_EQ(job(id).attempts, 2);
    EXPECT_EQ(job(id).last_error, "HTTP " + std::to_string(first));  // kept from the failed attempt
    EXPECT_EQ(engine->counters().retried, 1u);
    EXPECT_EQ(engine->counters().delivered, 1u);
    EXPECT_EQ(engine->counters().dead, 0u);
    EXPECT_TRUE(holds_for([&] { return posts() == 2; })) << describe(id);
    const auto health = store::Hosts(db).find(host());
    ASSERT_TRUE(health);
    EXPECT_EQ(health->failure_days, 0);  // the success wiped the failed day
}

INSTANTIATE_TEST_SUITE_P(Statuses, TransientStatusTest, ::testing::Values(500u, 502u, 503u, 408u, 429u),
                         [](const ::testing::TestParamInfo<unsigned>& info) {
                             return "Http" + std::to_string(info.param);
                         });

TEST_F(DeliveryEngineTest, RetryAfterIsHonoured) {
    serve([this](std::size_t n) {
        if (n > 0) return status(202);
        // The queue keeps whole Unix seconds, so "1 s from now" is due when the clock next ticks over twice
        // from the second it was recorded in: anywhere from 0 to 1 s of real time after. Starting that second
        // here makes the wait exactly measurable: due no earlier than 1 s after this first request.
        align_clock_second();
        return status(429, {{"Retry-After", "1"}});
    });
    const auto id = queue("https://blog.test/posts/3#create", inbox());
    start_engine();

    ASSERT_TRUE(ends(id, "done")) << describe(id);
    const auto times = arrival_times();
    ASSERT_EQ(times.size(), 2u);
    EXPECT_GE(times[1] - times[0], 1s);   // the shrunk schedule alone would have retried at once
    EXPECT_LT(times[1] - times[0], 5s);  // and not the unscaled schedule either
    EXPECT_EQ(job(id).attempts, 2);
    EXPECT_EQ(job(id).last_error, "HTTP 429");
}

TEST_F(DeliveryEngineTest, GoneRemovesTheFollowerAndAbandonsItsOtherJobs) {
    serve([](std::size_t) { return status(410); });
    store::Followers followers(db);
    for (const std::string user : {"alice", "bob"}) {
        store::Follower follower;
        follower.actor_id = "https://a.test/users/" + user;
        follower.inbox = inbox(user);
        follower.follow_activity_id = "https://a.test/follows/" + user;
        follower.accepted = true;
        follower.created_at = now();
        followers.save(follower);
    }
    const auto gone = queue("https://blog.test/posts/4#create", inbox("alice"));
    // Not due for an hour: only the 410 can end them early.
    const auto same_inbox = queue("https://blog.test/posts/5#create", inbox("alice"), 3600);
    const auto other_inbox = queue("https://blog.test/posts/5#create", inbox("bob"), 3600);
    start_engine();

    // Abandoning the inbox's other jobs is the last step of handling the 410.
    ASSERT_TRUE(ends(same_inbox, "dead")) << describe(same_inbox);
    EXPECT_EQ(state_of(gone), "dead");
    EXPECT_EQ(job(gone).attempts, 1);
    EXPECT_EQ(job(gone).last_error, "HTTP 410");
    EXPECT_EQ(job(same_inbox).attempts, 0);
    EXPECT_EQ(job(same_inbox).last_error, "the inbox answered 410 Gone");
    EXPECT_EQ(state_of(other_inbox), "pending");
    EXPECT_FALSE(followers.find("https://a.test/users/alice"));
    EXPECT_TRUE(followers.find("https://a.test/users/bob"));
    EXPECT_EQ(engine->counters().dead, 1u);
    EXPECT_EQ(engine->counters().retried, 0u);
    EXPECT_TRUE(holds_for([&] { return posts() == 1; }));
}

// Refusals that will not change: dead after the one attempt.
class PermanentStatusTest : public DeliveryEngineTest, public ::testing::WithParamInterface<unsigned> {};

TEST_P(PermanentStatusTest, DeadAfterOneAttempt) {
    const unsigned code = GetParam();
    serve([code](std::size_t) { return status(code); });
    const auto id = queue("https://blog.test/posts/6#create", inbox());
    start_engine();

    ASSERT_TRUE(ends(id, "dead")) << describe(id);
    EXPECT_EQ(job(id).attempts, 1);
    EXPECT_EQ(job(id).last_error, "HTTP " + std::to_string(code));
    EXPECT_EQ(engine->counters().dead, 1u);
    EXPECT_EQ(engine->counters().retried, 0u);
    EXPECT_TRUE(holds_for([&] { return posts() == 1; })) << describe(id);
    EXPECT_FALSE(store::Hosts(db).find(host()));  // a refusal is no sign of a failing host
}

INSTANTIATE_TEST_SUITE_P(Statuses, PermanentStatusTest, ::testing::Values(404u, 400u, 403u, 422u, 501u),
                         [](const ::testing::TestParamInfo<unsigned>& info) {
                             return "Http" + std::to_string(info.param);
                         });

TEST_F(DeliveryEngineTest, SilentInboxTimesOutAndIsRetried) {
    serve([](std::size_t n) { return n == 0 ? no_answer() : status(202); });
    const auto id = queue("https://blog.test/posts/7#create", inbox());
    transport::Limits limits;
    limits.response_timeout = 1s;
    limits.total_timeout = 2s;
    start_engine(options(), limits);

    ASSERT_TRUE(ends(id, "done")) << describe(id);
    EXPECT_GE(posts(), 2u);
    EXPECT_EQ(job(id).attempts, 2);
    EXPECT_TRUE(job(id).last_error.starts_with("timeout")) << job(id).last_error;
    EXPECT_EQ(engine->counters().retried, 1u);
    EXPECT_EQ(engine->counters().delivered, 1u);
    const auto times = arrival_times();
    ASSERT_GE(times.size(), 2u);
    EXPECT_GE(times[1] - times[0], 900ms);  // the second attempt waited for the first one's deadline
}

TEST_F(DeliveryEngineTest, DeadAfterMaxAttempts) {
    serve([](std::size_t) { return status(503); });
    const auto id = queue("https://blog.test/posts/8#create", inbox());
    start_engine(options(3));

    ASSERT_TRUE(ends(id, "dead")) << describe(id);
    EXPECT_EQ(job(id).attempts, 3);
    EXPECT_NE(job(id).last_error.find("503"), std::string::npos) << job(id).last_error;
    EXPECT_EQ(job(id).last_error, "gave up after 3 attempts: HTTP 503");
    EXPECT_EQ(engine->counters().retried, 2u);
    EXPECT_EQ(engine->counters().dead, 1u);
    EXPECT_TRUE(holds_for([&] { return posts() == 3; })) << describe(id);
}

TEST_F(DeliveryEngineTest, HostFailingOnDistinctDaysIsParkedUntilItRecovers) {
    serve([this](std::size_t) { return status(healthy ? 202 : 503); });
    store::Hosts hosts(db);
    auto engine_options = options(1000);
    engine_options.unavailable_after_days = 2;
    const auto first = queue("https://blog.test/posts/9#create", inbox());
    start_engine(engine_options);

    // Day 1: however often it fails today, that is one failure day.
    ASSERT_TRUE(eventually([&] { return job(first).attempts >= 3; })) << describe(first);
    EXPECT_EQ(hosts.find(host())->failure_days, 1);
    EXPECT_FALSE(hosts.is_unavailable(host()));

    // Day 2: the second failure day parks the host.
    jump_days(1);
    ASSERT_TRUE(eventually([&] { return hosts.is_unavailable(host()); })) << describe(first);
    EXPECT_EQ(hosts.find(host())->failure_days, 2);
    // Parking is followed by at most one probe; wait until nothing is in flight and nothing arrives.
    ASSERT_TRUE(eventually([&] {
        const auto before = posts();
        return holds_for([&] { return engine->in_flight() == 0 && posts() == before; }, 150ms);
    }));

    // New jobs wait: nothing goes out, through several polls.
    const auto parked_posts = posts();
    const auto second = queue("https://blog.test/posts/10#create", inbox("bob"));
    engine->wake();
    EXPECT_TRUE(holds_for([&] { return posts() == parked_posts; })) << describe(second);
    EXPECT_EQ(job(second).attempts, 0);
    EXPECT_EQ(state_of(second), "pending");

    // A day later: exactly one probe, and the host stays parked when it fails.
    jump_days(1);
    ASSERT_TRUE(eventually([&] { return posts() == parked_posts + 1; })) << describe(second);
    EXPECT_TRUE(holds_for([&] { return posts() == parked_posts + 1; })) << describe(second);
    EXPECT_TRUE(hosts.is_unavailable(host()));

    // The host answers again (say it sent us a signed activity): the queue drains.
    healthy = true;
    EXPECT_TRUE(hosts.record_success(host()));
    jump(3600);  // past any retry the shrunk schedule set
    engine->wake();
    ASSERT_TRUE(eventually([&] { return state_of(first) == "done" && state_of(second) == "done"; }))
        << describe(first) << "; " << describe(second);
    EXPECT_FALSE(hosts.is_unavailable(host()));
    EXPECT_EQ(posts(), parked_posts + 1 + 2);
}

TEST_F(DeliveryEngineTest, AtMostPerHostRequestsInFlightToOneHost) {
    // The inbox takes 50 ms per request. TestServer runs every handler on its one thread, so the server cannot
    // see concurrency itself; connections show it instead. The client keeps finished connections alive for
    // reuse (the pool holds up to 4 per origin and gets each one back before fetch returns), and opens a new
    // one only when every connection it has is busy. So the number of connections the server accepted is the
    // largest number of requests that were ever in flight at once to this host: 2 with per_host = 2, up to 4
    // (the pool's size) or 20 if the engine let more out at once.
    serve([](std::size_t) {
        std::this_thread::sleep_for(50ms);
        return status(202);
    });
    std::vector<std::int64_t> ids;
    for (int i = 0; i < 20; ++i)
        ids.push_back(queue("https://blog.test/posts/11#create", inbox("u" + std::to_string(i))));
    auto engine_options = options();
    engine_options.per_host = 2;
    start_engine(engine_options);

    int most_in_flight = 0;
    ASSERT_TRUE(eventually([&] {
        most_in_flight = std::max(most_in_flight, engine->requests_in_flight());
        return store::Deliveries(db).count("done") == 20 && engine->in_flight() == 0;
    })) << store::Deliveries(db).count("done") << " of 20 done";
    EXPECT_EQ(posts(), 20u);
    EXPECT_LE(server->accepted(), 2u);
    EXPECT_GE(server->accepted(), 1u);
    EXPECT_LE(most_in_flight, 2);  // the engine's own count, sampled: a weaker check, but from the other side
    EXPECT_EQ(engine->counters().delivered, 20u);
}

// The first request to arrive is answered only after `delay`, the others at once: a request stays under way, so
// answers wait for their group commit instead of being committed because nothing else is coming.
std::function<TestReply(std::size_t)> first_slow(std::chrono::milliseconds delay) {
    return [delay](std::size_t n) {
        TestReply reply = status(202);
        if (n == 0) reply.delay = delay;
        return reply;
    };
}

TEST_F(DeliveryEngineTest, AnswersAreMarkedDoneWhenTheGroupCommitFills) {
    // A batch of 3 and a window far longer than the test. One of the first two jobs is slow to answer; the other
    // answer waits for its commit (pending, counted in flight, not delivered). Two more fill the batch: those
    // three are done together while the slow one is still under way, and it is committed when it answers.
    serve(first_slow(3s));
    std::vector<std::int64_t> ids;
    for (int i = 0; i < 2; ++i)
        ids.push_back(queue("https://blog.test/posts/14#create", inbox("u" + std::to_string(i))));
    auto engine_options = options();
    engine_options.group_commit_jobs = 3;
    engine_options.group_commit_interval = 60s;
    start_engine(engine_options);

    ASSERT_TRUE(eventually([&] { return posts() == 2 && engine->requests_in_flight() == 1; })) << posts();
    EXPECT_TRUE(holds_for([&] { return engine->in_flight() == 2 && engine->requests_in_flight() == 1; }))
        << engine->in_flight();
    for (const auto id : ids) EXPECT_EQ(state_of(id), "pending") << describe(id);
    EXPECT_EQ(engine->counters().delivered, 0u);

    for (int i = 2; i < 4; ++i)
        ids.push_back(queue("https://blog.test/posts/14#create", inbox("u" + std::to_string(i))));
    engine->wake();
    ASSERT_TRUE(eventually([&] { return store::Deliveries(db).count("done") == 3; }))
        << store::Deliveries(db).count("done") << " done";
    EXPECT_EQ(engine->counters().delivered, 3u);
    EXPECT_EQ(engine->requests_in_flight(), 1);  // the slow one, still pending
    EXPECT_EQ(store::Deliveries(db).count("pending"), 1);
    for (const auto id : ids) ASSERT_TRUE(ends(id, "done")) << describe(id);
    EXPECT_EQ(engine->counters().delivered, 4u);
    EXPECT_EQ(posts(), 4u);
}

TEST_F(DeliveryEngineTest, StopCommitsAnswersAwaitingTheGroupCommit) {
    // Answered 2xx before the stop, waiting for its commit behind a slow request: done, not sent again after a
    // restart.
    serve(first_slow(4s));
    const auto first = queue("https://blog.test/posts/15#create", inbox("u0"));
    const auto second = queue("https://blog.test/posts/15#create", inbox("u1"));
    auto engine_options = options();
    engine_options.group_commit_jobs = 100;
    engine_options.group_commit_interval = 60s;
    start_engine(engine_options);
    ASSERT_TRUE(eventually([&] { return posts() == 2 && engine->requests_in_flight() == 1; })) << posts();
    EXPECT_EQ(state_of(first), "pending");
    EXPECT_EQ(state_of(second), "pending");
    engine->stop();
    // Committed by the stop, well before the slow answer (4 s) could have brought a commit.
    ASSERT_TRUE(eventually([&] { return store::Deliveries(db).count("done") == 1; }, 2s))
        << describe(first) << "; " << describe(second);
    for (const auto id : {first, second}) {
        if (state_of(id) == "done") {
            EXPECT_EQ(job(id).attempts, 1);
        }
    }
}

TEST_F(DeliveryEngineTest, TheLastAnswerIsCommittedAtOnce) {
    // A batch of 100 and a minute's window: a lone delivery, and the end of a fan-out, have no answer coming to
    // share the commit with, so nothing waits for the window.
    serve([](std::size_t) { return status(202); });
    const auto id = queue("https://blog.test/posts/17#create", inbox());
    auto engine_options = options();
    engine_options.group_commit_jobs = 100;
    engine_options.group_commit_interval = 60s;
    engine_options.poll_interval = 60s;
    start_engine(engine_options);
    ASSERT_TRUE(eventually([&] { return state_of(id) == "done"; }, 5s)) << describe(id);
    EXPECT_EQ(engine->counters().delivered, 1u);

    std::vector<std::int64_t> ids;
    for (int i = 0; i < 20; ++i)
        ids.push_back(queue("https://blog.test/posts/18#create", inbox("u" + std::to_string(i))));
    engine->wake();
    for (const auto each : ids) ASSERT_TRUE(eventually([&] { return state_of(each) == "done"; }, 5s)) << describe(each);
    EXPECT_EQ(posts(), 21u);
}

TEST_F(DeliveryEngineTest, AFreeSlotWithJobsWaitingCommitsWithoutWaitingForTheBatch) {
    // One slot, a batch of 100, a minute's window and a minute between looks at the queue: were the commit to
    // wait for either, the third job would sit unclaimed for a minute. The slot freed by each answer commits at
    // once and claims the next job in that commit, so the ten go one after the other.
    serve([](std::size_t) { return status(202); });
    std::vector<std::int64_t> ids;
    for (int i = 0; i < 10; ++i)
        ids.push_back(queue("https://blog.test/posts/16#create", inbox("u" + std::to_string(i))));
    auto engine_options = options();
    engine_options.concurrency = 1;
    engine_options.per_host = 1;
    engine_options.group_commit_jobs = 100;
    engine_options.group_commit_interval = 60s;
    engine_options.poll_interval = 60s;
    start_engine(engine_options);
    ASSERT_TRUE(eventually([&] { return posts() == 10; }, 5s)) << posts() << " of 10 POSTs";
    for (const auto id : ids) ASSERT_TRUE(eventually([&] { return state_of(id) == "done"; }, 5s)) << describe(id);
    EXPECT_EQ(posts(), 10u);
}

TEST_F(DeliveryEngineTest, ClaimLeftByADeadProcessIsReleasedAndDelivered) {
    serve([](std::size_t) { return status(202); });
    const auto id = queue("https://blog.test/posts/12#create", inbox());
    store::Deliveries deliveries(db);
    deliveries.claim(id, now());  // a previous process took it and died mid-delivery
    EXPECT_TRUE(deliveries.due(now(), 10, 10).empty());

    start_engine();
    ASSERT_TRUE(ends(id, "done")) << describe(id);
    EXPECT_EQ(job(id).attempts, 1);
    EXPECT_TRUE(holds_for([&] { return posts() == 1; })) << describe(id);
}

TEST_F(DeliveryEngineTest, DeliveryThatThrowsGivesItsSlotBack) {
    // A key id the draft-cavage signer refuses to put in a header: every post throws before a byte is sent, as
    // it does in production when the signing hook or the scheme memory's hook (a SQLite write) fails. The job
    // keeps its claim (retried after a restart, like a result that could not be stored), but the delivery slot
    // must come back, or a few such failures stop all delivery for good.
    serve([](std::size_t) { return status(202); });
    const auto first = queue("https://blog.test/posts/13#create", inbox("alice"));
    const auto second = queue("https://blog.test/posts/13#create", inbox("bob"));
    auto engine_options = options();
    engine_options.concurrency = 1;
    engine_options.per_host = 1;
    start_engine(engine_options, {}, R"(https://blog.test/users/blog#"main-key")");

    store::Deliveries deliveries(db);
    // Both were taken in turn, through the single slot, which is free again.
    ASSERT_TRUE(eventually([&] { return deliveries.due(now(), 10, 10).empty() && engine->in_flight() == 0; }, 3s))
        << deliveries.due(now(), 10, 10).size() << " job(s) still waiting, " << engine->in_flight() << " in flight";
    EXPECT_TRUE(holds_for([&] { return engine->in_flight() == 0; }));
    for (const auto id : {first, second}) {
        EXPECT_EQ(state_of(id), "pending");
        EXPECT_EQ(job(id).attempts, 0);
    }
    EXPECT_EQ(posts(), 0u);
}

}  // namespace
}  // namespace fedblog::activitypub::delivery
