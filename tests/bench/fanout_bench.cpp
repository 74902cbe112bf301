// One post fanned out to many personal inboxes spread over many hosts, by the real server in this process: App
// (temp data and content folders, a real SQLite file, a real key), HttpServer + Router, and Federation (the
// outbound client and the delivery engine). The inboxes are served by tests/bench/fanout_sink.cpp in another
// process (h<k>.test → 127.0.0.1:<port k>). tests/bench/fanout.sh starts the sink, runs this, and prints the
// figures next to `openssl speed rsa2048` sign/s measured in the same run: each delivery is one RSA signature.
//
// Measured from app.sync_content() (which queues one job per follower in the post's transaction) until
// store::Deliveries::count("done") reaches the number of followers, polled every 50 ms, or within 10 ms of the
// engine counting the last one. Meanwhile two GET loops, each on a keep-alive connection, time the in-process
// server's answers: the actor document (no database) and the followers collection (a count under the database
// lock). Also reported: peak RSS, CPU per delivery, the time SQLite spent per statement (SQLITE_TRACE_PROFILE),
// and afterwards, with every job pending again, what one look at the queue costs. Prints "name value" lines; no
// assertion on time.
//
//   bench_fanout --ports FILE [--tls --ca FILE] [--followers 10000] [--hosts 100] [--threads N]
//                [--concurrency N] [--per-host N] [--timeout SECONDS] [--get-interval-ms 10] [--post-bytes 4000]
//                [--get-path PATH] [--get-db-path PATH] [--log-level warn] [--no-sql-profile] [--no-due-analysis]
//                [--keep]
// Exit status 3 when the fan-out did not finish within --timeout (the figures are then those of the part done).
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/log.hpp"
#include "common/time.hpp"
#include "keys/cavage.hpp"
#include "server/app.hpp"
#include "server/federation.hpp"
#include "server/http_server.hpp"
#include "server/router.hpp"
#include "store/deliveries.hpp"
#include "store/followers.hpp"
#include "store/transaction.hpp"

using namespace fedblog;
namespace asio = boost::asio;
namespace beast = boost::beast;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
    std::string ports_file;
    bool tls = false;
    std::string ca_file;
    int followers = 10000;
    int hosts = 100;
    unsigned threads = 0;  // 0: Settings' default (one per core), for the HTTP server and for Federation each
    unsigned concurrency = Settings{}.delivery_concurrency;
    unsigned per_host = Settings{}.delivery_per_host;
    double timeout_seconds = 100;
    int get_interval_ms = 10;  // 0: back to back
    std::string get_path = "/users/blog";             // the actor document: prepared, no database
    std::string get_db_path = "/users/blog/followers";  // counts followers under the database lock; "" for none
    std::size_t post_bytes = 4000;
    std::string log_level = "warn";
    bool sql_profile = true;
    bool analyse_due = true;
    bool keep = false;
};

Options parse(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) throw std::runtime_error(arg + " needs a value");
            return argv[++i];
        };
        if (arg == "--ports") options.ports_file = value();
        else if (arg == "--tls") options.tls = true;
        else if (arg == "--ca") options.ca_file = value();
        else if (arg == "--followers") options.followers = std::stoi(value());
        else if (arg == "--hosts") options.hosts = std::stoi(value());
        else if (arg == "--threads") options.threads = static_cast<unsigned>(std::stoul(value()));
        else if (arg == "--concurrency") options.concurrency = static_cast<unsigned>(std::stoul(value()));
        else if (arg == "--per-host") options.per_host = static_cast<unsigned>(std::stoul(value()));
        else if (arg == "--timeout") options.timeout_seconds = std::stod(value());
        else if (arg == "--get-interval-ms") options.get_interval_ms = std::stoi(value());
        else if (arg == "--get-path") options.get_path = value();
        else if (arg == "--get-db-path") options.get_db_path = value();
        else if (arg == "--post-bytes") options.post_bytes = std::stoul(value());
        else if (arg == "--log-level") options.log_level = value();
        else if (arg == "--no-sql-profile") options.sql_profile = false;
        else if (arg == "--no-due-analysis") options.analyse_due = false;
        else if (arg == "--keep") options.keep = true;
        else throw std::runtime_error("unknown argument " + arg);
    }
    if (options.ports_file.empty()) throw std::runtime_error("--ports FILE is required (written by bench_fanout_sink)");
    if (options.tls && options.ca_file.empty()) throw std::runtime_error("--tls needs --ca FILE");
    return options;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

long status_kb(const char* field) {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(field, 0) == 0) return std::stol(line.substr(std::strlen(field) + 1));
    return -1;
}

// Resets VmHWM to the current RSS (Linux ≥ 4.0), so the peak read later is the fan-out's.
bool reset_peak_rss() {
    std::ofstream clear("/proc/self/clear_refs");
    clear << "5";
    return static_cast<bool>(clear.flush());
}

// Bytes this process passed to read and write system calls (files and sockets), from /proc/self/io.
std::pair<double, double> io_mb() {
    std::ifstream in("/proc/self/io");
    std::string name;
    long long value = 0, read = 0, written = 0;
    while (in >> name >> value) {
        if (name == "rchar:") read = value;
        if (name == "wchar:") written = value;
    }
    return {static_cast<double>(read) / 1048576, static_cast<double>(written) / 1048576};
}

double seconds_of(timeval t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; }
double cpu_seconds(int who) {
    rusage usage{};
    getrusage(who, &usage);
    return seconds_of(usage.ru_utime) + seconds_of(usage.ru_stime);
}

// Per thread of this process: nanoseconds run and nanoseconds spent runnable but waiting for a core
// (/proc/self/task/*/schedstat). Their sum is the CPU the thread wanted: on a machine shared with other work,
// "cores wanted" tells whether fedblog ran out of work or out of cores.
std::unordered_map<std::string, std::pair<double, double>> thread_schedstat() {
    std::unordered_map<std::string, std::pair<double, double>> threads;
    std::error_code error;
    for (const auto& task : std::filesystem::directory_iterator("/proc/self/task", error)) {
        std::ifstream in(task.path() / "schedstat");
        double ran = 0, waited = 0;
        if (in >> ran >> waited) threads[task.path().filename().string()] = {ran / 1e9, waited / 1e9};
    }
    return threads;
}

// Seconds run and seconds waited for a core since `before`, summed over the threads alive at both times.
std::pair<double, double> schedstat_since(const std::unordered_map<std::string, std::pair<double, double>>& before) {
    double ran = 0, waited = 0;
    for (const auto& [tid, now] : thread_schedstat())
        if (auto it = before.find(tid); it != before.end()) {
            ran += now.first - it->second.first;
            waited += now.second - it->second.second;
        }
    return {ran, waited};
}

double since(Clock::time_point start, Clock::time_point end = Clock::now()) {
    return std::chrono::duration<double>(end - start).count();
}

double percentile(std::vector<double> values, double p) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    auto index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
    return values[std::min(index, values.size() - 1)];
}

// Wall time SQLite spent in each statement (SQLITE_TRACE_PROFILE) and the rows it returned (SQLITE_TRACE_ROW), by
// SQL text.
class SqlProfile {
public:
    void attach(SQLite::Database& db) {
        sqlite3_trace_v2(db.getHandle(), SQLITE_TRACE_PROFILE | SQLITE_TRACE_ROW, &SqlProfile::callback, this);
    }
    void detach(SQLite::Database& db) { sqlite3_trace_v2(db.getHandle(), 0, nullptr, nullptr); }
    void print(const char* phase, std::size_t top) {
        std::lock_guard lock(mutex_);
        std::vector<std::pair<std::string, Entry>> rows(by_sql_.begin(), by_sql_.end());
        std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.second.ns > b.second.ns; });
        double total = 0;
        long calls = 0;
        for (const auto& [sql, entry] : rows) total += static_cast<double>(entry.ns) / 1e9, calls += entry.calls;
        std::printf("sql_%s_total_seconds %.3f\n", phase, total);
        std::printf("sql_%s_total_statements %ld\n", phase, calls);
        for (std::size_t i = 0; i < std::min(top, rows.size()); ++i) {
            const auto& [sql, entry] = rows[i];
            std::string shown = sql.substr(0, 90);
            std::replace(shown.begin(), shown.end(), '\n', ' ');
            std::printf("sql_%s_top%zu seconds=%.3f calls=%ld avg_us=%.0f rows=%ld  %s\n", phase, i + 1,
                        static_cast<double>(entry.ns) / 1e9, entry.calls,
                        static_cast<double>(entry.ns) / 1e3 / static_cast<double>(std::max(1L, entry.calls)),
                        entry.rows, shown.c_str());
        }
    }

    struct Sum {
        double seconds = 0;
        long calls = 0;
        long rows = 0;
    };
    // Statements whose SQL contains `part`, together.
    Sum matching(const std::string& part) {
        std::lock_guard lock(mutex_);
        Sum sum;
        for (const auto& [sql, entry] : by_sql_)
            if (sql.find(part) != std::string::npos) {
                sum.seconds += static_cast<double>(entry.ns) / 1e9;
                sum.calls += entry.calls;
                sum.rows += entry.rows;
            }
        return sum;
    }

private:
    struct Entry {
        long calls = 0;
        long long ns = 0;
        long rows = 0;
    };
    static int callback(unsigned type, void* self, void* statement, void* nanoseconds) {
        auto* profile = static_cast<SqlProfile*>(self);
        const char* sql = sqlite3_sql(static_cast<sqlite3_stmt*>(statement));
        std::lock_guard lock(profile->mutex_);
        auto& entry = profile->by_sql_[sql ? sql : "?"];
        if (type == SQLITE_TRACE_ROW) {
            ++entry.rows;
        } else if (type == SQLITE_TRACE_PROFILE) {
            ++entry.calls;
            entry.ns += *static_cast<sqlite3_int64*>(nanoseconds);
        }
        return 0;
    }
    std::mutex mutex_;
    std::unordered_map<std::string, Entry> by_sql_;
};

// Deliveries::count(), then a reset of its statement should it still be active: a statement left mid-result keeps a
// read transaction open on the connection, and the bench's own polls must not pin a WAL snapshot between two looks.
int count_and_release(store::Database& db, const char* state) {
    int count = store::Deliveries(db).count(state);
    std::lock_guard lock(db.mutex());
    for (sqlite3_stmt* statement = sqlite3_next_stmt(db.sqlite().getHandle(), nullptr); statement;
         statement = sqlite3_next_stmt(db.sqlite().getHandle(), statement))
        if (std::strcmp(sqlite3_sql(statement), "SELECT count(*) FROM deliveries WHERE state = ?") == 0)
            sqlite3_reset(statement);
    return count;
}

// Statements the library left active (stepped, neither run to completion nor reset): each holds the connection's
// read transaction open, so no checkpoint can restart the WAL, which then grows with every write.
std::string busy_statements(store::Database& db) {
    std::lock_guard lock(db.mutex());
    std::string list;
    for (sqlite3_stmt* statement = sqlite3_next_stmt(db.sqlite().getHandle(), nullptr); statement;
         statement = sqlite3_next_stmt(db.sqlite().getHandle(), statement))
        if (sqlite3_stmt_busy(statement)) list += std::string(list.empty() ? "" : " | ") + sqlite3_sql(statement);
    return list.empty() ? "none" : list;
}

double time_ms(const std::function<void()>& work, int repeats) {
    auto started = Clock::now();
    for (int i = 0; i < repeats; ++i) work();
    return since(started) * 1000 / repeats;
}

std::string query_plan(SQLite::Database& db, const std::string& sql) {
    SQLite::Statement explain(db, "EXPLAIN QUERY PLAN " + sql);
    std::string plan;
    while (explain.executeStep()) plan += std::string(plan.empty() ? "" : "; ") + explain.getColumn(3).getString();
    return plan;
}

// With the engine stopped, every job pending again: what one look at the queue costs — ready() as the workers
// read it (ids in order, from the partial index), due() (ranked per host, bodies for the few chosen) and
// due_probes() — with every job pending.
void analyse_due(store::Database& db, int limit, int per_host) {
    auto& sqlite = db.sqlite();
    std::lock_guard lock(db.mutex());
    sqlite.exec("UPDATE deliveries SET state = 'pending', claimed_at = NULL, finished_at = NULL");
    store::Deliveries deliveries(db);
    const auto now = now_seconds();
    std::size_t rows = 0, ready_rows = 0;
    double library_ms = time_ms([&] { rows = deliveries.due(now, limit, per_host).size(); }, 3);
    double ready_ms = time_ms([&] { ready_rows = deliveries.ready(now, 4096).size(); }, 3);
    double probes_ms = time_ms([&] { deliveries.due_probes(now, now - 86400); }, 3);
    double count_ms = time_ms([&] { deliveries.count("done"); }, 3);
    std::printf("due_analysis_pending_jobs %d\n", deliveries.count("pending"));
    std::printf("due_analysis_ready_ms %.1f (rows %zu)\n", ready_ms, ready_rows);
    std::printf("due_analysis_library_due_ms %.1f (rows %zu, limit %d, per_host %d)\n", library_ms, rows, limit,
                per_host);
    std::printf("due_analysis_due_probes_ms %.1f\n", probes_ms);
    std::printf("due_analysis_count_done_ms %.2f\n", count_ms);
    std::printf("due_analysis_plan_ready %s\n",
                query_plan(sqlite,
                           "SELECT id, host FROM deliveries WHERE state = 'pending' AND claimed_at IS NULL AND "
                           "next_attempt <= 1 AND host NOT IN (SELECT host FROM hosts WHERE unavailable_since IS NOT "
                           "NULL) ORDER BY next_attempt, id LIMIT 4096")
                    .c_str());
}

// GETs `path` on one keep-alive connection, one request every `interval` (back to back when zero), until told
// to stop; keeps each answer's latency. Two run during the fan-out, printed as "get_*" for --get-path (the actor
// document, answered without the database) and "get_db_*" for --get-db-path (the followers collection, which
// counts followers under the database lock the delivery engine also takes).
class GetLoop {
public:
    GetLoop(unsigned short port, std::string path, std::chrono::milliseconds interval)
        : port_(port), path_(std::move(path)), interval_(interval), thread_([this] { run(); }) {}
    ~GetLoop() { finish(); }

    void finish() {
        stop_ = true;
        if (thread_.joinable()) thread_.join();
    }
    std::vector<double> latencies_ms;  // read after finish()
    long failures = 0;
    long non_200 = 0;
    double cpu_seconds_used = 0;
    double elapsed = 0;

private:
    void run() {
        namespace http = beast::http;
        auto started = Clock::now();
        asio::io_context io;
        std::unique_ptr<asio::ip::tcp::socket> socket;
        beast::flat_buffer buffer;
        auto next = Clock::now();
        while (!stop_) {
            try {
                if (!socket) {
                    socket = std::make_unique<asio::ip::tcp::socket>(io);
                    socket->connect({asio::ip::make_address("127.0.0.1"), port_});
                    socket->set_option(asio::ip::tcp::no_delay(true));
                    buffer.clear();
                }
                http::request<http::empty_body> request{http::verb::get, path_, 11};
                request.set(http::field::host, "localhost:" + std::to_string(port_));
                request.set(http::field::accept, "application/activity+json");
                request.keep_alive(true);
                auto sent = Clock::now();
                http::write(*socket, request);
                http::response<http::string_body> response;
                http::read(*socket, buffer, response);
                latencies_ms.push_back(since(sent) * 1000);
                if (response.result_int() != 200) ++non_200;
                if (!response.keep_alive()) socket.reset();
            } catch (const std::exception&) {
                ++failures;
                socket.reset();
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            }
            if (interval_.count() > 0) {
                next = std::max(next + interval_, Clock::now() - interval_);
                std::this_thread::sleep_until(next);
            }
        }
        cpu_seconds_used = cpu_seconds(RUSAGE_THREAD);
        elapsed = since(started);
    }

    unsigned short port_;
    std::string path_;
    std::chrono::milliseconds interval_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

void print_get(const char* phase, GetLoop& loop) {
    loop.finish();
    std::printf("get_%s_requests %zu\n", phase, loop.latencies_ms.size());
    std::printf("get_%s_rps %.0f\n", phase, static_cast<double>(loop.latencies_ms.size()) / loop.elapsed);
    std::printf("get_%s_failures %ld\n", phase, loop.failures);
    std::printf("get_%s_non_200 %ld\n", phase, loop.non_200);
    std::printf("get_%s_p50_ms %.2f\n", phase, percentile(loop.latencies_ms, 0.50));
    std::printf("get_%s_p99_ms %.2f\n", phase, percentile(loop.latencies_ms, 0.99));
    std::printf("get_%s_max_ms %.2f\n", phase, percentile(loop.latencies_ms, 1.0));
}

// keys::sign_request on one thread, as each delivery signs: RSA-2048 plus the Digest of the body.
double sign_rate(const keys::KeyPair& key, const std::string& body, double seconds) {
    auto started = Clock::now();
    long signatures = 0;
    while (since(started) < seconds) {
        keys::HttpMessage message{"POST", "https", "h0.test:443", "/users/u0/inbox",
                                  {{"host", "h0.test:443"}, {"user-agent", "fedblog bench"},
                                   {"content-type", "application/activity+json"}},
                                  body};
        keys::sign_request(message, key, "http://localhost/users/blog#main-key", keys::default_covered(message),
                           now_seconds());
        ++signatures;
    }
    return static_cast<double>(signatures) / since(started);
}

std::string post_markdown(std::size_t bytes) {
    std::string text = "---\ntitle: Fan-out bench\ndate: 2026-11-20\n---\n";
    const std::string paragraph =
        "Le dérailleur arrière se règle en deux temps : les butées d'abord, la tension du câble ensuite. "
        "On cherche la vis marquée H, on aligne le galet sur le plus petit pignon, puis on remonte. ";
    while (text.size() < bytes) text += paragraph + (text.size() % 3 == 0 ? "\n\n" : "");
    return text + "\n";
}

int run(const Options& options) {
    log::configure(log::parse_level(options.log_level), log::Format::text);

    std::vector<unsigned short> ports;
    {
        std::istringstream lines(read_file(options.ports_file));
        for (std::string line; std::getline(lines, line);)
            if (!line.empty()) ports.push_back(static_cast<unsigned short>(std::stoul(line)));
    }
    if (static_cast<int>(ports.size()) < options.hosts)
        throw std::runtime_error("the sink listens on " + std::to_string(ports.size()) + " ports, fewer than --hosts");
    const std::string scheme = options.tls ? "https" : "http";
    auto host_of = [&](int k) { return "h" + std::to_string(k) + ".test"; };

    char pattern[] = "/tmp/fedblog-fanout-XXXXXX";
    if (!mkdtemp(pattern)) throw std::runtime_error("mkdtemp failed");
    std::filesystem::path work(pattern);
    std::filesystem::create_directories(work / "content");
    struct Cleanup {
        std::filesystem::path path;
        bool keep;
        ~Cleanup() {
            std::error_code ignored;
            if (!keep) std::filesystem::remove_all(path, ignored);
        }
    } cleanup{work, options.keep};

    Settings settings;
    settings.data_dir = (work / "data").string();
    settings.content_dir = (work / "content").string();
    settings.listen = "127.0.0.1:0";
    settings.threads = options.threads;
    settings.delivery_concurrency = options.concurrency;
    settings.delivery_per_host = options.per_host;
    settings.allow_plain_http = !options.tls;

    std::unique_ptr<server::Router> router;
    server::HttpServer http_server("127.0.0.1", 0, server::ServerLimits::from(settings),
                                   [&router](const http::Request& request, const server::Peer& peer) {
                                       return (*router)(request, peer);
                                   });
    const unsigned short port = http_server.port();
    settings.public_url = "http://localhost:" + std::to_string(port);

    server::App app(settings);
    app.sync_content();

    // The followers: one personal inbox each, no shared inbox, spread evenly over the hosts.
    auto insert_started = Clock::now();
    {
        store::Followers followers(app.database());
        store::WriteTransaction transaction(app.database());
        const auto now = now_seconds();
        for (int n = 0; n < options.followers; ++n) {
            int k = n % options.hosts;
            std::string actor = scheme + "://" + host_of(k) + ":" + std::to_string(ports[static_cast<std::size_t>(k)]) +
                                "/users/u" + std::to_string(n);
            store::Follower follower;
            follower.actor_id = actor;
            follower.inbox = actor + "/inbox";
            follower.handle = "u" + std::to_string(n);
            follower.follow_activity_id = actor + "#follows/1";
            follower.accepted = true;
            follower.created_at = now;
            followers.save(follower);
        }
        transaction.commit();
    }
    std::printf("followers %d\n", options.followers);
    std::printf("hosts %d\n", options.hosts);
    std::printf("insert_followers_seconds %.3f\n", since(insert_started));

    // The in-process signing ceiling on one thread, with a body about the size of the post's Create (which carries
    // the HTML twice, content and contentMap, and the Markdown source).
    std::string sample_body(options.post_bytes * 3, 'x');
    std::printf("sign_1_thread_per_second %.0f\n", sign_rate(app.key(), sample_body, 1.0));

    server::SiteHolder site(app.build_site());
    server::FederationTuning tuning;
    tuning.client = transport::ClientOptions::from(settings);
    tuning.client.allow_plain_http = !options.tls;
    tuning.client.address_policy.always_allowed = {asio::ip::make_address("127.0.0.1")};
    for (int k = 0; k < options.hosts; ++k) tuning.client.static_hosts[host_of(k)] = {asio::ip::make_address("127.0.0.1")};
    if (options.tls) tuning.client.extra_ca_pem = read_file(options.ca_file);
    auto federation = std::make_unique<server::Federation>(app, tuning);
    router = std::make_unique<server::Router>(site, app.reader(), federation->inbox_endpoint());
    federation->start();
    std::thread server_thread([&] { http_server.run(false); });

    const unsigned threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
    std::printf("mode %s\n", options.tls ? "tls" : "plain");
    std::printf("threads_http %u\n", threads);
    std::printf("threads_federation %u\n", threads);
    std::printf("delivery_concurrency %u\n", options.concurrency);
    std::printf("delivery_per_host %u\n", options.per_host);

    const auto get_interval = std::chrono::milliseconds(options.get_interval_ms);
    const bool db_loop = !options.get_db_path.empty();
    {
        GetLoop idle(port, options.get_path, get_interval);
        std::optional<GetLoop> idle_db;
        if (db_loop) idle_db.emplace(port, options.get_db_path, get_interval);
        std::this_thread::sleep_for(std::chrono::seconds(2));
        print_get("idle", idle);
        if (idle_db) print_get("db_idle", *idle_db);
    }

    SqlProfile profile;
    if (options.sql_profile) profile.attach(app.database().sqlite());

    std::ofstream(work / "content" / "fanout-bench.md", std::ios::binary) << post_markdown(options.post_bytes);
    const long rss_before_kb = status_kb("VmRSS:");
    const bool peak_reset = reset_peak_rss();
    const auto sched_before = thread_schedstat();  // before the GET loops start: their threads are left out
    const double cpu_before = cpu_seconds(RUSAGE_SELF);
    const auto io_before = io_mb();

    GetLoop busy(port, options.get_path, get_interval);
    std::optional<GetLoop> busy_db;
    if (db_loop) busy_db.emplace(port, options.get_db_path, get_interval);
    store::Deliveries deliveries(app.database());
    const auto& counters = federation->deliveries().counters();
    const std::uint64_t delivered_before = counters.delivered;

    const auto started = Clock::now();
    auto report = app.sync_content([&] { federation->wake_deliveries(); });
    const double queue_seconds = since(started);
    const int done_at_queue = count_and_release(app.database(), "done");
    const int jobs = count_and_release(app.database(), "pending") + done_at_queue + count_and_release(app.database(), "dead");

    // Progress: when each tenth of the jobs was done, and how many were in flight at each look.
    std::vector<double> decile_seconds;
    double in_flight_sum = 0, awaiting_commit_sum = 0;
    long looks = 0;
    int done = done_at_queue;
    bool timed_out = false;
    double counters_done_seconds = 0;
    // Deliveries counted by the engine per 100 ms (its atomic counter, read every 10 ms: no database), to show
    // the ramp at the start and the tail at the end apart from the steady rate.
    std::vector<std::uint64_t> per_tenth;
    auto sample_timeline = [&] {
        const auto tenth = static_cast<std::size_t>(since(started) * 10);
        if (per_tenth.size() <= tenth) per_tenth.resize(tenth + 1, per_tenth.empty() ? 0 : per_tenth.back());
        per_tenth[tenth] = counters.delivered - delivered_before;
    };
    while (done < jobs) {
        // The store is asked every 50 ms, or at once when the engine's counter says the last job is committed:
        // the end is then seen within 10 ms, not up to 50 ms late.
        for (int i = 0; i < 5; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
            sample_timeline();
            if (counters.delivered - delivered_before >= static_cast<std::uint64_t>(jobs - done_at_queue)) break;
        }
        done = count_and_release(app.database(), "done");
        // Requests under way (what delivery_concurrency bounds), and answered jobs awaiting their group commit.
        const int requests = federation->deliveries().requests_in_flight();
        in_flight_sum += requests;
        awaiting_commit_sum += std::max(0, federation->deliveries().in_flight() - requests);
        ++looks;
        if (counters_done_seconds == 0 && counters.delivered - delivered_before >= static_cast<std::uint64_t>(jobs))
            counters_done_seconds = since(started);
        while (decile_seconds.size() < 10 && done >= jobs * static_cast<int>(decile_seconds.size() + 1) / 10)
            decile_seconds.push_back(since(started));
        if (since(started) > options.timeout_seconds) {
            timed_out = true;
            break;
        }
    }
    const double elapsed = since(started);
    const auto [sched_ran, sched_waited] = schedstat_since(sched_before);
    const double cpu_used = cpu_seconds(RUSAGE_SELF) - cpu_before;
    const long peak_kb = status_kb("VmHWM:");
    const auto io_after = io_mb();
    if (options.sql_profile) profile.detach(app.database().sqlite());
    busy.finish();
    if (busy_db) busy_db->finish();
    const double get_cpu = busy.cpu_seconds_used + (busy_db ? busy_db->cpu_seconds_used : 0.0);
    // Read after the fan-out: listing the queue newest first sorts every job (13 ms for 10,000, under the database
    // lock the engine needs to claim its first jobs).
    std::size_t body_bytes = 0;
    if (auto sample = deliveries.list("", "", 1); !sample.empty()) body_bytes = sample.front().body.size();

    std::printf("post_created %zu\n", report.created.size());
    std::printf("jobs_queued %d\n", jobs);
    std::printf("activity_body_bytes %zu\n", body_bytes);
    std::printf("queue_seconds %.3f\n", queue_seconds);
    std::printf("done %d\n", done);
    std::printf("dead %d\n", count_and_release(app.database(), "dead"));
    std::printf("pending %d\n", count_and_release(app.database(), "pending"));
    std::printf("engine_delivered %llu\n", static_cast<unsigned long long>(counters.delivered - delivered_before));
    std::printf("engine_retried %llu\n", static_cast<unsigned long long>(counters.retried.load()));
    std::printf("engine_dead %llu\n", static_cast<unsigned long long>(counters.dead.load()));
    std::printf("timed_out %d\n", timed_out ? 1 : 0);
    std::printf("fanout_seconds %.3f\n", elapsed);
    std::printf("deliveries_per_second %.1f\n", static_cast<double>(done - done_at_queue) / elapsed);
    std::printf("deliveries_per_second_after_queueing %.1f\n",
                static_cast<double>(done - done_at_queue) / std::max(1e-9, elapsed - queue_seconds));
    std::printf("engine_counters_done_seconds %.3f\n", counters_done_seconds);
    std::string deciles;
    for (std::size_t i = 0; i < decile_seconds.size(); ++i)
        deciles += (i ? " " : "") + std::to_string((i + 1) * 10) + "%:" + std::to_string(decile_seconds[i]).substr(0, 5);
    std::printf("progress_seconds %s\n", deciles.c_str());
    std::string timeline;
    for (std::size_t i = 0; i < per_tenth.size(); ++i)
        timeline += (i ? " " : "") + std::to_string(per_tenth[i] - (i ? per_tenth[i - 1] : 0));
    std::printf("delivered_per_100ms %s\n", timeline.c_str());
    std::printf("average_in_flight %.1f\n", looks ? in_flight_sum / static_cast<double>(looks) : 0.0);
    std::printf("average_awaiting_commit %.1f\n", looks ? awaiting_commit_sum / static_cast<double>(looks) : 0.0);
    std::printf("cpu_seconds %.2f\n", cpu_used);
    std::printf("cpu_seconds_get_loops %.2f\n", get_cpu);
    std::printf("cpu_ms_per_delivery %.3f\n", (cpu_used - get_cpu) * 1000 / std::max(1, done - done_at_queue));
    std::printf("cpu_cores_busy %.2f\n", (cpu_used - get_cpu) / elapsed);
    // Cores fedblog's threads wanted: ran plus waited runnable for a core taken by another process (or by one
    // another of its own threads). Below the core count on a busy machine means fedblog ran out of work.
    std::printf("cpu_cores_wanted %.2f\n", (sched_ran + sched_waited) / elapsed);
    std::printf("cpu_runnable_wait_seconds %.2f\n", sched_waited);
    // SQLite's reads and writes (database, WAL, the temporary files of its sorter) plus the sockets' bytes.
    std::printf("io_read_mb %.0f\n", io_after.first - io_before.first);
    std::printf("io_written_mb %.0f\n", io_after.second - io_before.second);
    std::printf("rss_before_fanout_mb %.1f\n", static_cast<double>(rss_before_kb) / 1024);
    std::printf("peak_rss_mb %.1f\n", static_cast<double>(peak_kb) / 1024);
    std::printf("peak_rss_is_fanout_only %d\n", peak_reset ? 1 : 0);
    std::printf("rss_after_fanout_mb %.1f\n", static_cast<double>(status_kb("VmRSS:")) / 1024);
    std::error_code no_db;
    auto db_bytes = std::filesystem::file_size(work / "data" / "fedblog.db", no_db);
    std::printf("db_mb_after_fanout %.1f\n", no_db ? 0.0 : static_cast<double>(db_bytes) / 1048576);
    std::error_code no_wal;
    auto wal_bytes = std::filesystem::file_size(work / "data" / "fedblog.db-wal", no_wal);
    std::printf("wal_mb_after_fanout %.1f\n", no_wal ? 0.0 : static_cast<double>(wal_bytes) / 1048576);
    std::printf("statements_left_active %s\n", busy_statements(app.database()).c_str());
    // Since the server opened the database: on the checkpoint thread, and inline by a committer (WAL past bound).
    std::printf("wal_checkpoints thread=%ld inline=%ld\n", app.database().checkpointer().runs(),
                app.database().checkpointer().inline_runs());
    {
        // What a checkpoint can do now: frames in the WAL, and how many of them it could copy into the database
        // (all of them unless a read transaction, such as a statement left active, pins an older snapshot).
        std::lock_guard lock(app.database().mutex());
        SQLite::Statement checkpoint(app.database().sqlite(), "PRAGMA wal_checkpoint(PASSIVE)");
        if (checkpoint.executeStep())
            std::printf("wal_checkpoint_passive busy=%d frames=%d checkpointed=%d\n", checkpoint.getColumn(0).getInt(),
                        checkpoint.getColumn(1).getInt(), checkpoint.getColumn(2).getInt());
    }
    print_get("fanout", busy);
    if (busy_db) print_get("db_fanout", *busy_db);
    if (options.sql_profile) {
        profile.print("fanout", 8);
        // The looks at the queue: Deliveries::ready() (ids in order, once per poll or wake) and due_probes(). Ids
        // read beyond those launched were already queued in the engine's memory.
        const double queue_looks = profile.matching("SELECT id, host, next_attempt FROM deliveries").seconds +
                                   profile.matching("ROW_NUMBER() OVER").seconds;
        const long offered = profile.matching("SELECT id, host, next_attempt FROM deliveries").rows;
        const long claims = profile.matching("UPDATE deliveries SET claimed_at = ?").calls;
        std::printf("sql_fanout_queue_look_seconds %.3f\n", queue_looks);
        std::printf("due_rows_offered %ld\n", offered);
        std::printf("due_rows_offered_per_job_launched %.2f\n",
                    static_cast<double>(offered) / static_cast<double>(std::max(1L, claims)));
        std::printf("cpu_ms_per_delivery_outside_queue_looks %.3f\n",
                    (cpu_used - get_cpu - queue_looks) * 1000 / std::max(1, done - done_at_queue));
    }
    std::fflush(stdout);

    http_server.stop();
    server_thread.join();
    federation->stop(std::chrono::seconds(2));
    federation.reset();
    if (options.analyse_due) {
        analyse_due(app.database(), static_cast<int>(options.concurrency), static_cast<int>(options.per_host));
        std::fflush(stdout);
    }
    log::flush();
    return timed_out ? 3 : 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(parse(argc, argv));
    } catch (const std::exception& e) {
        std::cerr << "bench_fanout: " << e.what() << "\n";
        return 2;
    }
}
