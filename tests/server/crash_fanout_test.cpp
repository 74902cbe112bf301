// The durable delivery queue as an operator relies on it: `fedblog serve` is SIGKILLed in the middle of a
// fan-out to 1,000 inboxes and started again; every inbox ends with the activity, none is lost (duplicates are
// allowed: delivery is at least once).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/database.hpp"
#include "store/deliveries.hpp"
#include "store/followers.hpp"
#include "store/transaction.hpp"
#include "tests/support/fedblog_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/tls_test_server.hpp"

using namespace fedblog::testing;
using namespace std::chrono_literals;

namespace {

constexpr int sink_count = 10;
constexpr int inboxes_per_sink = 100;
constexpr int inbox_count = sink_count * inboxes_per_sink;
// A sink answers one request at a time (TestServer runs its handler on one thread), so 100 inboxes at 25 ms
// make a fan-out of about 2.5 s: room enough to kill the server in the middle of it.
constexpr auto sink_delay = 25ms;
// Kill once this many inboxes have the activity (25%), and require fewer than 70% by the time the process is gone.
constexpr int kill_after = inbox_count / 4;
constexpr int kill_before = inbox_count * 7 / 10;

// What every sink received, by inbox number.
class Reception {
public:
    // One request to a sink; anything but a POST of a Create to /inbox/<n> is kept aside as unexpected.
    void record(const TestRequest& request) {
        std::string target(request.target());
        std::lock_guard lock(mutex_);
        ++posts_;
        int inbox = -1;
        if (target.starts_with("/inbox/")) {
            try {
                std::size_t used = 0;
                inbox = std::stoi(target.substr(7), &used);
                if (used != target.size() - 7) inbox = -1;
            } catch (const std::exception&) {
                inbox = -1;
            }
        }
        const auto body = nlohmann::json::parse(request.body(), nullptr, false);
        auto text = [&body](const char* key) {
            return body.is_object() && body.contains(key) && body[key].is_string() ? body[key].get<std::string>() : "";
        };
        const std::string type = text("type"), id = text("id");
        if (request.method() != boost::beast::http::verb::post || inbox < 0 || inbox >= inbox_count ||
            type != "Create" || id.empty()) {
            unexpected_.push_back(std::string(request.method_string()) + " " + target + " type=" + type + " id=" + id);
            return;
        }
        activity_ids_.insert(id);
        if (received_[inbox]++ == 0) ++distinct_;
    }

    int distinct() const { return distinct_.load(); }
    int posts() const {
        std::lock_guard lock(mutex_);
        return posts_;
    }
    std::vector<int> received() const {
        std::lock_guard lock(mutex_);
        return received_;
    }
    std::set<std::string> activity_ids() const {
        std::lock_guard lock(mutex_);
        return activity_ids_;
    }
    std::vector<std::string> unexpected() const {
        std::lock_guard lock(mutex_);
        return unexpected_;
    }

private:
    mutable std::mutex mutex_;
    std::vector<int> received_ = std::vector<int>(inbox_count, 0);
    std::atomic<int> distinct_{0};
    int posts_ = 0;
    std::set<std::string> activity_ids_;
    std::vector<std::string> unexpected_;
};

struct QueueState {
    int pending = 0, done = 0, dead = 0;
};

QueueState queue_state(fedblog::store::Database& db) {
    fedblog::store::Deliveries deliveries(db);
    return {deliveries.count("pending"), deliveries.count("done"), deliveries.count("dead")};
}

}  // namespace

TEST(CrashDuringFanout, EveryInboxGetsTheActivityAfterASigkillAndARestart) {
    const auto started = std::chrono::steady_clock::now();
    TempDir dir;
    const std::filesystem::path data = dir / "data";
    const std::filesystem::path content = dir / "content";
    const std::filesystem::path log = dir / "fedblog.log";
    std::filesystem::create_directories(content / "posts");

    Reception reception;
    std::vector<std::unique_ptr<TestServer>> sinks;
    for (int i = 0; i < sink_count; ++i)
        sinks.push_back(std::make_unique<TestServer>(std::nullopt, [&reception](const TestRequest& request) {
            std::this_thread::sleep_for(sink_delay);
            reception.record(request);
            TestReply reply;
            reply.status = 202;
            return reply;
        }));

    const unsigned short port = free_loopback_port();
    // One set of settings for every command: the actor document (and so its fingerprint) stays the same, and a
    // restart queues no actor Update beside the Create.
    const std::vector<std::string> settings{
        "--data-dir", data.string(), "--content-dir", content.string(),
        "--listen", "127.0.0.1:" + std::to_string(port), "--public-url", "http://localhost:" + std::to_string(port),
        "--allow-private-addresses", "--allow-plain-http", "--delivery-concurrency", "32", "--delivery-per-host", "4",
        "--log-level", "info"};
    auto command = [&settings](const std::string& name) {
        std::vector<std::string> words{name};
        words.insert(words.end(), settings.begin(), settings.end());
        return words;
    };

    // The data folder and its database, then 1,000 accepted followers, each with its own inbox.
    int status = run_fedblog_to_end(command("publish"), log);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << describe_status(status) << "\n" << tail_of(log);
    {
        fedblog::store::Database db(data / "fedblog.db");
        fedblog::store::Followers followers(db);
        fedblog::store::WriteTransaction transaction(db);
        for (int n = 0; n < inbox_count; ++n) {
            const std::string origin = "http://127.0.0.1:" + std::to_string(sinks[n / inboxes_per_sink]->port());
            fedblog::store::Follower follower;
            follower.actor_id = origin + "/users/u" + std::to_string(n);
            follower.inbox = origin + "/inbox/" + std::to_string(n);
            follower.handle = "u" + std::to_string(n) + "@127.0.0.1";
            follower.follow_activity_id = origin + "/follows/" + std::to_string(n);
            follower.accepted = true;
            follower.created_at = 1700000000 + n;
            followers.save(follower);
        }
        transaction.commit();
        ASSERT_EQ(followers.delivery_inboxes().size(), static_cast<std::size_t>(inbox_count));
    }

    auto server = std::make_unique<FedblogProcess>(command("serve"), log);
    ASSERT_TRUE(wait_until_serving(*server, port));

    // A new post, published by a second process: one Create job per inbox, found by the server's workers at
    // their next poll.
    dir.write("content/posts/crash-test.md",
              "---\ntitle: \"Fan-out under fire\"\ndate: 2025-01-15 10:00\n---\n\nThis post reaches 1,000 inboxes.\n");
    status = run_fedblog_to_end(command("publish"), log);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << describe_status(status) << "\n" << tail_of(log);
    std::string activity_id;
    {
        fedblog::store::Database db(data / "fedblog.db");
        QueueState queued = queue_state(db);
        ASSERT_EQ(queued.pending + queued.done, inbox_count) << "publish did not queue one job per inbox";
        auto jobs = fedblog::store::Deliveries(db).list("", "", 1);
        ASSERT_EQ(jobs.size(), 1u);
        activity_id = jobs[0].activity_id;
    }

    // SIGKILL in the middle of the fan-out.
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (reception.distinct() < kill_after && std::chrono::steady_clock::now() < deadline && !server->poll())
        std::this_thread::sleep_for(1ms);
    ASSERT_FALSE(server->poll()) << "fedblog serve ended on its own:\n" << server->log_tail();
    ASSERT_GE(reception.distinct(), kill_after) << "the fan-out did not get going within 20 s:\n" << server->log_tail();
    status = server->signal_and_wait(SIGKILL, 5s);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << describe_status(status);
    const int received_before_kill = reception.distinct();
    ASSERT_LT(received_before_kill, kill_before) << "the fan-out was nearly over when the server was killed";
    // Requests the dead process had already written still wait in the sinks' sockets and are answered into the
    // void: let the sinks drain them before restarting, so the numbers below are the first run's whole work.
    for (int last = -1; reception.posts() != last;) {
        last = reception.posts();
        std::this_thread::sleep_for(200ms);
    }
    const int received_first_run = reception.distinct();
    QueueState after_kill;
    {
        fedblog::store::Database db(data / "fedblog.db");
        after_kill = queue_state(db);
    }
    EXPECT_GT(after_kill.pending, 0) << "nothing left to deliver after the kill";
    EXPECT_EQ(after_kill.pending + after_kill.done, inbox_count);
    EXPECT_LE(after_kill.done, received_first_run) << "jobs marked done that no inbox received";

    // Restart on the same data folder: the workers release the dead process's claims and finish the fan-out.
    server = std::make_unique<FedblogProcess>(command("serve"), log);
    ASSERT_TRUE(wait_until_serving(*server, port));
    deadline = std::chrono::steady_clock::now() + 60s;
    QueueState final_state;
    {
        fedblog::store::Database db(data / "fedblog.db");
        for (;;) {
            final_state = queue_state(db);
            if ((reception.distinct() == inbox_count && final_state.pending == 0) ||
                std::chrono::steady_clock::now() > deadline || server->poll())
                break;
            std::this_thread::sleep_for(20ms);
        }
    }
    ASSERT_FALSE(server->poll()) << "fedblog serve ended on its own:\n" << server->log_tail();

    std::vector<int> received = reception.received();
    std::vector<int> missing;
    int duplicates = 0, more_than_twice = 0;
    for (int n = 0; n < inbox_count; ++n) {
        if (received[n] == 0) missing.push_back(n);
        if (received[n] > 1) duplicates += received[n] - 1;
        if (received[n] > 2) ++more_than_twice;
    }
    const auto elapsed_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
    RecordProperty("received_before_kill", received_before_kill);
    RecordProperty("received_first_run", received_first_run);
    RecordProperty("pending_after_kill", after_kill.pending);
    RecordProperty("done_after_kill", after_kill.done);
    RecordProperty("duplicates", duplicates);
    RecordProperty("elapsed_ms", static_cast<int>(elapsed_ms));
    std::cout << "[ crash-fanout ] inboxes reached when killed: " << received_before_kill
              << ", by the first run in all: " << received_first_run << "; queue after the kill: " << after_kill.done
              << " done, " << after_kill.pending << " pending; duplicates: " << duplicates
              << "; POSTs in all: " << reception.posts() << "; " << elapsed_ms << " ms\n";

    EXPECT_TRUE(missing.empty()) << missing.size() << " inboxes never received the Create, e.g. /inbox/"
                                 << missing.front() << "\n"
                                 << server->log_tail();
    EXPECT_EQ(reception.unexpected(), std::vector<std::string>{}) << "requests other than the Create";
    EXPECT_EQ(reception.activity_ids(), std::set<std::string>{activity_id}) << "every inbox gets the one Create";
    EXPECT_EQ(final_state.pending, 0);
    EXPECT_EQ(final_state.done, inbox_count);
    EXPECT_EQ(final_state.dead, 0);
    // Only a job the first run sent but could not mark done is sent again: each inbox at most twice, and no more
    // duplicates than such jobs.
    EXPECT_EQ(more_than_twice, 0);
    EXPECT_LE(duplicates, received_first_run - after_kill.done);

    status = server->signal_and_wait(SIGTERM, 15s);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << describe_status(status);
    if (HasFailure()) std::cout << "fedblog's log (both runs, and the publish commands):\n" << tail_of(log, 20000);
}
