// Crash safety as an operator relies on it: `fedblog serve` is SIGKILLed at random moments, some thirty times,
// while remote instances send it signed Follows and replies and while it delivers Accepts and the fan-out of new
// posts; it is restarted each time. After every kill the database passes PRAGMA integrity_check; at the end every
// activity that got a 202 is in the database, and every delivery queued has reached its inbox and is done.
// The kill delays come from a seeded generator: the seed is printed, and CRASH_SAFETY_SEED=<seed> replays them.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/comments.hpp"
#include "store/database.hpp"
#include "store/deliveries.hpp"
#include "store/followers.hpp"
#include "store/transaction.hpp"
#include "tests/support/fake_instance.hpp"
#include "tests/support/fedblog_process.hpp"
#include "tests/support/serve_process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/tls_test_server.hpp"

using namespace fedblog::testing;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

constexpr int instance_count = 3;
constexpr int actors_per_instance = 30;  // each follows once: one Accept per actor
constexpr int replies_per_actor = 3;
// Followers written into the database before the first start, their inboxes on slow sinks: each publish queues a
// fan-out that lasts about a second (450 inboxes, 3 sinks answering one at a time), so kills land in the middle.
constexpr int sink_count = 3;
constexpr int seeded_per_sink = 150;
constexpr auto sink_delay = 6ms;
constexpr int publishes = 6;

int setting(const char* name, int fallback) {
    const char* value = std::getenv(name);
    return value && *value ? std::atoi(value) : fallback;
}

// What reached which inbox: inbox URL → the ids of the activities it received (any number of times).
class Receptions {
public:
    void add(const std::string& inbox, const std::string& activity_id) {
        std::lock_guard lock(mutex_);
        received_[inbox].insert(activity_id);
    }
    bool has(const std::string& inbox, const std::string& activity_id) const {
        std::lock_guard lock(mutex_);
        auto found = received_.find(inbox);
        return found != received_.end() && found->second.contains(activity_id);
    }

private:
    mutable std::mutex mutex_;
    std::map<std::string, std::set<std::string>> received_;
};

// One activity a remote actor sends the blog, until it is answered 202.
struct Outgoing {
    FakeInstance* instance;
    std::string actor;
    json activity;
};

struct Accepted {
    std::string type, actor, id, object_id;  // object_id: the Note of a reply
    std::string reason;
    std::chrono::steady_clock::time_point at;
};

// Sends the queued activities one after another, each signed by its actor; whatever is not answered 202 (the
// server is down, or died while answering) goes to the back of the queue and is sent again, as remote servers
// retry. Keeps going until stop() and an empty queue.
class Sender {
public:
    Sender(unsigned short port, std::deque<Outgoing> queue) : port_(port), queue_(std::move(queue)) {
        thread_ = std::thread([this] { run(); });
    }
    ~Sender() {
        stop_ = true;
        give_up_ = true;
        thread_.join();
    }
    void finish() { stop_ = true; }
    bool done() const { return done_; }
    std::vector<Accepted> accepted() const {
        std::lock_guard lock(mutex_);
        return accepted_;
    }
    int attempts() const { return attempts_; }
    std::vector<std::string> refusals() const {
        std::lock_guard lock(mutex_);
        return refusals_;
    }

private:
    void run() {
        while (!give_up_ && !queue_.empty()) {
            Outgoing next = std::move(queue_.front());
            queue_.pop_front();
            ++attempts_;
            bool ok = false;
            try {
                auto reply = next.instance->post_signed(port_, "/users/blog/inbox", next.activity, next.actor + "#main-key");
                if (reply.result_int() == 202) {
                    ok = true;
                    auto answer = json::parse(reply.body(), nullptr, false);
                    Accepted done{next.activity["type"].get<std::string>(), next.actor, next.activity["id"].get<std::string>(),
                                  next.activity["object"].is_object() ? next.activity["object"].value("id", "") : "",
                                  answer.is_object() ? answer.value("reason", "") : "", std::chrono::steady_clock::now()};
                    std::lock_guard lock(mutex_);
                    accepted_.push_back(std::move(done));
                } else if (reply.result_int() != 503) {
                    // 503 is the server saying "not now"; anything else is kept to fail the test with.
                    std::lock_guard lock(mutex_);
                    refusals_.push_back(std::to_string(reply.result_int()) + " for " + next.activity.value("id", "") +
                                        ": " + reply.body());
                }
            } catch (const std::exception&) {
                // Refused or cut off by the kill: sent again later.
            }
            if (!ok) {
                queue_.push_back(std::move(next));
                std::this_thread::sleep_for(20ms);
            } else if (!stop_) {
                std::this_thread::sleep_for(15ms);  // spread the traffic over the kills
            }
        }
        done_ = queue_.empty();
    }

    unsigned short port_;
    std::deque<Outgoing> queue_;  // only the sender's thread touches it
    std::atomic<bool> stop_{false}, give_up_{false}, done_{false};
    std::atomic<int> attempts_{0};
    mutable std::mutex mutex_;
    std::vector<Accepted> accepted_;
    std::vector<std::string> refusals_;
    std::thread thread_;
};

json follow(const std::string& actor, const std::string& id, const std::string& blog) {
    return {{"@context", "https://www.w3.org/ns/activitystreams"},
            {"id", id}, {"type", "Follow"}, {"actor", actor}, {"object", blog}};
}

json reply(const std::string& actor, const std::string& note_id, const std::string& post, const std::string& blog) {
    const json note = FakeInstance::note(note_id, actor, post, "<p>Réponse " + note_id + "</p>",
                                         {{"cc", {actor + "/followers", blog}}});
    return {{"@context", "https://www.w3.org/ns/activitystreams"},
            {"id", note_id + "/activity"},
            {"type", "Create"},
            {"actor", actor},
            {"published", "2026-11-20T10:00:00Z"},
            {"to", {"https://www.w3.org/ns/activitystreams#Public"}},
            {"cc", {actor + "/followers", blog}},
            {"object", note}};
}

// PRAGMA integrity_check's verdict ("ok"), and the deliveries left pending.
std::pair<std::string, int> inspect(const std::filesystem::path& file) {
    SQLite::Database db(file.string(), SQLite::OPEN_READWRITE);
    return {db.execAndGet("PRAGMA integrity_check").getString(),
            db.execAndGet("SELECT count(*) FROM deliveries WHERE state = 'pending'").getInt()};
}

}  // namespace

TEST(CrashSafety, SigkillsWhileTakingTrafficAndDeliveringLoseNothing) {
    const auto started = std::chrono::steady_clock::now();
    const int cycles = setting("CRASH_SAFETY_CYCLES", 30);
    const unsigned seed = static_cast<unsigned>(setting("CRASH_SAFETY_SEED", static_cast<int>(std::random_device{}() >> 1)));
    std::cout << "[ crash-safety ] seed " << seed << " (CRASH_SAFETY_SEED=" << seed << " replays it), " << cycles
              << " kills\n";
    RecordProperty("seed", static_cast<int>(seed));
    std::mt19937 random(seed);

    TempDir dir;
    const std::filesystem::path data = dir / "data";
    const std::filesystem::path log = dir / "fedblog.log";
    const std::filesystem::path database = data / "fedblog.db";
    dir.write("content/posts/premier.md", "---\ntitle: \"Premier\"\ndate: 2026-11-20 10:00\n---\n\nÀ commenter.\n");

    const unsigned short port = free_loopback_port();
    const std::string public_url = "http://localhost:" + std::to_string(port);
    const std::string blog = public_url + "/users/blog";
    const std::vector<std::string> settings{
        "--data-dir", data.string(), "--content-dir", (dir / "content").string(),
        "--listen", "127.0.0.1:" + std::to_string(port), "--public-url", public_url,
        "--allow-private-addresses", "--allow-plain-http", "--delivery-concurrency", "16", "--delivery-per-host", "4",
        "--threads", "2", "--log-level", "info"};
    auto command = [&settings](const std::string& name) {
        std::vector<std::string> words{name};
        words.insert(words.end(), settings.begin(), settings.end());
        return words;
    };

    // The remote side: instances whose actors follow and reply, and sinks for the seeded followers.
    Receptions receptions;
    std::vector<std::unique_ptr<FakeInstance>> instances;
    for (int i = 0; i < instance_count; ++i) instances.push_back(std::make_unique<FakeInstance>(FakeInstance::PlainHttp{}));
    std::vector<std::unique_ptr<TestServer>> sinks;
    for (int i = 0; i < sink_count; ++i)
        sinks.push_back(std::make_unique<TestServer>(std::nullopt, [&receptions](const TestRequest& request) {
            std::this_thread::sleep_for(sink_delay);
            auto body = json::parse(request.body(), nullptr, false);
            if (body.is_object() && body.contains("id") && body["id"].is_string())
                receptions.add("http://" + std::string(request[boost::beast::http::field::host]) +
                                   std::string(request.target()),
                               body["id"]);
            TestReply accepted;
            accepted.status = 202;
            return accepted;
        }));

    int status = run_fedblog_to_end(command("publish"), log);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << describe_status(status) << "\n" << tail_of(log);
    std::vector<std::string> seeded_inboxes;
    {
        fedblog::store::Database db(database);
        fedblog::store::Followers followers(db);
        fedblog::store::WriteTransaction transaction(db);
        for (int n = 0; n < sink_count * seeded_per_sink; ++n) {
            const std::string origin = "http://127.0.0.1:" + std::to_string(sinks[n % sink_count]->port());
            fedblog::store::Follower follower;
            follower.actor_id = origin + "/users/s" + std::to_string(n);
            follower.inbox = origin + "/inbox/" + std::to_string(n);
            follower.handle = "s" + std::to_string(n) + "@127.0.0.1";
            follower.follow_activity_id = origin + "/follows/" + std::to_string(n);
            follower.accepted = true;
            follower.created_at = 1700000000 + n;
            followers.save(follower);
            seeded_inboxes.push_back(follower.inbox);
        }
        transaction.commit();
    }

    // Every actor follows, then replies a few times; the Follows come first so that the fan-outs reach them.
    std::deque<Outgoing> traffic;
    std::vector<std::pair<FakeInstance*, std::string>> actors;
    for (auto& instance : instances)
        for (int a = 0; a < actors_per_instance; ++a) {
            // Personal inboxes only: each follower is one delivery of each fan-out.
            std::string actor = instance->add_actor("a" + std::to_string(a), "127.0.0.1", false);
            actors.emplace_back(instance.get(), actor);
            traffic.push_back({instance.get(), actor, follow(actor, actor + "#follows/1", blog)});
        }
    for (int r = 0; r < replies_per_actor; ++r)
        for (auto& [instance, actor] : actors)
            traffic.push_back({instance, actor,
                               reply(actor, actor + "/statuses/" + std::to_string(r), public_url + "/posts/premier", blog)});
    const std::size_t planned = traffic.size();

    // Publishes happen while the server runs, at these kill cycles; each remembers who had followed by then.
    std::set<int> publish_cycles;
    for (int p = 1; p <= publishes; ++p) publish_cycles.insert(cycles * p / (publishes + 1));
    struct Publication {
        std::string post_url;
        std::set<std::string> followers_before;  // actors whose Follow had been answered 202
    };
    std::vector<Publication> publications;

    std::unique_ptr<Sender> sender;
    std::vector<int> delays_ms;
    int kills_mid_delivery = 0;  // with deliveries still pending
    for (int cycle = 0; cycle < cycles; ++cycle) {
        FedblogProcess server(command("serve"), log);
        ASSERT_TRUE(wait_until_serving(server, port)) << "cycle " << cycle;
        if (!sender) {
            auto actor = json::parse(HttpClient(port).get_activity("/users/blog").body());
            const std::string pem = actor["publicKey"]["publicKeyPem"];
            for (auto& instance : instances) instance->trust_blog_key(blog + "#main-key", pem);
            sender = std::make_unique<Sender>(port, std::move(traffic));
        }
        if (publish_cycles.contains(cycle)) {
            Publication publication;
            const std::string slug = "billet-" + std::to_string(publications.size() + 1);
            publication.post_url = public_url + "/posts/" + slug;
            for (const auto& accepted : sender->accepted())
                if (accepted.type == "Follow") publication.followers_before.insert(accepted.actor);
            dir.write("content/posts/" + slug + ".md",
                      "---\ntitle: \"" + slug + "\"\ndate: 2026-11-2" + std::to_string(publications.size() + 1) +
                          " 10:00\n---\n\nUn billet pour tous.\n");
            status = run_fedblog_to_end(command("publish"), log);
            ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << describe_status(status) << "\n" << tail_of(log);
            publications.push_back(std::move(publication));
        }
        const int delay = std::uniform_int_distribution<int>(30, 1200)(random);
        delays_ms.push_back(delay);
        std::this_thread::sleep_for(std::chrono::milliseconds(delay));
        ASSERT_FALSE(server.poll()) << "fedblog serve ended on its own in cycle " << cycle << ":\n" << server.log_tail();
        status = server.signal_and_wait(SIGKILL, 5s);
        ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << describe_status(status);
        const auto [check, left] = inspect(database);
        kills_mid_delivery += left > 0;
        ASSERT_EQ(check, "ok") << "after kill " << cycle << " (" << delay << " ms after serving; seed " << seed << ")";
    }

    // A last start: the remaining traffic goes in, and the queue drains.
    FedblogProcess server(command("serve"), log);
    ASSERT_TRUE(wait_until_serving(server, port));
    sender->finish();
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    int pending = -1;
    while (std::chrono::steady_clock::now() < deadline && !server.poll()) {
        if (sender->done()) {
            fedblog::store::Database db(database);
            pending = fedblog::store::Deliveries(db).count("pending");
            if (pending == 0) break;
        }
        std::this_thread::sleep_for(100ms);
    }
    ASSERT_FALSE(server.poll()) << "fedblog serve ended on its own:\n" << server.log_tail();
    ASSERT_TRUE(sender->done()) << "activities still unanswered after 60 s:\n" << server.log_tail();
    status = server.signal_and_wait(SIGTERM, 15s);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << describe_status(status);
    EXPECT_EQ(inspect(database).first, "ok");

    // The FakeInstances' receptions join the sinks'.
    for (auto& instance : instances)
        for (const auto& delivery : instance->deliveries()) {
            EXPECT_TRUE(delivery.verified) << delivery.path << ": " << delivery.failure;
            if (delivery.body.is_object() && delivery.body.contains("id") && delivery.body["id"].is_string())
                receptions.add(instance->origin("127.0.0.1") + delivery.path, delivery.body["id"]);
        }

    const auto accepted = sender->accepted();
    EXPECT_EQ(sender->refusals(), std::vector<std::string>{});
    EXPECT_EQ(accepted.size(), planned) << "every activity is answered 202 in the end";
    fedblog::store::Database db(database);
    fedblog::store::Followers followers(db);
    fedblog::store::Comments comments(db);
    fedblog::store::Deliveries deliveries(db);
    int lost = 0;
    for (const auto& activity : accepted) {
        if (activity.type == "Follow") {
            auto follower = followers.find(activity.actor);
            if (!follower || !follower->accepted || follower->follow_activity_id != activity.id) {
                ++lost;
                ADD_FAILURE() << "Follow " << activity.id << " answered 202 (" << activity.reason << ") is not a follower";
            }
        } else if (!comments.find_by_object_id(activity.object_id)) {
            ++lost;
            ADD_FAILURE() << "reply " << activity.object_id << " answered 202 (" << activity.reason << ") is not a comment";
        }
    }

    // The queue: all done, and each job's activity is at its inbox.
    EXPECT_EQ(deliveries.count("pending"), 0);
    EXPECT_EQ(deliveries.count("dead"), 0);
    const auto done = deliveries.list("done", "", 1000000);
    int undelivered = 0;
    for (const auto& job : done)
        if (!receptions.has(job.inbox, job.activity_id) && ++undelivered <= 5)
            ADD_FAILURE() << "job " << job.id << " is done but " << job.inbox << " never got " << job.activity_id;
    EXPECT_EQ(undelivered, 0);
    // Independently of the queue: each follower got an Accept of its Follow...
    int accepts_seen = 0;
    for (const auto& [instance, actor] : actors) {
        auto follower = followers.find(actor);
        if (!follower) continue;
        bool found = false;
        for (const auto& delivery : instance->deliveries())
            found = found || (delivery.path == actor.substr(instance->origin("127.0.0.1").size()) + "/inbox" &&
                              delivery.body.value("type", "") == "Accept" && delivery.body["object"].is_object() &&
                              delivery.body["object"].value("id", "") == follower->follow_activity_id);
        accepts_seen += found;
        EXPECT_TRUE(found) << actor << " never got the Accept of its Follow";
    }
    // ...and each post reached every seeded follower and every actor whose Follow was in before it was published.
    for (const auto& publication : publications) {
        std::string create_id;
        for (const auto& job : done)
            if (job.body.find(publication.post_url) != std::string::npos &&
                json::parse(job.body, nullptr, false).value("type", "") == "Create") {
                create_id = job.activity_id;
                break;
            }
        ASSERT_FALSE(create_id.empty()) << "no Create queued for " << publication.post_url;
        int missing = 0;
        for (const auto& inbox : seeded_inboxes) missing += !receptions.has(inbox, create_id);
        for (const auto& actor : publication.followers_before) missing += !receptions.has(actor + "/inbox", create_id);
        EXPECT_EQ(missing, 0) << create_id << " missed " << missing << " inboxes";
    }

    const auto elapsed_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
    RecordProperty("elapsed_ms", static_cast<int>(elapsed_ms));
    RecordProperty("deliveries_done", static_cast<int>(done.size()));
    RecordProperty("kills_mid_delivery", kills_mid_delivery);
    std::cout << "[ crash-safety ] " << cycles << " kills (" << kills_mid_delivery << " with deliveries pending), "
              << accepted.size() << " activities answered 202 after "
              << sender->attempts() << " attempts, " << done.size() << " deliveries done, " << accepts_seen
              << " Accepts received, " << publications.size() << " fan-outs to " << seeded_inboxes.size()
              << "+ inboxes; lost " << lost << "; " << elapsed_ms << " ms\n";
    if (HasFailure()) {
        std::cout << "kill delays (ms):";
        for (int delay : delays_ms) std::cout << ' ' << delay;
        std::cout << "\nfedblog's log:\n" << tail_of(log, 20000);
    }
}
