// The fedblog binary as an operator runs it: help, publish, serve, a graceful SIGTERM, key rotation.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "store/deliveries.hpp"
#include "store/followers.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/temp_dir.hpp"

using namespace fedblog::testing;
namespace beast_http = boost::beast::http;

namespace {

const std::string binary = std::string(FEDBLOG_BINARY_DIR) + "/fedblog";
const std::string samples = std::string(FEDBLOG_SOURCE_DIR) + "/content";

struct CommandResult {
    int status;
    std::string output;
};

CommandResult run_fedblog(const std::string& arguments) {
    std::string command = binary + " " + arguments + " 2>&1";
    FILE* pipe = popen(command.c_str(), "r");
    std::string output;
    std::array<char, 4096> buffer;
    while (std::size_t n = fread(buffer.data(), 1, buffer.size(), pipe)) output.append(buffer.data(), n);
    int status = pclose(pipe);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

unsigned short free_port() {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    return acceptor.local_endpoint().port();
}

}  // namespace

TEST(Binary, HelpExplainsCommandsAndSettings) {
    CommandResult help = run_fedblog("--help");
    EXPECT_EQ(help.status, 0);
    for (const char* needle : {"serve", "publish", "--public-url", "FEDBLOG_", "--allow-private-addresses"})
        EXPECT_NE(help.output.find(needle), std::string::npos) << needle;
    CommandResult serve_help = run_fedblog("serve --help");
    EXPECT_EQ(serve_help.status, 0);
    EXPECT_NE(serve_help.output.find("Usage: fedblog serve"), std::string::npos);
    CommandResult publish_help = run_fedblog("publish --help");
    EXPECT_NE(publish_help.output.find("Usage: fedblog publish"), std::string::npos);
}

TEST(Binary, BadSettingsExitWith2AndSayWhy) {
    CommandResult bad = run_fedblog("serve --public-url ftp://x");
    EXPECT_EQ(bad.status, 2);
    EXPECT_NE(bad.output.find("public_url"), std::string::npos) << bad.output;
    CommandResult unknown = run_fedblog("frobnicate");
    EXPECT_EQ(unknown.status, 2);
}

TEST(Binary, PublishesTheShippedSamplesIdempotently) {
    TempDir dir;
    std::string settings = "--data-dir " + (dir / "data").string() + " --content-dir " + samples;
    CommandResult first = run_fedblog("publish " + settings);
    ASSERT_EQ(first.status, 0) << first.output;
    CommandResult second = run_fedblog("publish " + settings);
    ASSERT_EQ(second.status, 0) << second.output;
    EXPECT_NE(second.output.find("3 unchanged"), std::string::npos) << second.output;
    struct stat info {};
    ASSERT_EQ(::stat((dir / "data" / "actor.key").c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600);
}

TEST(Binary, ServesThenStopsGracefullyOnSigterm) {
    TempDir dir;
    unsigned short port = free_port();
    std::string listen = "127.0.0.1:" + std::to_string(port);
    std::string data = (dir / "data").string();
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        execl(binary.c_str(), binary.c_str(), "serve", "--listen", listen.c_str(), "--data-dir", data.c_str(),
              "--content-dir", samples.c_str(), "--log-level", "warn", static_cast<char*>(nullptr));
        _exit(127);
    }
    bool up = false;
    for (int i = 0; i < 100 && !up; ++i) {
        try {
            HttpClient probe(port);
            up = probe.get("/healthz").result() == beast_http::status::ok;
        } catch (const std::exception&) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
    ASSERT_TRUE(up) << "fedblog serve did not answer /healthz";
    HttpClient idle(port);  // a keep-alive connection left open must not hold the shutdown
    EXPECT_EQ(idle.get("/").result(), beast_http::status::ok);
    auto stop_requested = std::chrono::steady_clock::now();
    ASSERT_EQ(kill(child, SIGTERM), 0);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
    EXPECT_LT(std::chrono::steady_clock::now() - stop_requested, std::chrono::seconds(5));
    EXPECT_TRUE(idle.closed_by_server());
}

TEST(Binary, KeysRotateQueuesAnActorUpdateForFollowers) {
    TempDir dir;
    std::string settings = "--data-dir " + (dir / "data").string() + " --content-dir " + samples;
    ASSERT_EQ(run_fedblog("publish " + settings).status, 0);
    {
        fedblog::store::Database db(dir / "data" / "fedblog.db");
        fedblog::store::Follower follower;
        follower.actor_id = "https://m.example/users/alice";
        follower.inbox = follower.actor_id + "/inbox";
        follower.follow_activity_id = "https://m.example/follows/1";
        follower.accepted = true;
        fedblog::store::Followers(db).save(follower);
    }
    CommandResult rotated = run_fedblog("keys rotate " + settings);
    ASSERT_EQ(rotated.status, 0) << rotated.output;
    fedblog::store::Database db(dir / "data" / "fedblog.db");
    auto jobs = fedblog::store::Deliveries(db).list("pending", "", 10);
    ASSERT_EQ(jobs.size(), 1u) << rotated.output;
    auto update = nlohmann::json::parse(jobs[0].body);
    EXPECT_EQ(update["type"], "Update");
    EXPECT_EQ(update["object"]["type"], "Person");
    std::string new_pem = rotated.output.substr(rotated.output.find("-----BEGIN PUBLIC KEY-----"));
    EXPECT_EQ(update["object"]["publicKey"]["publicKeyPem"], new_pem);
}

TEST(Binary, CommentsBackfillWalksOnePostAndSaysWhatItFound) {
    TempDir dir;
    std::string settings = "--data-dir " + (dir / "data").string() + " --content-dir " + samples;
    ASSERT_EQ(run_fedblog("publish " + settings).status, 0);
    CommandResult walked = run_fedblog("comments backfill reparer-une-crevaison " + settings);
    EXPECT_EQ(walked.status, 0) << walked.output;
    EXPECT_NE(walked.output.find("Backfill of reparer-une-crevaison: the conversations of 0 comments walked"),
              std::string::npos)
        << walked.output;
    EXPECT_NE(walked.output.find("0 replies imported"), std::string::npos) << walked.output;
    CommandResult unknown = run_fedblog("comments backfill nope " + settings);
    EXPECT_EQ(unknown.status, 1);
    EXPECT_NE(unknown.output.find("no post \"nope\""), std::string::npos) << unknown.output;
    EXPECT_EQ(run_fedblog("comments backfill " + settings).status, 2);
}
