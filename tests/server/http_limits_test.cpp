// The session's limits over real sockets: keep-alive, header and body caps, malformed requests, timeouts.
#include "tests/server/server_fixture.hpp"

using namespace fedblog::testing;
namespace beast_http = boost::beast::http;

namespace {

class HttpLimits : public ServerFixture {
protected:
    void SetUp() override {
        settings.max_header_bytes = 4096;
        settings.max_body_bytes = 1000;
        settings.read_timeout_seconds = 1;
        start();
    }
};

}  // namespace

TEST_F(HttpLimits, KeepAliveServesSeveralRequestsOnOneConnection) {
    HttpClient connection = client();
    for (int i = 0; i < 3; ++i) EXPECT_EQ(connection.get("/healthz").result(), beast_http::status::ok);
}

TEST_F(HttpLimits, OversizedHeadersGet431AndTheConnectionCloses) {
    HttpClient connection = client();
    auto reply = connection.get("/", {{"X-Padding", std::string(8000, 'a')}});
    EXPECT_EQ(reply.result(), beast_http::status::request_header_fields_too_large);
    EXPECT_NE(reply.body().find("4096"), std::string::npos) << reply.body();
    EXPECT_TRUE(connection.closed_by_server());
}

TEST_F(HttpLimits, OversizedBodyGets413BeforeItIsRead) {
    HttpClient connection = client();
    auto reply = connection.raw("POST /inbox HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5000000\r\n\r\nabc");
    EXPECT_EQ(reply.result(), beast_http::status::payload_too_large);
    EXPECT_NE(reply.body().find("1000"), std::string::npos) << reply.body();
}

TEST_F(HttpLimits, ChunkedBodyOverTheLimitGets413) {
    HttpClient connection = client();
    std::string chunk(900, 'x');
    auto reply = connection.raw("POST /inbox HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n384\r\n" +
                                chunk + "\r\n384\r\n" + chunk + "\r\n0\r\n\r\n");
    EXPECT_EQ(reply.result(), beast_http::status::payload_too_large);
}

TEST_F(HttpLimits, MalformedRequestLineGets400) {
    HttpClient connection = client();
    auto reply = connection.raw("GARBAGE\r\n\r\n");
    EXPECT_EQ(reply.result(), beast_http::status::bad_request);
}

TEST_F(HttpLimits, AbsurdContentLengthGets400Or413) {
    HttpClient connection = client();
    auto reply = connection.raw("POST /inbox HTTP/1.1\r\nHost: localhost\r\nContent-Length: 99999999999999999999999\r\n\r\n");
    EXPECT_TRUE(reply.result() == beast_http::status::bad_request ||
                reply.result() == beast_http::status::payload_too_large)
        << reply.result_int();
}

TEST_F(HttpLimits, ASlowPartialRequestTimesOutWith408) {
    HttpClient connection = client();
    boost::asio::write(connection.socket(), boost::asio::buffer(std::string("GET / HTTP/1.1\r\nHost: loc")));
    auto started = std::chrono::steady_clock::now();
    auto reply = connection.read_reply(false);
    EXPECT_EQ(reply.result(), beast_http::status::request_timeout);
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}

TEST_F(HttpLimits, AnIdleConnectionIsClosedAfterTheReadTimeout) {
    HttpClient connection = client();
    EXPECT_EQ(connection.get("/healthz").result(), beast_http::status::ok);
    auto started = std::chrono::steady_clock::now();
    EXPECT_TRUE(connection.closed_by_server());
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}

TEST_F(HttpLimits, PipelinedRequestsAreAnsweredInOrder) {
    HttpClient connection = client();
    boost::asio::write(connection.socket(),
                       boost::asio::buffer(std::string("GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n"
                                                       "GET /nope HTTP/1.1\r\nHost: a\r\nAccept: application/activity+json\r\n\r\n")));
    EXPECT_EQ(connection.read_reply(false).result(), beast_http::status::ok);
    EXPECT_EQ(connection.read_reply(false).result(), beast_http::status::not_found);
}

namespace {

// A slowloris connection: sends a request head one byte at a time and never finishes it.
class Drip {
public:
    Drip(unsigned short port, std::string local_address = {}) : client_(port, std::move(local_address)) {
        client_.socket().non_blocking(true);
    }

    // The next byte of a head too long to ever be completed at this pace.
    void send_byte() {
        static const std::string head = "GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + std::string(4000, 'z');
        if (closed() || !received_.empty() || sent_ >= head.size()) return;  // answered: stop writing
        boost::system::error_code ec;
        client_.socket().write_some(boost::asio::buffer(&head[sent_], 1), ec);
        if (!ec) ++sent_;
    }

    // Reads what the server sent without blocking; true once it closed the connection.
    bool closed() {
        if (closed_) return true;
        char chunk[512];
        while (true) {
            boost::system::error_code ec;
            std::size_t n = client_.socket().read_some(boost::asio::buffer(chunk), ec);
            received_.append(chunk, n);
            if (ec == boost::asio::error::would_block) return false;
            if (ec) return closed_ = true;  // EOF or reset
        }
    }

    const std::string& received() const { return received_; }
    std::size_t sent() const { return sent_; }

private:
    HttpClient client_;
    std::size_t sent_ = 0;
    bool closed_ = false;
    std::string received_;
};

std::size_t count_closed(std::vector<std::unique_ptr<Drip>>& drips) {
    std::size_t closed = 0;
    for (auto& drip : drips) closed += drip->closed() ? 1 : 0;
    return closed;
}

class ConnectionLimits : public ServerFixture {
protected:
    ConnectionLimits() {
        settings.read_timeout_seconds = 2;
        settings.max_connections_per_client = 20;
    }
};

using Clock = std::chrono::steady_clock;

// Closed by the server well before the read timeout would close an idle connection.
bool closed_at_once(HttpClient& client) {
    auto started = Clock::now();
    return client.closed_by_server() && Clock::now() - started < std::chrono::milliseconds(1000);
}

}  // namespace

TEST_F(ConnectionLimits, SlowlorisFromOneAddressIsCappedAndTimedOutWhileOtherClientsAreServed) {
    start();
    constexpr std::size_t dripping = 200;
    std::vector<std::unique_ptr<Drip>> drips;
    for (std::size_t i = 0; i < dripping; ++i) drips.push_back(std::make_unique<Drip>(port));
    auto started = Clock::now();
    auto drip_for = [&](std::chrono::milliseconds span) {
        for (auto until = Clock::now() + span; Clock::now() < until;) {
            for (auto& drip : drips) drip->send_byte();
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    };

    // Over the per-address cap: closed at accept, unanswered.
    std::size_t closed = 0;
    for (int round = 0; round < 20 && closed < dripping - 20; ++round) {
        drip_for(std::chrono::milliseconds(50));
        closed = count_closed(drips);
    }
    EXPECT_EQ(closed, dripping - 20);
    EXPECT_LT(Clock::now() - started, std::chrono::seconds(2)) << "the capped ones were not closed at accept";

    // A reader from another address is served in the middle of the drip: every connection let in is still open.
    HttpClient reader(port, "127.0.0.2");
    EXPECT_EQ(reader.get("/healthz").result(), beast_http::status::ok);
    EXPECT_EQ(count_closed(drips), dripping - 20);

    // The twenty let in keep dripping (a byte per 50 ms resets no deadline): they get 408 and are closed once
    // the read timeout has passed since they connected.
    drip_for(std::chrono::milliseconds(1000));
    EXPECT_EQ(count_closed(drips), dripping - 20) << "closed before the read timeout";
    std::size_t answered_408 = 0;
    while (count_closed(drips) < dripping && Clock::now() - started < std::chrono::seconds(5)) drip_for(std::chrono::milliseconds(100));
    EXPECT_EQ(count_closed(drips), dripping);
    for (auto& drip : drips) {
        if (drip->received().empty()) continue;  // refused at accept
        EXPECT_TRUE(drip->received().starts_with("HTTP/1.1 408")) << drip->received();
        EXPECT_GT(drip->sent(), 20u);  // it did drip all along
        ++answered_408;
    }
    EXPECT_EQ(answered_408, 20u);

    std::string exposition = metrics.render(app->database(), nullptr);
    EXPECT_NE(exposition.find("fedblog_connections_refused_total{limit=\"max_connections_per_client\"} 180\n"),
              std::string::npos)
        << exposition;
    // And 127.0.0.1 may connect again now that its connections are gone.
    EXPECT_EQ(client().get("/healthz").result(), beast_http::status::ok);
}

TEST_F(ConnectionLimits, ConnectionsOverTheOverallCapAreClosedAtAccept) {
    settings.max_connections = 5;
    start();
    std::vector<std::unique_ptr<HttpClient>> open;
    for (int i = 0; i < 5; ++i) {
        open.push_back(std::make_unique<HttpClient>(port, "127.0.0." + std::to_string(10 + i)));
        EXPECT_EQ(open.back()->get("/healthz").result(), beast_http::status::ok);  // kept alive
    }
    HttpClient sixth(port, "127.0.0.20");
    EXPECT_TRUE(closed_at_once(sixth));
    // A slot frees when one of the five leaves.
    open.pop_back();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    HttpClient seventh(port, "127.0.0.21");
    EXPECT_EQ(seventh.get("/healthz").result(), beast_http::status::ok);
    EXPECT_NE(metrics.render(app->database(), nullptr).find("fedblog_connections_refused_total{limit=\"max_connections\"} 1\n"),
              std::string::npos);
}

TEST_F(ConnectionLimits, ATrustedProxyIsNotCappedPerAddress) {
    settings.max_connections_per_client = 2;
    settings.trusted_proxies = {"127.0.0.1"};
    start();
    std::vector<std::unique_ptr<HttpClient>> through_proxy;
    for (int i = 0; i < 6; ++i) {
        through_proxy.push_back(std::make_unique<HttpClient>(port));
        EXPECT_EQ(through_proxy.back()->get("/healthz", {{"X-Forwarded-For", "203.0.113.7"}}).result(),
                  beast_http::status::ok);
    }
    // Anyone else still is.
    HttpClient first(port, "127.0.0.3"), second(port, "127.0.0.3"), third(port, "127.0.0.3");
    EXPECT_EQ(first.get("/healthz").result(), beast_http::status::ok);
    EXPECT_EQ(second.get("/healthz").result(), beast_http::status::ok);
    EXPECT_TRUE(closed_at_once(third));
}
