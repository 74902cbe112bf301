#include "store/deliveries.hpp"

#include <gtest/gtest.h>

#include "store/hosts.hpp"
#include "store/migrations.hpp"
#include "store/transaction.hpp"
#include "tests/support/query_plan.hpp"
#include "tests/support/temp_dir.hpp"

using namespace fedblog::store;

namespace {

constexpr const char* body = R"({"type":"Create","id":"https://blog.example/activities/1"})";

std::string activity(int n) { return "https://blog.example/activities/" + std::to_string(n); }

DeliveryTarget shared_inbox(const std::string& host) { return {"https://" + host + "/inbox", host}; }

DeliveryTarget personal_inbox(const std::string& host, const std::string& user) {
    return {"https://" + host + "/users/" + user + "/inbox", host};
}

std::vector<std::int64_t> ids(const std::vector<DeliveryJob>& jobs) {
    std::vector<std::int64_t> found;
    for (const auto& job : jobs) found.push_back(job.id);
    return found;
}

// The id of the one job for (activity, inbox).
std::int64_t job_id(Deliveries& deliveries, int n, const DeliveryTarget& target) {
    for (const auto& job : deliveries.list("", target.host, 1000))
        if (job.activity_id == activity(n) && job.inbox == target.inbox) return job.id;
    ADD_FAILURE() << "no job for " << activity(n) << " to " << target.inbox;
    return 0;
}

}  // namespace

TEST(Deliveries, EnqueueAddsOnePendingJobPerDistinctInbox) {
    fedblog::testing::TempDir dir;
    Database db(dir / "db");
    Deliveries deliveries(db);
    const std::vector<DeliveryTarget> targets = {shared_inbox("a.example"), shared_inbox("b.example"),
                                                 shared_inbox("a.example")};
    EXPECT_EQ(deliveries.enqueue(activity(1), body, targets, 100), 2);
    EXPECT_EQ(deliveries.count("pending"), 2);
    auto job = deliveries.find(job_id(deliveries, 1, shared_inbox("a.example")));
    ASSERT_TRUE(job);
    EXPECT_EQ(job->activity_id, activity(1));
    EXPECT_EQ(job->inbox, "https://a.example/inbox");
    EXPECT_EQ(job->host, "a.example");
    EXPECT_EQ(job->body, body);
    EXPECT_EQ(job->state, "pending");
    EXPECT_EQ(job->attempts, 0);
    EXPECT_EQ(job->next_attempt, 100);
    EXPECT_EQ(job->created_at, 100);
    EXPECT_FALSE(job->finished_at);
    EXPECT_EQ(job->last_error, "");
}

TEST(Deliveries, ASecondEnqueueLeavesQueuedPairsAsTheyAre) {
    fedblog::testing::TempDir dir;
    Database db(dir / "db");
    Deliveries deliveries(db);
    deliveries.enqueue(activity(1), body, {shared_inbox("a.example"), shared_inbox("b.example")}, 100);
    EXPECT_EQ(deliveries.enqueue(activity(1), "{}", {shared_inbox("a.example"), shared_inbox("c.example")}, 200), 1);
    auto kept = deliveries.find(job_id(deliveries, 1, shared_inbox("a.example")));
    ASSERT_TRUE(kept);
    EXPECT_EQ(kept->body, body);
    EXPECT_EQ(kept->created_at, 100);
    // Another activity to the same inbox is another job.
    EXPECT_EQ(deliveries.enqueue(activity(2), body, {shared_inbox("a.example")}, 300), 1);
    EXPECT_EQ(deliveries.count("pending"), 4);
}

TEST(Deliveries, EnqueueCommitsOrRollsBackWithTheCallersTransaction) {
    fedblog::testing::TempDir dir;
    Database db(dir / "db");
    Deliveries deliveries(db);
    {
        std::lock_guard lock(db.mutex());
        SQLite::Transaction transaction(db.sqlite());
        EXPECT_EQ(Deliveries::enqueue_locked(db, activity(1), body,
                                             {shared_inbox("a.example"), shared_inbox("b.example")}, 100),
                  2);
    }  // not committed
    EXPECT_EQ(deliveries.count("pending"), 0);
    {
        WriteTransaction transaction(db);
        EXPECT_EQ(deliveries.enqueue(activity(1), body, {shared_inbox("a.example")}, 100), 1);  // a savepoint
    }
    EXPECT_EQ(deliveries.count("pending"), 0);
    {
        WriteTransaction transaction(db);
        EXPECT_EQ(Deliveries::enqueue_locked(db, activity(1), body, {shared_inbox("a.example")}, 100), 1);
        transaction.commit();
    }
    EXPECT_EQ(deliveries.count("pending"), 1);
}

TEST(Deliveries, DueTakesUnclaimedPendingJobsWhoseTimeHasCome) {
    fedblog::testing::TempDir dir;
    Database db(dir / "db");
    Deliveries deliveries(db);
    deliveries.enqueue(activity(1), body, {shared_inbox("a.example")}, 100);
    deliveries.enqueue(activity(2), body, {shared_inbox("b.example")}, 300);
    deliveries.enqueue(activity(3), body, {shared_inbox("c.example")}, 200);
    deliveries.enqueue(activity(4), body, {shared_inbox("d.example")}, 200);
    const auto a = job_id(deliveries, 1, shared_inbox("a.example"));
    const auto b = job_id(deliveries, 2, shared_inbox("b.example"));
    const auto c = job_id(deliveries, 3, shared_inbox("c.example"));
    const auto d = job_id(deliveries, 4, shared_inbox("d.example"));
    EXPECT_TRUE(deliveries.due(99, 10, 10).empty());
    EXPECT_EQ(ids(deliveries.due(250, 10, 10)), (std::vector<std::int64_t>{a, c, d}));
    deliveries.claim(a, 250);
    EXPECT_EQ(ids(deliveries.due(300, 10, 10)), (std::vector<std::int64_t>{c, d, b}));
    auto job = deliveries.due(300, 1, 10);
    ASSERT_EQ(job.size(), 1u);
    EXPECT_EQ(job[0].body, body);
}

TEST(Deliveries, DueCapsJobsPerHostAndInAll) {
    fedblog::testing::TempDir dir;
    Database db(dir / "db");
    Deliveries deliveries(db);
    for (int n = 1; n <= 3; ++n) deliveries.enqueue(activity(n), body, {shared_inbox("a.example")}, 100 + n);
    for (int n = 1; n <= 2; ++n) deliveries.enqueue(activity(n), body, {shared_inbox("b.example")}, 110 + n);
    deliveries.enqueue(activity(1), body, {shared_inbox("c.example")}, 120);
    auto id = [&](int n, const char* host) { return job_id(deliveries, n, shared_inbox(host)); };
    EXPECT_EQ(ids(deliveries.due(1000, 10, 2)),
              (std::vector<std::int64_t>{id(1, "a.example"), id(2, "a.example"), id(1, "b.example"),
                                         id(2, "b.example"), id(1, "c.example")}));
    EXPECT_EQ(ids(deliveries.due(1000, 3, 2)),
              (std::vector<std::int64_t>{id(1, "a.example"), id(2, "a.example"), id(1, "b.example")}));
    EXPECT_EQ(ids(deliveries.due(1000, 10, 1)),
              (std::vector<std::int64_t>{id(1, "a.example"), id(1, "b.example"), id(1, "c.example")}));
    // A claimed job leaves its place to the next one of its host.
    deliveries.claim(id(1, "a.example"), 1000);
    EXPECT_EQ(ids(deliveries.due(1000, 10, 1)),
              (std::vector<std::int64_t>{id(2, "a.example"), id(1, "b.example"), id(1, "c.example")}));
}

TEST(Deliveries, DueSkipsUnavailableHosts) {
    fedblog::testing::TempDir dir;
    Database db(dir / "db");
    Deliveries deliveries(db);
    Hosts hosts(db);
    deliveries.enqueue(activity(1), body, {shared_inbox("a.example"), shared_inbox("b.example")}, 100);
    EXPECT_TRUE(hosts.record_failure("a.example", 100, 1));
    auto due = deliveries.due(100, 10, 10);
    ASSERT_EQ(due.size(), 1u);
    EXPECT_EQ(due[0].host, "b.example");
    EXPECT_TRUE(hosts.record_success("a.example"));
    EXPECT_EQ(deliveries.due(100, 10, 10).size(), 2u);
}

TEST(Deliveries, DueProbesSendOneJobPerUnavailableHostNowAndThen) {
    fedblog::testing::TempDir dir;
    Database db(dir / "db");
    Deliveries deliveries(db);
    Hosts hosts(db);
    deliveries.enqueue(activity(1), body, {shared_inbox("a.example"), shared_inbox("b.example")}, 100);
    deliveries.enqueue(activity(2), body, {shared_inbox("a.example"), shared_inbox("c.example")}, 200);
    hosts.record_failure("a.example", 100, 1);
    hosts.record_failure("b.example", 100, 1);
    const auto a1 = job_id(deliveries, 1, shared_inbox("a.example"));
    const auto a2 = job_id(deliveries, 2, shared_inbox("a.example"));
    const auto b1 = job_id(deliveries, 1, shared_inbox("b.example"));
    deliveries.reschedule(a1, 5000, "HTTP 503");  // not due, yet a2 goes first because it is earlier
    deliveries.claim(b1, 100);                    // b's only job is in hand already

    EXPECT_EQ(ids(deliveries.due_probes(1000, 400)), (std::vector<std::int64_t>{a2}));
    EXPECT_EQ(hosts.find("a.example")->last_probe, 1000);
    EXPECT_EQ(hosts.find("b.example")->last_probe, 100);  // parked at 100, which counted as its probe
    EXPECT_TRUE(deliveries.due_probes(1100, 500).empty());  // probed at 1000, after 500
    EXPECT_EQ(ids(deliveries.due_probes(1700, 1100)), (std::vector<std::int64_t>{a2}));
    EXPECT_EQ(hosts.find("a.example")->last_probe, 1700);

    deliveries.release_claims();
    EXPECT_EQ(ids(deliveries.due_probes(1800, 1000)), (std::vector<std::int64_t>{b1}));
    // The healthy host's job goes out the ordinary way, and only it.
    auto due = deliveries.due(10000, 10, 10);
    ASSERT_EQ(due.size(), 1u);
    EXPECT_EQ(due[0].host, "c.example");
}

TEST(Deliveries, ReleaseClaimsFreesWhatADeadProcessHeld) {
    fedblog::testing::TempDir dir;
    {
        Database db(dir / "db");
        Deliveries deliveries(db);
        deliveries.enqueue(activity(1), body,
                           {shared_inbox("a.example"), shared_inbox("b.example"), shared_inbox("c.example")}, 100);
        auto due = deliveries.due(100, 2, 10);
        for (const auto& job : due) deliveries.claim(job.id, 100);
        EXPECT_EQ(deliveries.due(100, 10, 10).size(), 1u);
    }
    Database db(dir / "db");
    Deliveries deliveries(db);
    EXPECT_EQ(deliveries.due(100, 10, 10).size(), 1u);  // claims are durable
    EXPECT_EQ(deliveries.release_claims(), 2);
    EXPECT_EQ(deliveries.due(100, 10, 10).size(), 3u);
    EXPECT_EQ(deliveries.release_claims(), 0);
}

TEST(Deliveries, OutcomesCountTheAttemptAndClearTheClaim) {
    fedblog::testing::TempDir dir;
    Database db(dir / "db");
    Deliveries deliveries(db);
    deliveries.enqueue(activity(1), body,
                       {shared_inbox("a.example"), shared_inbox("b.example"), shared_inbox("c.example")}, 100);
    const auto a = job_id(deliveries, 1, shared_inbox("a.example"));
    const auto b = job_id(deliveries, 1, shared_inbox("b.example"));
    const auto c = job_id(deliveries, 1, shared_inbox("c.example"));
    for (auto id : {a, b, c}) deliveries.claim(id, 100);

    deliveries.mark_done(a, 150);
    deliveries.reschedule(b, 400, "HTTP 503");
    deliveries.mark_dead(c, 160, "HTTP 403");
    EXPECT_EQ(deliveries.release_claims(), 0);

    auto done = deliveries.find(a);
    EXPECT_EQ(done->state, "done");
    EXPECT_EQ(done->attempts, 1);
    EXPECT_EQ(done->finished_at, 150);
    auto later = deliveries.find(b);
    EXPECT_EQ(later->state, "pending");
    EXPECT_EQ(later->attempts, 1);
    EXPECT_EQ(later->next_attempt, 400);
    EXPECT_EQ(later->last_error, "HTTP 503");
    EXPECT_FALSE(later->finished_at);
    auto dead = deliveries.find(c);
    EXPECT_EQ(dead->state, "dead");
    EXPECT_EQ(dead->attempts, 1);
    EXPECT_EQ(dead->finished_at, 160);
    EXPECT_EQ(dead->last_error, "HTTP 403");

    EXPECT_TRUE(deliveries.due(399, 10, 10).empty());
    EXPECT_EQ(ids(deliveries.due(400, 10, 10)), (std::vector<std::int64_t>{b}));
    deliveries.claim(b, 400);
    deliveries.reschedule(b, 900, "timeout: connect");
    EXPECT_EQ(deliveries.find(b)->attempts, 2);
    EXPECT_EQ(deliveries.find(b)->last_error, "timeout: connect");
    EXPECT_EQ(deliveries.count("pending"), 1);
    EXPECT_EQ(deliveries.count("done"), 1);
    EXPECT_EQ(deliveries.count("dead"), 1);
}

TEST(Deliveries, ClaimPendingClaimsManyAtOnceAndSkipsThoseNoLongerPending) {
    fedblog::testing::TempDir dir;
    Database db(dir / "db");
    Deliveries deliveries(db);
    deliveries.enqueue(activity(1), body,
                       {shared_inbox("a.example"), shared_inbox("b.example"), shared_inbox("c.example")}, 100);
    deliveries.enqueue(activity(2), R"({"type":"Update"})", {shared_inbox("a.example")}, 100);
    const auto a = job_id(deliveries, 1, shared_inbox("a.example"));
    const auto b = job_id(deliveries, 1, shared_inbox("b.example"));
    const auto c = job_id(deliveries, 1, shared_inbox("c.example"));
    const auto update = job_id(deliveries, 2, shared_inbox("a.example"));
    deliveries.claim(b, 100);
    deliveries.mark_dead(b, 110, "HTTP 403");  // finished meanwhile: not claimed again

    auto claimed = deliveries.claim_pending({update, c, b, a, 999999}, 120);
    EXPECT_EQ(ids(claimed), (std::vector<std::int64_t>{update, c, a}));  // in the order asked, pending only
    ASSERT_EQ(claimed.size(), 3u);
    EXPECT_EQ(claimed[0].activity_id, activity(2));
    EXPECT_EQ(claimed[1].inbox, "https://c.example/inbox");
    EXPECT_EQ(claimed[1].host, "c.example");
    EXPECT_EQ(claimed[1].state, "pending");
    EXPECT_EQ(claimed[1].attempts, 0);
    EXPECT_EQ(claimed[1].next_attempt, 100);
    EXPECT_EQ(claimed[1].body, "");  // read once per activity instead
    EXPECT_EQ(deliveries.body(activity(1)), body);
    EXPECT_EQ(deliveries.body(activity(2)), R"({"type":"Update"})");
    EXPECT_EQ(deliveries.body(activity(3)), "");
    EXPECT_TRUE(deliveries.ready(200, 10).empty());  // all claimed: a worker has them
    EXPECT_TRUE(deliveries.claim_pending({}, 130).empty());

    deliveries.mark_done({a, c, update}, 150);
    for (auto id : {a, c, update}) {
        auto job = deliveries.find(id);
        EXPECT_EQ(job->state, "done");
        EXPECT_EQ(job->attempts, 1);
        EXPECT_EQ(job->finished_at, 150);
    }
    EXPECT_EQ(deliveries.find(b)->state, "dead");
    EXPECT_EQ(deliveries.find(b)->attempts, 1);
    EXPECT_EQ(deliveries.release_claims(), 0);
    EXPECT_EQ(deliveries.count("done"), 3);
}

TEST(Deliveries, RetryMakesAJobDueNowAndKeepsItsAttempts) {
    fedblog::testing::TempDir dir;
    Database db(dir / "db");
    Deliveries deliveries(db);
    deliveries.enqueue(activity(1), body,
                       {shared_inbox("a.example"), shared_inbox("b.example"), shared_inbox("c.example")}, 100);
    const auto a = job_id(deliveries, 1, shared_inbox("a.example"));
    const auto b = job_id(deliveries, 1, shared_inbox("b.example"));
    const auto c = job_id(deliveries, 1, shared_inbox("c.example"));
    deliveries.mark_dead(a, 200, "HTTP 403");
    deliveries.mark_done(b, 200);
    deliveries.reschedule(c, 5000, "HTTP 503");

    EXPECT_TRUE(deliveries.retry(a, 500));
    auto again = deliveries.find(a);
    EXPECT_EQ(again->state, "pending");
    EXPECT_EQ(again->next_attempt, 500);
    EXPECT_EQ(again->attempts, 1);
    EXPECT_FALSE(again->finished_at);
    EXPECT_TRUE(deliveries.retry(c, 500));
    EXPECT_EQ(deliveries.find(c)->next_attempt, 500);
    EXPECT_EQ(ids(deliveries.due(500, 10, 10)), (std::vector<std::int64_t>{a, c}));

    EXPECT_FALSE(deliveries.retry(b, 500));
    EXPECT_EQ(deliveries.find(b)->state, "done");
    EXPECT_FALSE(deliveries.retry(9999, 500));
}

TEST(Deliveries, RetryDeadRevivesOneHostOrAll) {
    fedblog::testing::TempDir dir;
    Database db(dir / "db");
    Deliveries deliveries(db);
    for (int n = 1; n <= 3; ++n) deliveries.enqueue(activity(n), body, {shared_inbox("a.example")}, 100);
    deliveries.enqueue(activity(1), body, {shared_inbox("b.example")}, 100);
    deliveries.mark_dead(job_id(deliveries, 1, shared_inbox("a.example")), 200, "HTTP 403");
    deliveries.mark_dead(job_id(deliveries, 2, shared_inbox("a.example")), 200, "HTTP 403");
    deliveries.mark_dead(job_id(deliveries, 1, shared_inbox("b.example")), 200, "HTTP 404");

    EXPECT_EQ(deliveries.retry_dead("a.example", 600), 2);
    EXPECT_EQ(deliveries.count("dead"), 1);
    EXPECT_EQ(deliveries.find(job_id(deliveries, 1, shared_inbox("a.example")))->next_attempt, 600);
    EXPECT_EQ(deliveries.retry_dead("", 700), 1);
    EXPECT_EQ(deliveries.count("dead"), 0);
    EXPECT_EQ(deliveries.count("pending"), 4);
    EXPECT_EQ(deliveries.retry_dead("", 800), 0);
}

TEST(Deliveries, AbandonInboxKillsTheJobsWaitingForIt) {
    fedblog::testing::TempDir dir;
    Database db(dir / "db");
    Deliveries deliveries(db);
    const auto alice = personal_inbox("a.example", "alice");
    for (int n = 1; n <= 4; ++n) deliveries.enqueue(activity(n), body, {alice, shared_inbox("a.example")}, 100);
    deliveries.claim(job_id(deliveries, 3, alice), 150);  // in a worker's hands: its outcome decides
    deliveries.mark_done(job_id(deliveries, 4, alice), 150);

    EXPECT_EQ(deliveries.abandon_inbox(alice.inbox, 900, "follower gone"), 2);
    for (int n : {1, 2}) {
        auto job = deliveries.find(job_id(deliveries, n, alice));
        EXPECT_EQ(job->state, "dead");
        EXPECT_EQ(job->last_error, "follower gone");
        EXPECT_EQ(job->finished_at, 900);
        EXPECT_EQ(job->attempts, 0);
    }
    EXPECT_EQ(deliveries.find(job_id(deliveries, 3, alice))->state, "pending");
    EXPECT_EQ(deliveries.find(job_id(deliveries, 4, alice))->state, "done");
    EXPECT_EQ(deliveries.list("pending", "", 100).size(), 5u);  // 4 to the shared inbox, 1 claimed
    EXPECT_EQ(deliveries.abandon_inbox(alice.inbox, 950, "follower gone"), 0);
}

TEST(Deliveries, ByHostSummarizesEveryHostWithJobs) {
    fedblog::testing::TempDir dir;
    Database db(dir / "db");
    Deliveries deliveries(db);
    Hosts hosts(db);
    for (int n = 1; n <= 4; ++n) deliveries.enqueue(activity(n), body, {shared_inbox("a.example")}, 100 + n);
    deliveries.enqueue(activity(1), body, {shared_inbox("b.example")}, 100);
    deliveries.enqueue(activity(2), body, {shared_inbox("b.example")}, 100);
    deliveries.enqueue(activity(1), body, {shared_inbox("c.example")}, 300);
    deliveries.reschedule(job_id(deliveries, 2, shared_inbox("a.example")), 900, "HTTP 503");
    deliveries.mark_dead(job_id(deliveries, 3, shared_inbox("a.example")), 200, "HTTP 400");
    deliveries.mark_done(job_id(deliveries, 4, shared_inbox("a.example")), 200);
    deliveries.mark_done(job_id(deliveries, 1, shared_inbox("b.example")), 200);
    deliveries.mark_dead(job_id(deliveries, 2, shared_inbox("b.example")), 250, "HTTP 404");
    hosts.record_failure("c.example", 300, 1);

    auto rows = deliveries.by_host();
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].host, "a.example");
    EXPECT_EQ(rows[0].pending, 2);
    EXPECT_EQ(rows[0].failing, 1);
    EXPECT_EQ(rows[0].dead, 1);
    EXPECT_EQ(rows[0].done, 1);
    EXPECT_EQ(rows[0].next_attempt, 101);
    EXPECT_EQ(rows[0].last_error, "HTTP 503");  // the trouble now rather than the older dead job's
    EXPECT_FALSE(rows[0].unavailable);
    EXPECT_EQ(rows[1].host, "b.example");
    EXPECT_EQ(rows[1].pending, 0);
    EXPECT_EQ(rows[1].failing, 0);
    EXPECT_EQ(rows[1].dead, 1);
    EXPECT_EQ(rows[1].done, 1);
    EXPECT_FALSE(rows[1].next_attempt);
    EXPECT_EQ(rows[1].last_error, "HTTP 404");
    EXPECT_EQ(rows[2].host, "c.example");
    EXPECT_EQ(rows[2].pending, 1);
    EXPECT_EQ(rows[2].next_attempt, 300);
    EXPECT_EQ(rows[2].last_error, "");
    EXPECT_TRUE(rows[2].unavailable);
}

TEST(Deliveries, ListFiltersNewestFirstAndDoneJobsAreForgotten) {
    fedblog::testing::TempDir dir;
    Database db(dir / "db");
    Deliveries deliveries(db);
    deliveries.enqueue(activity(1), body, {shared_inbox("a.example"), shared_inbox("b.example")}, 100);
    deliveries.enqueue(activity(2), body, {shared_inbox("a.example")}, 200);
    const auto a1 = job_id(deliveries, 1, shared_inbox("a.example"));
    const auto b1 = job_id(deliveries, 1, shared_inbox("b.example"));
    const auto a2 = job_id(deliveries, 2, shared_inbox("a.example"));

    EXPECT_EQ(ids(deliveries.list("", "", 10)), (std::vector<std::int64_t>{a2, b1, a1}));
    EXPECT_EQ(ids(deliveries.list("", "a.example", 10)), (std::vector<std::int64_t>{a2, a1}));
    EXPECT_EQ(ids(deliveries.list("pending", "", 2)), (std::vector<std::int64_t>{a2, b1}));
    deliveries.mark_done(a1, 300);
    deliveries.mark_done(b1, 500);
    auto done = deliveries.list("done", "", 10);
    EXPECT_EQ(ids(done), (std::vector<std::int64_t>{b1, a1}));
    EXPECT_EQ(done[0].body, body);
    EXPECT_TRUE(deliveries.list("done", "c.example", 10).empty());

    EXPECT_EQ(deliveries.forget_done_before(400), 1);
    EXPECT_FALSE(deliveries.find(a1));
    EXPECT_TRUE(deliveries.find(b1));
    EXPECT_TRUE(deliveries.find(a2));
    EXPECT_EQ(deliveries.count("done"), 1);
    EXPECT_FALSE(deliveries.find(9999));
}

TEST(Deliveries, AVersion1FileIsMigratedWithItsQueueAndBodies) {
    fedblog::testing::TempDir dir;
    {
        SQLite::Database v1((dir / "db").string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        v1.exec(migrations()[0]);
        v1.exec("PRAGMA user_version = 1");
        v1.exec(
            "INSERT INTO deliveries (activity_id, inbox, host, body, state, attempts, next_attempt, last_error, "
            "created_at) VALUES ('https://blog.example/activities/1', 'https://a.example/inbox', 'a.example', '{}', "
            "'pending', 2, 100, 'HTTP 502', 50)");
    }
    Database db(dir / "db");
    EXPECT_EQ(db.schema_version(), Database::latest_schema_version());  // every later step applied too
    EXPECT_GE(Database::latest_schema_version(), 3);
    EXPECT_EQ(db.sqlite().execAndGet("SELECT count(*) FROM sqlite_master WHERE name = 'deliveries_host'").getInt(), 1);

    Deliveries deliveries(db);
    auto due = deliveries.due(100, 10, 10);
    ASSERT_EQ(due.size(), 1u);
    EXPECT_EQ(due[0].attempts, 2);
    EXPECT_EQ(due[0].last_error, "HTTP 502");
    EXPECT_EQ(due[0].body, "{}");  // moved to delivery_bodies by v3
    ASSERT_EQ(deliveries.ready(100, 10).size(), 1u);
    deliveries.claim(due[0].id, 100);
    EXPECT_EQ(deliveries.release_claims(), 1);
    Hosts hosts(db);
    hosts.set_signature_scheme("a.example", "rfc9421");
    EXPECT_EQ(hosts.signature_scheme("a.example"), "rfc9421");
}

// Frames appended to the WAL since it was last emptied.
int wal_frames(Database& db) {
    SQLite::Statement checkpoint(db.sqlite(), "PRAGMA wal_checkpoint(PASSIVE)");
    return checkpoint.executeStep() ? checkpoint.getColumn(1).getInt() : -1;
}

// A fan-out commits batches of answers that span every host (jobs are taken round-robin): the commit rewrites the
// rows' table pages and the state index around them, not a page of a per-host index for each host in the batch.
TEST(Deliveries, ABatchDoneAcrossAHundredHostsRewritesFewPages) {
    fedblog::testing::TempDir dir;
    Database db(dir / "db");
    Deliveries deliveries(db);
    std::vector<DeliveryTarget> targets;
    for (int i = 0; i < 10000; ++i)
        targets.push_back(personal_inbox("h" + std::to_string(i % 100) + ".example", "u" + std::to_string(i)));
    deliveries.enqueue(activity(1), body, targets, 100);
    std::vector<std::int64_t> batch;
    for (const auto& job : deliveries.ready(100, 128)) batch.push_back(job.id);
    ASSERT_EQ(batch.size(), 128u);
    db.sqlite().exec("PRAGMA wal_checkpoint(TRUNCATE)");
    ASSERT_EQ(wal_frames(db), 0);
    {
        WriteTransaction transaction(db);
        deliveries.mark_done(batch, 101);
        transaction.commit();
    }
    EXPECT_EQ(deliveries.count("done"), 128);
    // 6 frames; 79 with the former (host, state) index.
    EXPECT_LE(wal_frames(db), 20);
}

// What is asked by host still reads the host's rows through an index, not the whole queue: the statements of
// abandon_host, delivery_health and due_probes.
TEST(Deliveries, QueriesByHostReadTheHostIndex) {
    fedblog::testing::TempDir dir;
    Database db(dir / "db");
    for (const char* sql :
         {"UPDATE deliveries SET state = 'dead' WHERE host = 'h.example' AND state = 'pending' AND claimed_at IS NULL",
          "SELECT count(*) FROM deliveries d WHERE d.host = 'h.example' AND d.state = 'pending'",
          "SELECT e.id FROM hosts h CROSS JOIN deliveries e ON e.host = h.host WHERE h.unavailable_since IS NOT NULL "
          "AND (h.last_probe IS NULL OR h.last_probe <= 5) AND +e.state = 'pending' AND e.claimed_at IS NULL"}) {
        const std::string steps = fedblog::testing::query_plan(db.sqlite(), sql);
        EXPECT_NE(steps.find("INDEX deliveries_host"), std::string::npos) << sql << "\n" << steps;
    }
    SQLite::Statement columns(db.sqlite(), "SELECT name FROM pragma_index_info('deliveries_host')");
    std::vector<std::string> names;
    while (columns.executeStep()) names.push_back(columns.getColumn(0).getString());
    EXPECT_EQ(names, std::vector<std::string>{"host"});
}

// The engine reads the queue in (next_attempt, id) order at every poll: from an index, without sorting. (The partial
// index once made for it was never chosen, only kept up to date at every claim and outcome: gone since v12.)
TEST(Deliveries, TheQueueIsReadInOrderFromTheStateIndex) {
    fedblog::testing::TempDir dir;
    Database db(dir / "db");
    for (const char* sql : {"SELECT id, host, next_attempt FROM deliveries WHERE state = 'pending' AND claimed_at IS NULL "
                            "AND next_attempt <= 5 AND host NOT IN (SELECT host FROM hosts WHERE unavailable_since IS "
                            "NOT NULL) ORDER BY next_attempt, id LIMIT 10",
                            "SELECT id, host, next_attempt FROM deliveries WHERE state = 'pending' AND claimed_at IS NULL "
                            "AND next_attempt <= 5 AND (next_attempt, id) > (1, 2) AND host NOT IN (SELECT host FROM "
                            "hosts WHERE unavailable_since IS NOT NULL) ORDER BY next_attempt, id LIMIT 10"}) {
        const std::string steps = fedblog::testing::query_plan(db.sqlite(), sql);
        EXPECT_NE(steps.find("INDEX deliveries_due"), std::string::npos) << sql << "\n" << steps;
        EXPECT_EQ(steps.find("TEMP B-TREE"), std::string::npos) << sql << "\n" << steps;
    }
    EXPECT_EQ(db.sqlite().execAndGet("SELECT count(*) FROM sqlite_master WHERE name = 'deliveries_ready'").getInt(), 0);
}

TEST(Deliveries, OneBodyPerActivityAndReadyListsWhatWorkersMayTake) {
    fedblog::testing::TempDir dir;
    Database db(dir / "db");
    Deliveries deliveries(db);
    std::vector<DeliveryTarget> targets;
    for (int i = 0; i < 50; ++i) targets.push_back({"https://h" + std::to_string(i % 5) + ".example/inbox/" + std::to_string(i),
                                                    "h" + std::to_string(i % 5) + ".example"});
    deliveries.enqueue("https://blog.example/a/1", std::string(5000, 'x'), targets, 100);
    EXPECT_EQ(db.sqlite().execAndGet("SELECT count(*) FROM delivery_bodies").getInt(), 1);
    auto ready = deliveries.ready(100, 1000);
    ASSERT_EQ(ready.size(), 50u);
    EXPECT_EQ(deliveries.find(ready[0].id)->body, std::string(5000, 'x'));
    deliveries.claim(ready[0].id, 100);
    deliveries.reschedule(ready[1].id, 500, "HTTP 503");
    EXPECT_EQ(deliveries.ready(100, 1000).size(), 48u);  // neither the claimed nor the not-yet-due
    EXPECT_EQ(deliveries.ready(500, 1000).size(), 49u);
    auto first_ten = deliveries.ready(500, 10);
    ASSERT_EQ(first_ten.size(), 10u);
    auto next = deliveries.ready_after(500, first_ten.back(), 1000);
    EXPECT_EQ(next.size(), 39u);  // the rest, none read twice
    EXPECT_GT(next.front().id, first_ten.back().id);
    EXPECT_TRUE(deliveries.ready_after(500, next.back(), 1000).empty());
    Hosts(db).record_failure("h0.example", 100, 1);
    EXPECT_EQ(deliveries.ready(500, 1000).size(), 40u);  // an unavailable host's 9 unclaimed jobs wait
    // Done jobs forgotten, and their body with the last of them.
    for (auto& job : deliveries.list("", "", 100)) deliveries.mark_done(job.id, 200);
    EXPECT_EQ(deliveries.forget_done_before(300), 50);
    EXPECT_EQ(db.sqlite().execAndGet("SELECT count(*) FROM delivery_bodies").getInt(), 0);
}
