// Connections opened together to one origin wait for the first one's TLS session instead of each doing a full
// handshake: the gate on its own (real timers on an io_context), then the client against real loopback TLS servers
// (TLS 1.3 and 1.2), including servers that issue no sessions and first handshakes that fail or stall.
#include "activitypub/transport/tls_handshake_gate.hpp"

#include <openssl/ssl.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <chrono>
#include <gtest/gtest.h>
#include <optional>
#include <thread>
#include <vector>

#include "tests/activitypub/transport/support.hpp"

namespace fedblog::transport::test {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using Lead = TlsHandshakeGate::Lead;

// ---- The gate alone

asio::awaitable<void> take_turn(std::shared_ptr<TlsHandshakeGate> gate, std::string origin, Clock::time_point until,
                                std::optional<Lead>& turn) {
    turn = co_await gate->before_full_handshake(std::move(origin), until);
}

class Gate : public ::testing::Test {
protected:
    // Starts a turn and runs what is ready: a leader or a connection that need not wait has its turn at once.
    std::optional<Lead>& start(const std::string& origin, Clock::duration bound = 10s) {
        turns_.push_back(std::make_unique<std::optional<Lead>>());
        asio::co_spawn(io_, take_turn(gate_, origin, Clock::now() + bound, *turns_.back()), Harness::rethrow);
        settle();
        return *turns_.back();
    }
    void settle() {
        io_.restart();
        io_.poll();
    }

    asio::io_context io_;
    std::shared_ptr<TlsHandshakeGate> gate_ = TlsHandshakeGate::create();
    std::vector<std::unique_ptr<std::optional<Lead>>> turns_;
};

TEST_F(Gate, TheFirstLeadsAndEachTicketLetsOneWaiterGo) {
    auto& leader = start("https://a.test:443");
    ASSERT_TRUE(leader.has_value());
    EXPECT_TRUE(*leader);
    auto& first = start("https://a.test:443");
    auto& second = start("https://a.test:443");
    EXPECT_FALSE(first.has_value());
    EXPECT_EQ(gate_->waiting("https://a.test:443"), 2u);
    EXPECT_TRUE(*start("https://b.test:443"));  // another origin has its own leader

    gate_->session_kept("https://a.test:443", true);
    settle();
    ASSERT_TRUE(first.has_value());
    EXPECT_FALSE(*first);  // a waiter does not lead
    EXPECT_FALSE(second.has_value());
    gate_->session_kept("https://a.test:443", true);
    settle();
    EXPECT_TRUE(second.has_value());
    EXPECT_EQ(gate_->waiting("https://a.test:443"), 0u);
}

TEST_F(Gate, AReusableSessionLetsEveryWaiterGo) {
    auto& leader = start("https://a.test:443");
    auto& first = start("https://a.test:443");
    auto& second = start("https://a.test:443");
    gate_->session_kept("https://a.test:443", false);
    settle();
    EXPECT_TRUE(first.has_value());
    EXPECT_TRUE(second.has_value());
    // The leader's sessions came: a latecomer takes one (or does its own handshake) without waiting or leading.
    auto& late = start("https://a.test:443");
    ASSERT_TRUE(late.has_value());
    EXPECT_FALSE(*late);
    leader->release(true);
}

TEST_F(Gate, AFailedLeadLetsWaitersGoAndTheNextConnectionLeads) {
    auto& leader = start("https://a.test:443");
    auto& waiter = start("https://a.test:443");
    leader.reset();  // the leading connection is gone: handshake failed, or closed before any response
    settle();
    EXPECT_TRUE(waiter.has_value());
    auto& next = start("https://a.test:443");
    ASSERT_TRUE(next.has_value());
    EXPECT_TRUE(*next);  // a failure says nothing about the server's sessions: the next connection leads
}

TEST_F(Gate, AnOriginThatAnsweredWithoutSessionsIsNotWaitedForAgain) {
    auto& leader = start("https://a.test:443");
    auto& waiter = start("https://a.test:443");
    leader->release(true);
    settle();
    EXPECT_TRUE(waiter.has_value());
    for (int i = 0; i < 3; ++i) {
        auto& next = start("https://a.test:443");
        ASSERT_TRUE(next.has_value());  // at once
        EXPECT_FALSE(*next);            // and none leads, so none waits either
    }
    // Until a session for it turns up after all.
    gate_->session_kept("https://a.test:443", true);
    EXPECT_TRUE(*start("https://a.test:443"));
}

TEST_F(Gate, OriginsWithoutSessionsAreRememberedWithinABound) {
    gate_ = TlsHandshakeGate::create({.max_sessionless = 2});
    for (const char* origin : {"https://a.test:443", "https://b.test:443", "https://c.test:443"}) {
        start(origin)->release(true);
        std::this_thread::sleep_for(2ms);  // an order among the marks
    }
    EXPECT_TRUE(*start("https://a.test:443"));  // the oldest forgotten: it may lead again
    EXPECT_FALSE(*start("https://c.test:443"));
}

TEST_F(Gate, AWaiterGoesAtItsBoundWhileTheLeaderIsStillAtIt) {
    auto& leader = start("https://a.test:443");
    auto began = Clock::now();
    start("https://a.test:443", 100ms);
    io_.restart();
    io_.run();  // until the waiter's timer
    EXPECT_GE(Clock::now() - began, 90ms);
    EXPECT_EQ(gate_->waiting("https://a.test:443"), 0u);
    EXPECT_TRUE(*leader);
}

TEST(GateLifetime, AWaiterDestroyedWhileWaitingLeavesTheQueue) {
    auto gate = TlsHandshakeGate::create();
    std::optional<Lead> leader, waiter;
    {
        asio::io_context io;
        asio::co_spawn(io, take_turn(gate, "https://a.test:443", Clock::now() + 10s, leader), Harness::rethrow);
        asio::co_spawn(io, take_turn(gate, "https://a.test:443", Clock::now() + 10s, waiter), Harness::rethrow);
        io.poll();
        EXPECT_EQ(gate->waiting("https://a.test:443"), 1u);
    }  // the waiting coroutine is destroyed with its io_context
    EXPECT_EQ(gate->waiting("https://a.test:443"), 0u);
    EXPECT_FALSE(waiter.has_value());
    leader.reset();  // wakes no one
}

// ---- The client against real TLS servers

TestServer::Handler closing_hello(std::chrono::milliseconds delay = 0ms) {
    return [delay](const TestRequest&) {
        TestReply reply;
        reply.body = "hello";
        reply.keep_alive = false;  // each request opens a connection of its own
        reply.delay = delay;
        return reply;
    };
}

TestServer::TlsSetup only(int version, bool sessions = true, int tickets = -1) {
    return [=](SSL_CTX* context) {
        SSL_CTX_set_min_proto_version(context, version);
        SSL_CTX_set_max_proto_version(context, version);
        if (tickets >= 0) SSL_CTX_set_num_tickets(context, static_cast<std::size_t>(tickets));
        if (!sessions) {
            SSL_CTX_set_session_cache_mode(context, SSL_SESS_CACHE_OFF);
            SSL_CTX_set_options(context, SSL_OP_NO_TICKET);
            SSL_CTX_set_num_tickets(context, 0);
        }
    };
}

struct Timed {
    std::optional<Result> result;
    Clock::duration took{};
};

asio::awaitable<void> timed_get(HttpClient& client, std::string target, std::optional<Limits> limits, Timed& out) {
    Request request;
    request.url = std::move(target);
    request.limits = limits;
    auto began = Clock::now();
    out.result = co_await client.fetch(std::move(request));
    out.took = Clock::now() - began;
}

class Together : public ::testing::TestWithParam<int> {
protected:
    int version() const { return GetParam(); }

    // `count` fetches of target started at once, the client's io_context run on `threads` threads.
    std::vector<Timed> all_at_once(const std::string& target, std::size_t count, int threads = 1) {
        std::vector<Timed> fetches(count);
        for (auto& fetch : fetches)
            asio::co_spawn(harness_.io(), timed_get(harness_.client(), target, std::nullopt, fetch), Harness::rethrow);
        harness_.io().restart();
        std::vector<std::thread> others;
        for (int i = 1; i < threads; ++i) others.emplace_back([this] { harness_.io().run(); });
        harness_.io().run();
        for (auto& other : others) other.join();
        return fetches;
    }

    static void expect_hello(const Timed& fetch) {
        ASSERT_TRUE(fetch.result && *fetch.result) << fetch.result->error().detail;
        EXPECT_EQ((*fetch.result)->body, "hello");
    }

    Harness harness_;
};

TEST_P(Together, ConnectionsOpenedTogetherResumeTheFirstOnesSession) {
    TestServer server(remote_test_identity(), closing_hello(), only(version()));
    for (const auto& fetch : all_at_once(url("https", "remote.test", server.port()), 4)) expect_hello(fetch);
    EXPECT_EQ(server.tls_handshakes(), 4u);
    // TLS 1.2: the one session resumes any number of times. TLS 1.3: OpenSSL sends two tickets, one use each.
    EXPECT_EQ(server.tls_resumed(), version() == TLS1_3_VERSION ? 2u : 3u);
}

TEST_P(Together, EnoughTicketsResumeEveryOtherConnectionOnSeveralThreads) {
    TestServer server(remote_test_identity(), closing_hello(), only(version(), true, 4));
    for (const auto& fetch : all_at_once(url("https", "remote.test", server.port()), 4, 4)) expect_hello(fetch);
    EXPECT_EQ(server.tls_handshakes(), 4u);
    EXPECT_EQ(server.tls_resumed(), 3u);
}

TEST_P(Together, AServerIssuingNoSessionsIsNotWaitedForLong) {
    TestServer server(remote_test_identity(), closing_hello(), only(version(), false));
    auto began = Clock::now();
    for (const auto& fetch : all_at_once(url("https", "remote.test", server.port()), 8)) expect_hello(fetch);
    // The waiters went as soon as the first connection had its response, well before the bound (1 s).
    EXPECT_LT(Clock::now() - began, 500ms);
    EXPECT_EQ(server.tls_handshakes(), 8u);
    EXPECT_EQ(server.tls_resumed(), 0u);
}

TEST_P(Together, AServerIssuingNoSessionsCostsOneWaitOnly) {
    // A slow answer makes any wait visible: waiting for the first connection's response costs a whole one.
    TestServer server(remote_test_identity(), closing_hello(400ms), only(version(), false));
    for (const auto& fetch : all_at_once(url("https", "remote.test", server.port()), 4)) expect_hello(fetch);
    auto began = Clock::now();
    for (const auto& fetch : all_at_once(url("https", "remote.test", server.port()), 4)) expect_hello(fetch);
    EXPECT_LT(Clock::now() - began, 700ms);  // one answer (400 ms) and no wait for another
    EXPECT_EQ(server.tls_resumed(), 0u);
}

TEST_P(Together, AFailedFirstHandshakeLetsEachOtherConnectionTryItsOwn) {
    TestServer server(trusted_ca().issue({"other.test"}), closing_hello(), only(version()));
    auto began = Clock::now();
    for (const auto& fetch : all_at_once(url("https", "remote.test", server.port()), 4)) {
        ASSERT_TRUE(fetch.result);
        ASSERT_FALSE(*fetch.result);
        EXPECT_EQ(fetch.result->error().kind, ErrorKind::tls);
        EXPECT_NE(fetch.result->error().detail.find("mismatch"), std::string::npos) << fetch.result->error().detail;
    }
    EXPECT_LT(Clock::now() - began, 500ms);  // nobody waited for the bound
    EXPECT_EQ(server.accepted(), 4u);
    EXPECT_EQ(server.tls_handshakes(), 0u);
}

TEST_P(Together, AStalledFirstHandshakeHoldsTheOthersOnlyUntilTheBound) {
    TestServer server(remote_test_identity(), closing_hello(), only(version()));
    server.stall_next_handshakes(1);
    Limits limits;
    limits.tls_handshake_timeout = 3s;
    auto target = url("https", "remote.test", server.port());
    auto& io = harness_.io();
    auto work = asio::make_work_guard(io);
    std::thread runner([&] { io.run(); });

    Timed first;
    asio::co_spawn(io, timed_get(harness_.client(), target, limits, first), Harness::rethrow);
    for (auto until = Clock::now() + 2s; server.accepted() < 1 && Clock::now() < until;)
        std::this_thread::sleep_for(5ms);
    std::this_thread::sleep_for(100ms);  // the first connection is now leading, its handshake stuck
    std::vector<Timed> later(3);
    for (auto& fetch : later) asio::co_spawn(io, timed_get(harness_.client(), target, limits, fetch), Harness::rethrow);
    work.reset();
    runner.join();

    ASSERT_TRUE(first.result);
    ASSERT_FALSE(*first.result);
    EXPECT_EQ(first.result->error().kind, ErrorKind::timeout);
    for (const auto& fetch : later) {
        expect_hello(fetch);
        EXPECT_GE(fetch.took, 900ms);  // they waited for the leader's session, up to the bound (1 s)
        EXPECT_LT(fetch.took, 2s);     // and no longer
    }
}

INSTANTIATE_TEST_SUITE_P(Versions, Together, ::testing::Values(TLS1_3_VERSION, TLS1_2_VERSION),
                         [](const auto& info) { return info.param == TLS1_3_VERSION ? "Tls13" : "Tls12"; });

}  // namespace
}  // namespace fedblog::transport::test
