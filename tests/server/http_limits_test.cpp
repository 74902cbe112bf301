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
