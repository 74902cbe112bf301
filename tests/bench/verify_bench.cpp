// Verifications per second of a realistic signed inbox POST — header parse, Digest over the body, the
// policy's checks, RSA-2048 verify — on one and on two threads. tests/bench/verify.sh prints it next to
// `openssl speed rsa2048` measured in the same run: the ceiling, since each verification is one RSA verify.
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "common/time.hpp"
#include "keys/cavage.hpp"
#include "keys/key_pair.hpp"
#include "keys/signature_policy.hpp"

using namespace fedblog;

namespace {

// The shape of a Mastodon reply delivered to a blog (docs/mastodon.md), about 2 KB.
std::string reply_body() {
    std::string content(1200, 'a');
    return R"({"@context":["https://www.w3.org/ns/activitystreams",{"ostatus":"http://ostatus.org#"}],)"
           R"("id":"https://m.example/users/alice/statuses/115512345678901234/activity","type":"Create",)"
           R"("actor":"https://m.example/users/alice","published":"2026-11-20T10:00:00Z",)"
           R"("to":["https://www.w3.org/ns/activitystreams#Public"],"cc":["https://m.example/users/alice/followers"],)"
           R"("object":{"id":"https://m.example/users/alice/statuses/115512345678901234","type":"Note",)"
           R"("inReplyTo":"https://blog.example/posts/hello","content":"<p>)" +
           content + R"(</p>"}})";
}

keys::HttpMessage signed_request(const keys::KeyPair& key, const std::string& body, std::int64_t now) {
    keys::HttpMessage request;
    request.method = "POST";
    request.scheme = "https";
    request.authority = "blog.example";
    request.target = "/users/blog/inbox";
    request.headers = {{"host", "blog.example"},
                       {"user-agent", "Mastodon/4.5.2 (http.rb/5.2.0; +https://m.example/)"},
                       {"content-type", "application/activity+json"}};
    request.body = body;
    keys::sign_request(request, key, "https://m.example/users/alice#main-key", keys::default_covered(request), now);
    return request;
}

// User CPU seconds of the calling thread: what `openssl speed` divides by unless given -elapsed.
double thread_user_seconds() {
    rusage usage{};
    getrusage(RUSAGE_THREAD, &usage);
    return static_cast<double>(usage.ru_utime.tv_sec) + static_cast<double>(usage.ru_utime.tv_usec) / 1e6;
}

struct Rate {
    double per_second;      // wall clock: what the machine delivered, load from other processes included
    double per_cpu_second;  // per user CPU second of the workers: comparable with `openssl speed` on a busy machine
};

// Runs `threads` workers for `seconds`, each verifying the same request.
Rate measure(unsigned threads, double seconds, const keys::HttpMessage& request, EVP_PKEY* public_key,
               std::int64_t now) {
    std::atomic<bool> stop{false};
    std::atomic<long> total{0};
    std::atomic<long> failures{0};
    std::atomic<long> cpu_microseconds{0};
    std::vector<std::thread> workers;
    auto started = std::chrono::steady_clock::now();
    for (unsigned t = 0; t < threads; ++t)
        workers.emplace_back([&] {
            long done = 0;
            const double cpu_start = thread_user_seconds();
            while (!stop.load(std::memory_order_relaxed)) {
                auto claim = keys::read_signature(request, now);
                auto* ok = std::get_if<keys::SignatureClaim>(&claim);
                if (!ok || !keys::verify_signature(*ok, public_key).verified()) failures.fetch_add(1);
                ++done;
            }
            total.fetch_add(done);
            cpu_microseconds.fetch_add(static_cast<long>((thread_user_seconds() - cpu_start) * 1e6));
        });
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    stop = true;
    for (auto& worker : workers) worker.join();
    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (failures) std::fprintf(stderr, "verify_bench: %ld verifications FAILED\n", failures.load());
    const double cpu = static_cast<double>(cpu_microseconds.load()) / 1e6;
    return {static_cast<double>(total) / elapsed, cpu > 0 ? static_cast<double>(total) / cpu : 0};
}

}  // namespace

int main(int argc, char** argv) {
    double seconds = argc > 1 ? std::stod(argv[1]) : 5;
    keys::KeyPair key = keys::KeyPair::generate_rsa();
    std::int64_t now = now_seconds();
    std::string body = reply_body();
    keys::HttpMessage request = signed_request(key, body, now);
    // The inbox keeps parsed public keys in memory (parsing a PEM costs ~17 verifications): so does this.
    const Rate one = measure(1, seconds, request, key.get(), now);
    const Rate two = measure(2, seconds, request, key.get(), now);
    std::printf("verify_1_thread %.0f\n", one.per_second);
    std::printf("verify_2_threads %.0f\n", two.per_second);
    std::printf("verify_per_cpu_second_1_thread %.0f\n", one.per_cpu_second);
    std::printf("verify_per_cpu_second_2_threads %.0f\n", two.per_cpu_second);
}
