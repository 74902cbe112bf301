// The traffic of tests/bench/soak.sh, against a `fedblog serve` process the script started: for --seconds,
// reader GETs (the actor, an Article, an outbox page, a post's HTML page, WebFinger) on keep-alive connections,
// and signed inbox POSTs (replies, Likes, Follows) from --actors actors on --hosts plain-HTTP remote instances on
// loopback (tests/support/fake_instance.hpp, which also serves their actor documents and takes the Accepts). At
// --publish-at seconds a new post is written into the content folder and --publish-command run: fedblog fans it
// out to the --followers written into the database beforehand, whose inboxes are on bench_fanout_sink's ports.
// Meanwhile fedblog's VmRSS is read every --sample-seconds.
//
// Prints per traffic class: requests, requests/s, p50/p99/max latency and errors (any answer but 2xx/3xx, or a
// broken connection); the fan-out's jobs, duration and deliveries/s; the RSS series and a verdict comparing the
// last third's average to the middle third's. Exit status 1 when well-formed traffic got an error or the fan-out
// did not finish, 3 when memory grew (more than 10% and 4 MB from the middle third to the last).
//
//   bench_soak --port P --pid PID --data-dir DIR --content-dir DIR --sink-ports FILE --publish-command CMD
//              [--seconds 180] [--publish-at seconds/3] [--followers 3000] [--actors 400] [--hosts 4]
//              [--readers 4] [--reader-rate 100] [--posters 2] [--poster-rate 25] [--sample-seconds 5]
// Rates are per thread, per second (0: as fast as the answers come).
#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "store/database.hpp"
#include "store/followers.hpp"
#include "store/transaction.hpp"
#include "tests/support/fake_instance.hpp"
#include "tests/support/http_client.hpp"

using namespace fedblog;
using fedblog::testing::FakeInstance;
using fedblog::testing::HttpClient;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
    unsigned short port = 0;
    int pid = 0;
    std::string data_dir, content_dir, sink_ports, publish_command;
    double seconds = 180;
    double publish_at = -1;  // default: a third of the run
    int followers = 3000;
    int actors = 400;
    int hosts = 4;
    int readers = 4;
    double reader_rate = 100;
    int posters = 2;
    double poster_rate = 25;
    double sample_seconds = 5;
};

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) throw std::runtime_error(arg + " needs a value");
            return argv[++i];
        };
        if (arg == "--port") o.port = static_cast<unsigned short>(std::stoi(value()));
        else if (arg == "--pid") o.pid = std::stoi(value());
        else if (arg == "--data-dir") o.data_dir = value();
        else if (arg == "--content-dir") o.content_dir = value();
        else if (arg == "--sink-ports") o.sink_ports = value();
        else if (arg == "--publish-command") o.publish_command = value();
        else if (arg == "--seconds") o.seconds = std::stod(value());
        else if (arg == "--publish-at") o.publish_at = std::stod(value());
        else if (arg == "--followers") o.followers = std::stoi(value());
        else if (arg == "--actors") o.actors = std::stoi(value());
        else if (arg == "--hosts") o.hosts = std::stoi(value());
        else if (arg == "--readers") o.readers = std::stoi(value());
        else if (arg == "--reader-rate") o.reader_rate = std::stod(value());
        else if (arg == "--posters") o.posters = std::stoi(value());
        else if (arg == "--poster-rate") o.poster_rate = std::stod(value());
        else if (arg == "--sample-seconds") o.sample_seconds = std::stod(value());
        else throw std::runtime_error("unknown argument " + arg);
    }
    if (!o.port || !o.pid || o.data_dir.empty() || o.content_dir.empty() || o.sink_ports.empty() ||
        o.publish_command.empty())
        throw std::runtime_error("--port, --pid, --data-dir, --content-dir, --sink-ports and --publish-command are required");
    if (o.publish_at < 0) o.publish_at = o.seconds / 3;
    return o;
}

// Latencies and errors of one traffic class, merged from every thread at the end.
struct ClassStats {
    long requests = 0;
    std::vector<float> latencies_ms;  // of the answered ones
    long errors = 0;
    std::vector<std::string> first_errors;

    void error(std::string what) {
        ++errors;
        if (first_errors.size() < 3) first_errors.push_back(std::move(what));
    }
    void merge(const ClassStats& other) {
        requests += other.requests;
        latencies_ms.insert(latencies_ms.end(), other.latencies_ms.begin(), other.latencies_ms.end());
        errors += other.errors;
        for (const auto& e : other.first_errors)
            if (first_errors.size() < 3) first_errors.push_back(e);
    }
};

class Results {
public:
    void merge(const std::map<std::string, ClassStats>& local) {
        std::lock_guard lock(mutex_);
        for (const auto& [name, stats] : local) classes_[name].merge(stats);
    }
    std::map<std::string, ClassStats> take() {
        std::lock_guard lock(mutex_);
        return std::move(classes_);
    }

private:
    std::mutex mutex_;
    std::map<std::string, ClassStats> classes_;
};

float percentile(std::vector<float>& sorted, double p) {
    if (sorted.empty()) return 0;
    auto index = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
    return sorted[std::min(index, sorted.size() - 1)];
}

double since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// Sleeps until the next slot of a fixed-rate schedule (none at rate 0); late slots are not made up in a burst.
class Pacer {
public:
    explicit Pacer(double rate) : interval_(rate > 0 ? 1.0 / rate : 0), next_(Clock::now()) {}
    void wait() {
        if (interval_ <= 0) return;
        next_ += std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(interval_));
        const auto now = Clock::now();
        if (next_ > now) std::this_thread::sleep_until(next_);
        else next_ = now;
    }

private:
    double interval_;
    Clock::time_point next_;
};

bool good(unsigned status) { return status >= 200 && status < 400; }

long rss_kb(int pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);)
        if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
    return -1;
}

std::string first_post_slug(unsigned short port) {
    HttpClient client(port);
    auto page = json::parse(client.get_activity("/users/blog/outbox?page=1").body(), nullptr, false);
    if (page.is_object() && page.contains("orderedItems"))
        for (const auto& item : page["orderedItems"])
            if (item.is_object() && item.contains("object") && item["object"].is_object()) {
                std::string id = item["object"].value("id", "");
                auto at = id.find("/posts/");
                if (at != std::string::npos) return id.substr(at + 7);
            }
    throw std::runtime_error("no post in the outbox's first page");
}

struct Actor {
    FakeInstance* instance;
    std::string id;
};

}  // namespace

int main(int argc, char** argv) {
    Options o;
    try {
        o = parse(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "bench_soak: " << e.what() << "\n";
        return 2;
    }
    const std::string public_url = "http://localhost:" + std::to_string(o.port);
    const std::string blog = public_url + "/users/blog";
    const std::string slug = first_post_slug(o.port);
    const std::string post_url = public_url + "/posts/" + slug;

    // The remote instances and their actors (shared inboxes, as Mastodon's).
    std::vector<std::unique_ptr<FakeInstance>> instances;
    for (int h = 0; h < o.hosts; ++h) instances.push_back(std::make_unique<FakeInstance>(FakeInstance::PlainHttp{}));
    std::vector<Actor> actors;
    for (int a = 0; a < o.actors; ++a) {
        auto& instance = *instances[static_cast<std::size_t>(a % o.hosts)];
        actors.push_back({&instance, instance.add_actor("u" + std::to_string(a), "127.0.0.1")});
    }

    // The followers the fan-out goes to, one personal inbox each on the sink's ports.
    std::vector<std::string> sink_ports;
    {
        std::ifstream in(o.sink_ports);
        for (std::string line; std::getline(in, line);)
            if (!line.empty()) sink_ports.push_back(line);
    }
    if (sink_ports.empty()) {
        std::cerr << "bench_soak: no port in " << o.sink_ports << "\n";
        return 2;
    }
    const auto database = std::filesystem::path(o.data_dir) / "fedblog.db";
    {
        store::Database db(database);
        store::Followers followers(db);
        store::WriteTransaction transaction(db);
        for (int n = 0; n < o.followers; ++n) {
            const std::string origin = "http://127.0.0.1:" + sink_ports[static_cast<std::size_t>(n) % sink_ports.size()];
            store::Follower follower;
            follower.actor_id = origin + "/users/f" + std::to_string(n);
            follower.inbox = follower.actor_id + "/inbox";
            follower.handle = "f" + std::to_string(n) + "@127.0.0.1";
            follower.follow_activity_id = follower.actor_id + "#follow";
            follower.accepted = true;
            follower.created_at = 1700000000 + n;
            followers.save(follower);
        }
        transaction.commit();
    }

    const auto start = Clock::now();
    const auto end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.seconds));
    Results results;
    std::atomic<long> sequence{0};

    std::vector<std::thread> threads;
    const std::vector<std::pair<std::string, std::string>> reads = {
        {"get_actor", "/users/blog"},
        {"get_article", "/posts/" + slug},
        {"get_outbox", "/users/blog/outbox?page=1"},
        {"get_post_page", "/posts/" + slug},
        {"get_webfinger", "/.well-known/webfinger?resource=acct:blog@localhost:" + std::to_string(o.port)}};
    for (int r = 0; r < o.readers; ++r)
        threads.emplace_back([&, r] {
            std::map<std::string, ClassStats> local;
            Pacer pacer(o.reader_rate);
            std::unique_ptr<HttpClient> client;
            for (std::size_t n = static_cast<std::size_t>(r); Clock::now() < end; ++n) {
                pacer.wait();
                const auto& [name, target] = reads[n % reads.size()];
                testing::Headers headers;
                if (name == "get_post_page") headers = {{"Accept", "text/html"}};
                else if (name != "get_webfinger") headers = {{"Accept", "application/activity+json"}};
                ++local[name].requests;
                const auto sent = Clock::now();
                try {
                    if (!client) client = std::make_unique<HttpClient>(o.port);
                    auto reply = client->get(target, headers);
                    local[name].latencies_ms.push_back(static_cast<float>(since(sent) * 1000));
                    if (!good(reply.result_int()))
                        local[name].error(std::to_string(reply.result_int()) + " " + target + ": " + reply.body().substr(0, 200));
                    if (!reply.keep_alive()) client.reset();
                } catch (const std::exception& e) {
                    local[name].error(std::string("connection: ") + e.what());
                    client.reset();
                }
            }
            results.merge(local);
        });

    for (int p = 0; p < o.posters; ++p)
        threads.emplace_back([&, p] {
            std::map<std::string, ClassStats> local;
            Pacer pacer(o.poster_rate);
            for (std::size_t n = static_cast<std::size_t>(p); Clock::now() < end; n += static_cast<std::size_t>(o.posters)) {
                pacer.wait();
                const long unique = sequence.fetch_add(1);
                const Actor& actor = actors[static_cast<std::size_t>(unique) % actors.size()];
                const std::string id = actor.id + "/activities/" + std::to_string(unique);
                std::string name;
                json activity;
                switch (n % 5) {
                    case 0:
                    case 1: {
                        name = "post_reply";
                        const std::string note = actor.id + "/statuses/" + std::to_string(unique);
                        activity = {{"@context", "https://www.w3.org/ns/activitystreams"},
                                    {"id", note + "/activity"},
                                    {"type", "Create"},
                                    {"actor", actor.id},
                                    {"to", {"https://www.w3.org/ns/activitystreams#Public"}},
                                    {"cc", {actor.id + "/followers", blog}},
                                    {"object", FakeInstance::note(note, actor.id, post_url,
                                                                  "<p>Merci pour ce billet, <em>vraiment</em> utile.</p>",
                                                                  {{"cc", {actor.id + "/followers", blog}}})}};
                        break;
                    }
                    case 2:
                    case 3:
                        name = "post_like";
                        activity = {{"@context", "https://www.w3.org/ns/activitystreams"},
                                    {"id", id}, {"type", "Like"}, {"actor", actor.id}, {"object", post_url}};
                        break;
                    default:
                        name = "post_follow";
                        activity = {{"@context", "https://www.w3.org/ns/activitystreams"},
                                    {"id", id}, {"type", "Follow"}, {"actor", actor.id}, {"object", blog}};
                }
                ++local[name].requests;
                const auto sent = Clock::now();
                try {
                    auto reply = actor.instance->post_signed(o.port, "/users/blog/inbox", activity, actor.id + "#main-key");
                    local[name].latencies_ms.push_back(static_cast<float>(since(sent) * 1000));
                    if (!good(reply.result_int()))
                        local[name].error(std::to_string(reply.result_int()) + " " + activity.value("id", "") + ": " +
                                          reply.body().substr(0, 200));
                } catch (const std::exception& e) {
                    local[name].error(std::string("connection: ") + e.what());
                }
            }
            results.merge(local);
        });

    // Memory, and the fan-out's progress once published.
    std::vector<std::pair<double, long>> rss;
    double published_at = -1, fanout_done_at = -1, publish_seconds = 0;
    int fanout_jobs = 0, fanout_pending = -1, fanout_dead = 0, publish_status = -1;
    std::string create_id;
    auto next_sample = start;
    for (;;) {
        const auto now = Clock::now();
        if (now >= next_sample) {
            rss.emplace_back(since(start), rss_kb(o.pid));
            next_sample += std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.sample_seconds));
        }
        if (published_at < 0 && since(start) >= o.publish_at) {
            published_at = since(start);
            const auto file = std::filesystem::path(o.content_dir) / "posts" / "soak-fan-out.md";
            std::filesystem::create_directories(file.parent_path());
            std::ofstream(file) << "---\ntitle: \"Soak fan-out\"\ndate: 2026-11-25 10:00\n---\n\n"
                                << "This post goes to every follower while the soak runs.\n";
            publish_status = std::system(o.publish_command.c_str());
            publish_seconds = since(start) - published_at;
            try {
                SQLite::Database db(database.string(), SQLite::OPEN_READONLY);
                SQLite::Statement find(db, "SELECT activity_id FROM delivery_bodies WHERE body LIKE '%\"type\":\"Create\"%' "
                                           "AND body LIKE '%/posts/soak-fan-out%' LIMIT 1");
                if (find.executeStep()) create_id = find.getColumn(0).getString();
            } catch (const std::exception& e) {
                std::cerr << "bench_soak: reading the queue: " << e.what() << "\n";
            }
        }
        if (!create_id.empty() && fanout_done_at < 0) {
            try {
                SQLite::Database db(database.string(), SQLite::OPEN_READONLY);
                SQLite::Statement count(db, "SELECT count(*), coalesce(sum(state = 'pending'), 0), "
                                            "coalesce(sum(state = 'dead'), 0) FROM deliveries WHERE activity_id = ?");
                count.bind(1, create_id);
                if (count.executeStep()) {
                    fanout_jobs = count.getColumn(0).getInt();
                    fanout_pending = count.getColumn(1).getInt();
                    fanout_dead = count.getColumn(2).getInt();
                    if (fanout_pending == 0) fanout_done_at = since(start);
                }
            } catch (const std::exception& e) {
                std::cerr << "bench_soak: reading the queue: " << e.what() << "\n";
            }
        }
        if (now >= end) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    for (auto& thread : threads) thread.join();
    const double elapsed = since(start);

    int status = 0;
    auto classes = results.take();
    std::printf("%-14s %9s %9s %9s %9s %9s %7s\n", "class", "requests", "per_s", "p50_ms", "p99_ms", "max_ms", "errors");
    long total_errors = 0;
    for (auto& [name, stats] : classes) {
        std::sort(stats.latencies_ms.begin(), stats.latencies_ms.end());
        std::printf("%-14s %9ld %9.1f %9.2f %9.2f %9.2f %7ld\n", name.c_str(), stats.requests,
                    static_cast<double>(stats.requests) / elapsed, static_cast<double>(percentile(stats.latencies_ms, 0.5)),
                    static_cast<double>(percentile(stats.latencies_ms, 0.99)),
                    static_cast<double>(stats.latencies_ms.empty() ? 0 : stats.latencies_ms.back()), stats.errors);
        total_errors += stats.errors;
        for (const auto& e : stats.first_errors) std::printf("  error: %s\n", e.c_str());
    }
    std::printf("errors in all: %ld\n", total_errors);
    if (total_errors) status = 1;

    if (create_id.empty()) {
        std::printf("fan-out: publish at %.0f s exited with %d and queued no Create\n", published_at, publish_status);
        status = 1;
    } else if (fanout_done_at < 0) {
        std::printf("fan-out: %d jobs queued at %.0f s (publish took %.1f s), %d still pending at the end, %d dead\n",
                    fanout_jobs, published_at, publish_seconds, fanout_pending, fanout_dead);
        status = 1;
    } else {
        const double took = fanout_done_at - published_at;
        std::printf("fan-out: %d jobs queued at %.0f s (publish took %.1f s), all done %.1f s later: %.0f deliveries/s "
                    "(±0.25 s), %d dead\n",
                    fanout_jobs, published_at, publish_seconds, took, fanout_jobs / took, fanout_dead);
        if (fanout_dead) status = 1;
    }
    long accepts = 0;
    for (const auto& instance : instances)
        for (const auto& delivery : instance->deliveries()) accepts += delivery.body.value("type", "") == "Accept";
    std::printf("Accepts received by the remote instances: %ld\n", accepts);

    std::printf("fedblog VmRSS (MB) every %.0f s:", o.sample_seconds);
    for (const auto& [at, kb] : rss) std::printf(" %.1f", static_cast<double>(kb) / 1024);
    std::printf("\n");
    const std::size_t third = rss.size() / 3;
    if (third == 0) {
        std::printf("memory: too few samples for a verdict\n");
    } else {
        auto average = [&rss](std::size_t from, std::size_t to) {
            double sum = 0;
            for (std::size_t i = from; i < to; ++i) sum += static_cast<double>(rss[i].second);
            return sum / static_cast<double>(to - from) / 1024;
        };
        const double middle = average(third, 2 * third), last = average(rss.size() - third, rss.size());
        const bool grew = last > middle * 1.10 && last - middle > 4;
        std::printf("memory: middle third %.1f MB, last third %.1f MB (%+.1f%%): %s\n", middle, last,
                    (last / middle - 1) * 100, grew ? "GROWING" : "flat");
        if (grew && status == 0) status = 3;
    }
    return status;
}
