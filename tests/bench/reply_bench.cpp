// Signed replies per second accepted by the real inbox and stored as comments — media type, JSON, activity
// shape, signature (policy, cached key, RSA-2048 verify), dedupe, sanitize, SQLite write (grouped by the
// inbox's writer: several replies per commit) — next to
// verifying the same requests only, both on the same threads in the same run. tests/bench/reply.sh prints
// the ratio (target: at least 0.5).
//
// In process, no sockets: the Inbox reads keys from the remote-actor cache of a real SQLite file in a temp
// folder, filled beforehand as if each author had been fetched. Every request is signed before timing
// starts, each a distinct reply (its own activity and object id) by one of --actors authors, all followers.
//
//   bench_reply [--replies 20000] [--actors 16] [--threads 2] [--in-flight 64] [--sentences 3] [--log-level warn]
// Also prints the CPU µs per reply of the inbox's stages measured alone on one thread (stage_*_us): JSON
// (guard, parse, shape), the signature (header, digest, RSA verify), the reply's content (sanitize).
// Prints "name value" lines; exit status 1 when a reply was not stored as a comment.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <unistd.h>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <time.h>
#include <vector>

#include "activitypub/inbox/inbox.hpp"
#include "activitypub/inbox/replies.hpp"
#include "common/json_guard.hpp"
#include "activitypub/remote/document_fetcher.hpp"
#include "activitypub/remote/key_directory.hpp"
#include "activitypub/transport/http_client.hpp"
#include "common/log.hpp"
#include "common/time.hpp"
#include "keys/cavage.hpp"
#include "keys/key_pair.hpp"
#include "keys/signature_policy.hpp"
#include "store/comments.hpp"
#include "store/database.hpp"
#include "store/followers.hpp"
#include "store/posts.hpp"
#include "store/remote_actors.hpp"

using namespace fedblog;
namespace asio = boost::asio;

namespace {

struct Options {
    int replies = 20000;
    int actors = 16;
    unsigned threads = 2;
    int in_flight = 64;
    int sentences = 3;  // of the reply's text: 3 make a typical answer of about 350 bytes of HTML
    std::string log_level = "warn";
};

Options parse(int argc, char** argv) {
    Options options;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string name = argv[i], value = argv[i + 1];
        if (name == "--replies") options.replies = std::stoi(value);
        else if (name == "--actors") options.actors = std::stoi(value);
        else if (name == "--threads") options.threads = static_cast<unsigned>(std::stoi(value));
        else if (name == "--in-flight") options.in_flight = std::stoi(value);
        else if (name == "--sentences") options.sentences = std::stoi(value);
        else if (name == "--log-level") options.log_level = value;
    }
    return options;
}

struct Author {
    std::string id;
    keys::KeyPair key;
};

// A Mastodon-shaped reply (docs/mastodon.md): a mention of the blog, then `sentences` sentences with some markup.
std::string reply_body(const Author& author, int n, const std::string& post_url, int sentences) {
    const std::string status = author.id + "/statuses/" + std::to_string(1000000 + n);
    // Single-quoted attributes: the HTML sits inside a JSON string.
    const std::string mention = "<span class='h-card'><a href='https://blog.example/users/blog' "
                                "class='u-url mention'>@<span>blog</span></a></span>";
    std::string text;
    for (int i = 0; i < sentences; ++i)
        text += " Merci pour ce billet, <em>vraiment</em> utile : on a réparé <strong>trois vélos</strong>.";
    return R"({"@context":["https://www.w3.org/ns/activitystreams",{"ostatus":"http://ostatus.org#","sensitive":"as:sensitive"}],)"
           R"("id":")" + status + R"(/activity","type":"Create","actor":")" + author.id +
           R"(","published":"2026-11-20T10:00:00Z","to":["https://www.w3.org/ns/activitystreams#Public"],)"
           R"("cc":[")" + author.id + R"(/followers","https://blog.example/users/blog"],)"
           R"("object":{"id":")" + status + R"(","type":"Note","summary":null,"inReplyTo":")" + post_url +
           R"(","published":"2026-11-20T10:00:00Z","url":"https://m.example/@a/)" + std::to_string(n) +
           R"(","attributedTo":")" + author.id +
           R"(","to":["https://www.w3.org/ns/activitystreams#Public"],"cc":[")" + author.id +
           R"(/followers","https://blog.example/users/blog"],"sensitive":false,"content":"<p>)" + mention + text +
           R"(</p>","contentMap":{"fr":"<p>…</p>"},"attachment":[],"tag":[{"type":"Mention",)"
           R"("href":"https://blog.example/users/blog","name":"@blog@blog.example"}]}})";
}

// `body` must outlive the request: the message only views it, as the server's does the received bytes.
activitypub::inbox::InboxRequest signed_request(const Author& author, const std::string& body, std::int64_t now) {
    activitypub::inbox::InboxRequest request;
    request.message.method = "POST";
    request.message.scheme = "https";
    request.message.authority = "blog.example";
    request.message.target = "/inbox";
    request.message.headers = {{"host", "blog.example"},
                               {"user-agent", "Mastodon/4.5.2 (http.rb/5.2.0; +https://m.example/)"},
                               {"content-type", "application/activity+json"}};
    request.message.body = body;
    keys::sign_request(request.message, author.key, author.id + "#main-key",
                       keys::default_covered(request.message), now);
    request.content_type = "application/activity+json";
    request.client = "127.0.0.1";
    return request;
}

// CPU seconds of the whole process (every thread): on a machine shared with other work, CPU time per reply
// is steadier than the wall clock, and its ratio is what two free cores would give.
double process_cpu_seconds() {
    timespec now{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

// The inbox's stages one by one on this thread, over every request: CPU µs per reply each.
void stage_costs(const std::vector<activitypub::inbox::InboxRequest>& requests,
                 const std::map<std::string, EVP_PKEY*>& keys_by_id, std::int64_t now) {
    using activitypub::inbox::IncomingActivity;
    std::vector<IncomingActivity> activities;
    activities.reserve(requests.size());
    double started = process_cpu_seconds();
    for (const auto& request : requests) {
        if (check_untrusted_json(request.message.body)) std::abort();
        auto read = activitypub::inbox::read_activity(activitypub::Json::parse(request.message.body, nullptr, false));
        activities.push_back(std::get<IncomingActivity>(std::move(read)));
    }
    const double json = process_cpu_seconds() - started;
    started = process_cpu_seconds();
    for (const auto& request : requests) {
        auto claim = keys::read_signature(request.message, now);
        auto* ok = std::get_if<keys::SignatureClaim>(&claim);
        if (!ok || !keys::verify_signature(*ok, keys_by_id.at(ok->key_id)).verified()) std::abort();
    }
    const double signature = process_cpu_seconds() - started;
    started = process_cpu_seconds();
    std::size_t bytes = 0;
    for (const auto& activity : activities) bytes += activitypub::inbox::prepare_reply(activity, {})->html.size();
    const double content = process_cpu_seconds() - started;
    started = process_cpu_seconds();
    activities.clear();
    const double release = process_cpu_seconds() - started;
    const double per_reply = 1e6 / static_cast<double>(requests.size());
    std::printf("stage_json_us %.1f\nstage_signature_us %.1f\nstage_sanitize_us %.1f\nstage_free_json_us %.1f\n",
                json * per_reply, signature * per_reply, content * per_reply, release * per_reply);
    if (bytes == 0) std::abort();
}

// Verification alone, as the inbox would do it with the key in memory: the ceiling the full path compares to.
double verify_only(const std::vector<activitypub::inbox::InboxRequest>& requests,
                   const std::map<std::string, EVP_PKEY*>& keys_by_id, unsigned threads, std::int64_t now) {
    std::atomic<std::size_t> next{0};
    std::atomic<long> failures{0};
    std::vector<std::thread> workers;
    auto started = std::chrono::steady_clock::now();
    for (unsigned t = 0; t < threads; ++t)
        workers.emplace_back([&] {
            for (std::size_t i; (i = next.fetch_add(1)) < requests.size();) {
                auto claim = keys::read_signature(requests[i].message, now);
                auto* ok = std::get_if<keys::SignatureClaim>(&claim);
                if (!ok || !keys::verify_signature(*ok, keys_by_id.at(ok->key_id)).verified()) failures.fetch_add(1);
            }
        });
    for (auto& worker : workers) worker.join();
    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (failures) std::fprintf(stderr, "bench_reply: %ld verifications FAILED\n", failures.load());
    return static_cast<double>(requests.size()) / elapsed;
}

}  // namespace

int main(int argc, char** argv) {
    Options options = parse(argc, argv);
    log::configure(log::parse_level(options.log_level), log::Format::text);
    const auto folder = std::filesystem::temp_directory_path() / ("fedblog-bench-reply-" + std::to_string(getpid()));
    std::filesystem::create_directories(folder);
    int status = 0;
    {
        store::Database db(folder / "fedblog.db");
        const std::int64_t now = now_seconds();
        activitypub::Ids ids("https://blog.example", "blog");

        store::Post post;
        post.slug = "atelier";
        post.source_path = "atelier.md";
        post.source_hash = "h";
        post.title = "L'atelier du jeudi";
        post.summary_html = "<p>Résumé</p>";
        post.content_html = "<p>Texte</p>";
        post.language = "fr";
        post.published = now - 3600;
        store::Posts(db).insert(post);

        std::vector<Author> authors;
        std::map<std::string, EVP_PKEY*> keys_by_id;
        for (int a = 0; a < options.actors; ++a) {
            Author author{"https://m" + std::to_string(a % 4) + ".example/users/u" + std::to_string(a),
                          keys::KeyPair::generate_rsa()};
            store::RemoteActor actor;
            actor.id = author.id;
            actor.inbox = author.id + "/inbox";
            actor.handle = "u" + std::to_string(a) + "@m.example";
            actor.display_name = "Utilisateur " + std::to_string(a);
            actor.key_id = author.id + "#main-key";
            actor.public_key_pem = author.key.public_pem();
            actor.fetched_at = now;
            store::RemoteActors(db).save(actor);
            store::Follower follower;
            follower.actor_id = author.id;
            follower.inbox = actor.inbox;
            follower.follow_activity_id = author.id + "#follow";
            follower.accepted = true;
            follower.created_at = now;
            store::Followers(db).save(follower);
            authors.push_back(std::move(author));
        }
        for (const auto& author : authors) keys_by_id[author.id + "#main-key"] = author.key.get();

        std::vector<std::string> bodies;
        std::vector<activitypub::inbox::InboxRequest> requests;
        bodies.reserve(static_cast<std::size_t>(options.replies));
        requests.reserve(static_cast<std::size_t>(options.replies));
        for (int n = 0; n < options.replies; ++n) {
            const Author& author = authors[static_cast<std::size_t>(n) % authors.size()];
            bodies.push_back(reply_body(author, n, ids.post("atelier"), options.sentences));
            requests.push_back(signed_request(author, bodies.back(), now));
        }
        std::printf("replies %d\nbody_bytes %zu\nthreads %u\n", options.replies, requests.front().message.body.size(),
                    options.threads);

        stage_costs(requests, keys_by_id, now);
        const double verify_cpu_started = process_cpu_seconds();
        const double verify_rate = verify_only(requests, keys_by_id, options.threads, now);
        const double verify_cpu = process_cpu_seconds() - verify_cpu_started;

        asio::io_context io;
        transport::ClientOptions client_options;
        client_options.public_url = "https://blog.example";
        transport::HttpClient client(io.get_executor(), client_options);  // never used: every key is cached
        transport::BeforeSend no_signature;
        activitypub::remote::KeyDirectory directory(client, db, no_signature, {}, [now] { return now; });
        activitypub::remote::DocumentFetcher fetcher(client, no_signature);
        // The default comment policy: a wave this fast from a few actors trips the rate signals, so most
        // replies are held — stored all the same, which is what is measured.
        activitypub::inbox::Inbox inbox(db, ids, directory, fetcher, {}, [now] { return now; }, [] {});

        std::atomic<std::size_t> next{0};
        std::atomic<long> stored{0};
        std::atomic<long> other{0};
        std::string first_other;
        std::mutex first_other_mutex;
        auto worker = [&]() -> asio::awaitable<void> {
            for (std::size_t i; (i = next.fetch_add(1)) < requests.size();) {
                auto answer = co_await inbox.receive(requests[i]);
                if (answer.status == 202 && (answer.reason == "comment_added" || answer.reason == "comment_held")) {
                    stored.fetch_add(1);
                } else if (other.fetch_add(1) == 0) {
                    std::lock_guard lock(first_other_mutex);
                    first_other = std::to_string(answer.status) + " " + answer.reason + ": " + answer.detail;
                }
            }
        };
        auto started = std::chrono::steady_clock::now();
        const double inbox_cpu_started = process_cpu_seconds();
        const double writer_cpu_started = inbox.writer().cpu_seconds();
        for (int k = 0; k < options.in_flight; ++k) asio::co_spawn(io, worker(), asio::detached);
        std::vector<std::thread> threads;
        for (unsigned t = 0; t < options.threads; ++t) threads.emplace_back([&io] { io.run(); });
        for (auto& thread : threads) thread.join();
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        const double inbox_cpu = process_cpu_seconds() - inbox_cpu_started;
        const double writer_cpu = inbox.writer().cpu_seconds() - writer_cpu_started;
        const double inbox_rate = static_cast<double>(options.replies) / elapsed;

        const auto held = store::Comments(db).recent("", options.replies + 1).size();
        std::printf("verify_only_per_s %.0f\ninbox_stored_per_s %.0f\nratio %.2f\nstored %ld\ncomments_in_db %zu\n",
                    verify_rate, inbox_rate, inbox_rate / verify_rate, stored.load(), held);
        // The inbox's group commit: how many SQLite commits the replies took.
        const std::size_t commits = inbox.writer().groups_committed();
        std::printf("commits %zu\nreplies_per_commit %.1f\n", commits,
                    commits ? static_cast<double>(inbox.writer().activities_written()) / static_cast<double>(commits) : 0.0);
        const double per_reply = 1e6 / static_cast<double>(options.replies);
        std::printf("verify_cpu_us_per_reply %.1f\ninbox_cpu_us_per_reply %.1f\ncpu_ratio %.2f\n", verify_cpu * per_reply,
                    inbox_cpu * per_reply, verify_cpu / inbox_cpu);
        // Of which the single group writer (SQLite: statements, commits) and the io threads (the rest).
        std::printf("writer_cpu_us_per_reply %.1f\nio_cpu_us_per_reply %.1f\n", writer_cpu * per_reply,
                    (inbox_cpu - writer_cpu) * per_reply);
        if (other) {
            std::fprintf(stderr, "bench_reply: %ld replies not stored; first: %s\n", other.load(), first_other.c_str());
            status = 1;
        }
        if (held != static_cast<std::size_t>(options.replies)) status = 1;
    }
    std::filesystem::remove_all(folder);
    return status;
}
