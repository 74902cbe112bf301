// Cross-checks our RFC 9421 signatures against an independent implementation, the npm package
// http-message-signatures, driven through tests/interop-9421/sign_verify.js.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "keys/rfc9421.hpp"
#include "tests/support/temp_dir.hpp"

extern char** environ;

using namespace fedblog::keys;
using namespace fedblog::keys::rfc9421;
using fedblog::testing::TempDir;

namespace {

const std::filesystem::path interop_dir = std::filesystem::path(FEDBLOG_SOURCE_DIR) / "tests/interop-9421";

struct NodeRun {
    int exit_code;
    std::string output;
};

class Fd {
public:
    explicit Fd(int fd = -1) : fd_(fd) {}
    ~Fd() { reset(); }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }
    void reset() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

private:
    int fd_;
};

// Runs `node sign_verify.js args...` without a shell (header values hold quotes and spaces).
NodeRun run_node(const std::vector<std::string>& args) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    Fd read_end(fds[0]), write_end(fds[1]);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, write_end.get(), STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, write_end.get(), STDERR_FILENO);
    std::vector<std::string> words{"node", (interop_dir / "sign_verify.js").string()};
    words.insert(words.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& word : words) argv.push_back(word.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    const int spawned = posix_spawnp(&pid, "node", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0)
        throw std::runtime_error("cannot run node (is Node.js 18+ installed?): " + std::string(strerror(spawned)));
    write_end.reset();
    std::string output;
    char buffer[4096];
    for (ssize_t n; (n = ::read(read_end.get(), buffer, sizeof buffer)) != 0;) {
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) break;
        output.append(buffer, static_cast<std::size_t>(n));
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

std::vector<std::string> command(std::string name, std::vector<std::string> args) {
    args.insert(args.begin(), std::move(name));
    return args;
}

class Rfc9421Interop : public ::testing::Test {
protected:
    void SetUp() override {
        if (!std::filesystem::exists(interop_dir / "node_modules/http-message-signatures/package.json"))
            FAIL() << "the independent implementation is not installed: run `npm ci --prefix tests/interop-9421`";
    }

    std::string write(const std::string& name, std::string_view content) {
        dir_.write(name, content);
        return (dir_ / name).string();
    }

    // The request as sign_verify.js arguments: method, URL, every header, the body.
    std::vector<std::string> request_arguments(const HttpMessage& message) {
        std::vector<std::string> args{"--method", message.method, "--url",
                                      message.scheme + "://" + message.authority + message.target};
        for (const auto& [name, value] : message.headers) args.insert(args.end(), {"--header", name + ": " + value});
        args.insert(args.end(), {"--body-file", write("body", message.body)});
        return args;
    }

    TempDir dir_;
};

std::string read_vector(const std::string& name) {
    std::ifstream in(std::string(FEDBLOG_SOURCE_DIR) + "/tests/vectors/rfc9421/" + name, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

struct Key {
    std::string name;
    KeyPair pair;
    std::string alg;
};

std::vector<Key> keys() {
    std::vector<Key> all;
    all.push_back({"fresh RSA", KeyPair::generate_rsa(), "rsa-v1_5-sha256"});
    all.push_back({"test-key-ed25519", KeyPair::from_private_pem(read_vector("test-key-ed25519.pem")), "ed25519"});
    all.push_back(
        {"test-key-ecc-p256", KeyPair::from_private_pem(read_vector("test-key-ecc-p256.pem")), "ecdsa-p256-sha256"});
    return all;
}

// Owns the body the HttpMessage views.
struct Request {
    std::string body;
    HttpMessage message;
};

std::unique_ptr<Request> inbox_post() {
    auto request = std::make_unique<Request>();
    request->body =
        R"({"@context":"https://www.w3.org/ns/activitystreams","type":"Follow","actor":"https://blog.example/users/blog"})";
    request->message = {"POST",
                        "https",
                        "mastodon.example",
                        "/users/alice/inbox?page=1&x=a%20b",
                        {{"host", "mastodon.example"},
                         {"date", "Tue, 14 Nov 2023 22:13:20 GMT"},
                         {"content-type", "application/activity+json"}},
                        request->body};
    return request;
}

const std::vector<std::string> wide_components{"@method", "@target-uri",    "@authority",   "@scheme", "@path",
                                               "@query",  "content-digest", "content-type", "date"};

}  // namespace

TEST_F(Rfc9421Interop, OurSignaturesVerifyThere) {
    for (const Key& key : keys()) {
        for (const auto& components : {std::vector<std::string>{}, wide_components}) {
            auto request = inbox_post();
            ASSERT_FALSE(sign_request(request->message, key.pair,
                                      {"https://blog.example/users/blog#main-key", 1'700'000'000, components}));
            auto args = request_arguments(request->message);
            args.insert(args.end(), {"--key-file", write("public.pem", key.pair.public_pem()), "--alg", key.alg});
            const NodeRun run = run_node(command("verify", args));
            EXPECT_EQ(run.output, "verified\n") << key.name << ", " << components.size() << " components";
            EXPECT_EQ(run.exit_code, 0) << key.name;

            // And the cross-check is not a rubber stamp.
            request->message.method = "PUT";
            auto tampered = request_arguments(request->message);
            tampered.insert(tampered.end(),
                            {"--key-file", write("public.pem", key.pair.public_pem()), "--alg", key.alg});
            EXPECT_EQ(run_node(command("verify", tampered)).exit_code, 1) << key.name;
        }
    }
}

TEST_F(Rfc9421Interop, OurGetSignaturesVerifyThere) {
    const KeyPair key = KeyPair::generate_rsa();
    Request request{
        "", {"GET", "https", "mastodon.example", "/users/alice", {{"accept", "application/activity+json"}}, {}}};
    ASSERT_FALSE(sign_request(request.message, key, {"https://blog.example/actor#main-key", 1'700'000'000}));
    auto args = request_arguments(request.message);
    args.insert(args.end(), {"--key-file", write("public.pem", key.public_pem()), "--alg", "rsa-v1_5-sha256"});
    EXPECT_EQ(run_node(command("verify", args)).output, "verified\n");
}

TEST_F(Rfc9421Interop, TheirSignaturesVerifyHere) {
    for (const Key& key : keys()) {
        for (const auto& components :
             {std::vector<std::string>{"@method", "@target-uri", "content-digest"}, wide_components}) {
            auto request = inbox_post();
            auto args = request_arguments(request->message);
            args.insert(args.end(),
                        {"--key-file", write("private.pem", key.pair.private_pem()), "--alg", key.alg, "--keyid",
                         "https://mastodon.example/users/alice#main-key", "--created", "1700000000"});
            for (const auto& component : components) args.insert(args.end(), {"--component", component});
            const NodeRun run = run_node(command("sign", args));
            ASSERT_EQ(run.exit_code, 0) << key.name << ": " << run.output;

            std::istringstream lines(run.output);
            for (std::string line; std::getline(lines, line);) {
                const std::size_t colon = line.find(": ");
                request->message.set(line.substr(0, colon), line.substr(colon + 2));
            }
            auto entries = parse(request->message);
            ASSERT_TRUE(std::holds_alternative<std::vector<SignatureEntry>>(entries))
                << key.name << ": " << std::get<Error>(entries).detail << "\n"
                << run.output;
            const SignatureEntry& entry = std::get<std::vector<SignatureEntry>>(entries).front();
            EXPECT_EQ(entry.keyid, "https://mastodon.example/users/alice#main-key");
            EXPECT_EQ(entry.alg, key.alg);
            EXPECT_TRUE(entry.covers("content-digest"));
            auto error = verify(entry, request->message, key.pair.get());
            EXPECT_FALSE(error) << key.name << ": " << error->detail;
        }
    }
}
