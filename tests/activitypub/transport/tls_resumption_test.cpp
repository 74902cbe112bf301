// TLS session resumption on outgoing connections, against real loopback TLS servers (TLS 1.3 and 1.2): the next
// connection to the same origin resumes, a session never travels to another name or port, and servers that
// issue no tickets or refuse them still get full, verified handshakes.
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "tests/activitypub/transport/support.hpp"

namespace fedblog::transport::test {
namespace {

// Every answer closes its connection, so each request opens a new one: the case resumption is for.
TestServer::Handler closing_hello() {
    return [](const TestRequest&) {
        TestReply reply;
        reply.body = "hello";
        reply.keep_alive = false;
        return reply;
    };
}

using TicketKeys = std::array<unsigned char, 80>;  // name, HMAC and AES keys of OpenSSL's stateless tickets

TicketKeys random_ticket_keys() {
    TicketKeys keys{};
    if (RAND_bytes(keys.data(), static_cast<int>(keys.size())) != 1) throw std::runtime_error("RAND_bytes failed");
    return keys;
}

// The server's TLS setup: one protocol version, and optionally the ticket keys (servers sharing them accept each
// other's tickets, as the names of one big host do) and its session cache mode.
TestServer::TlsSetup setup(int version, const TicketKeys* keys = nullptr, long cache_mode = SSL_SESS_CACHE_SERVER) {
    return [version, keys, cache_mode](SSL_CTX* context) {
        SSL_CTX_set_min_proto_version(context, version);
        SSL_CTX_set_max_proto_version(context, version);
        SSL_CTX_set_session_cache_mode(context, cache_mode);
        if (keys) {
            TicketKeys copy = *keys;
            ASSERT_EQ(SSL_CTX_set_tlsext_ticket_keys(context, copy.data(), static_cast<long>(copy.size())), 1);
        }
    };
}

class Resumption : public ::testing::TestWithParam<int> {
protected:
    int version() const { return GetParam(); }

    static void expect_hello(const Result& result) {
        ASSERT_TRUE(result) << result.error().detail;
        EXPECT_EQ(result->body, "hello");
    }
};

TEST_P(Resumption, NextConnectionToTheSameOriginResumes) {
    TestServer server(remote_test_identity(), closing_hello(), setup(version()));
    Harness harness;
    for (int i = 0; i < 4; ++i) expect_hello(harness.get(url("https", "remote.test", server.port())));
    EXPECT_EQ(server.tls_handshakes(), 4u);
    // Only the first pays the full handshake; TLS 1.3 connections resume on tickets the resumed ones got.
    EXPECT_EQ(server.tls_resumed(), 3u);
}

TEST_P(Resumption, ConcurrentConnectionsAllEndWellAndLaterOnesResume) {
    TestServer server(remote_test_identity(), closing_hello(), setup(version()));
    Harness harness;
    // Several fetches at once on the client's threads of strands: the cache is shared between them.
    std::vector<std::optional<Result>> results(8);
    for (auto& result : results) {
        Request request;
        request.url = url("https", "remote.test", server.port());
        boost::asio::co_spawn(harness.io(), Harness::store(harness.client(), request, result), Harness::rethrow);
    }
    harness.io().run();
    for (auto& result : results) expect_hello(*result);
    expect_hello(harness.get(url("https", "remote.test", server.port())));
    EXPECT_EQ(server.tls_handshakes(), 9u);
    EXPECT_GE(server.tls_resumed(), 1u);  // the last at least: by then tickets had arrived
}

TEST_P(Resumption, ASessionIsNotOfferedToAnotherPort) {
    // Two servers sharing ticket keys: each would accept the other's tickets, so only the client keeps them apart.
    auto keys = random_ticket_keys();
    TestServer first(remote_test_identity(), closing_hello(), setup(version(), &keys));
    TestServer second(remote_test_identity(), closing_hello(), setup(version(), &keys));
    Harness harness;
    expect_hello(harness.get(url("https", "remote.test", first.port())));
    expect_hello(harness.get(url("https", "remote.test", second.port())));
    EXPECT_EQ(second.tls_resumed(), 0u);
    expect_hello(harness.get(url("https", "remote.test", second.port())));
    EXPECT_EQ(second.tls_resumed(), 1u);  // with its own session
    expect_hello(harness.get(url("https", "remote.test", first.port())));
    EXPECT_EQ(first.tls_resumed(), 1u);
}

TEST_P(Resumption, ASessionIsNotOfferedToAnotherNameOnTheSameServer) {
    TestServer server(trusted_ca().issue({"remote.test", "other.test"}), closing_hello(), setup(version()));
    Harness harness;
    expect_hello(harness.get(url("https", "remote.test", server.port())));
    expect_hello(harness.get(url("https", "other.test", server.port())));
    EXPECT_EQ(server.tls_resumed(), 0u);
    EXPECT_EQ(server.server_names(), (std::vector<std::string>{"remote.test", "other.test"}));
}

// The server would resume a remote.test session for other.test (it accepts its own tickets whatever the name
// asked for, and a resumed handshake sends no certificate to check). The client must not offer it: the
// connection gets a full handshake, where the certificate fails for other.test.
TEST_P(Resumption, ANameTheCertificateDoesNotCoverFailsEvenAfterAResumableSession) {
    TestServer server(remote_test_identity(), closing_hello(), setup(version()));
    Harness harness;
    expect_hello(harness.get(url("https", "remote.test", server.port())));
    auto result = harness.get(url("https", "other.test", server.port()));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().kind, ErrorKind::tls);
    EXPECT_NE(result.error().detail.find("mismatch"), std::string::npos) << result.error().detail;
    EXPECT_EQ(server.tls_resumed(), 0u);
}

TEST_P(Resumption, AServerIssuingNoSessionsGetsFullHandshakes) {
    TestServer server(remote_test_identity(), closing_hello(), [this](SSL_CTX* context) {
        setup(version(), nullptr, SSL_SESS_CACHE_OFF)(context);
        SSL_CTX_set_options(context, SSL_OP_NO_TICKET);
        SSL_CTX_set_num_tickets(context, 0);
    });
    Harness harness;
    for (int i = 0; i < 3; ++i) expect_hello(harness.get(url("https", "remote.test", server.port())));
    EXPECT_EQ(server.tls_handshakes(), 3u);
    EXPECT_EQ(server.tls_resumed(), 0u);
}

// A server that forgot its ticket keys (restarted, rotated) declines the offered session: full handshake.
TEST_P(Resumption, ARefusedSessionFallsBackToAFullHandshake) {
    auto keys = random_ticket_keys();
    TestServer server(remote_test_identity(), closing_hello(), setup(version(), &keys, SSL_SESS_CACHE_OFF));
    Harness harness;
    expect_hello(harness.get(url("https", "remote.test", server.port())));
    auto new_keys = random_ticket_keys();
    server.replace_tls(remote_test_identity(), setup(version(), &new_keys, SSL_SESS_CACHE_OFF));
    expect_hello(harness.get(url("https", "remote.test", server.port())));
    EXPECT_EQ(server.tls_handshakes(), 2u);
    EXPECT_EQ(server.tls_resumed(), 0u);
    expect_hello(harness.get(url("https", "remote.test", server.port())));
    EXPECT_EQ(server.tls_resumed(), 1u);  // the new keys' session
}

// Another server took over the origin (new ticket keys) with a certificate that is not for the name: the old
// session is declined, and the full handshake's certificate check fails as it would have without the session.
TEST_P(Resumption, AnOriginWhoseCertificateNoLongerVerifiesIsRefusedDespiteItsSession) {
    auto keys = random_ticket_keys();
    TestServer server(remote_test_identity(), closing_hello(), setup(version(), &keys, SSL_SESS_CACHE_OFF));
    Harness harness;
    expect_hello(harness.get(url("https", "remote.test", server.port())));
    auto new_keys = random_ticket_keys();
    server.replace_tls(trusted_ca().issue({"other.test"}), setup(version(), &new_keys, SSL_SESS_CACHE_OFF));
    auto result = harness.get(url("https", "remote.test", server.port()));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().kind, ErrorKind::tls);
    EXPECT_NE(result.error().detail.find("mismatch"), std::string::npos) << result.error().detail;
    EXPECT_EQ(server.tls_resumed(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Versions, Resumption, ::testing::Values(TLS1_3_VERSION, TLS1_2_VERSION),
                         [](const auto& info) { return info.param == TLS1_3_VERSION ? "Tls13" : "Tls12"; });

// Why the cache is keyed by name: OpenSSL itself does not check the name again on a resumed handshake. A bare
// client that offers a remote.test session while asking for other.test gets through with no certificate for it.
TEST(ResumptionWithoutTheCache, OpenSslResumesASessionForAnotherNameWithoutChecking) {
    namespace asio = boost::asio;
    TestServer server(remote_test_identity(), closing_hello(), setup(TLS1_3_VERSION));
    asio::io_context io;
    asio::ssl::context tls(asio::ssl::context::tls_client);
    tls.add_certificate_authority(asio::buffer(trusted_ca().certificate_pem()));
    tls.set_verify_mode(asio::ssl::verify_peer);
    SSL_CTX_set_session_cache_mode(tls.native_handle(), SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);

    auto connect = [&](const char* name, SSL_SESSION* offered) {
        auto stream = std::make_unique<asio::ssl::stream<asio::ip::tcp::socket>>(io, tls);
        stream->next_layer().connect({loopback(), server.port()});
        SSL* ssl = stream->native_handle();
        EXPECT_EQ(SSL_set_tlsext_host_name(ssl, name), 1);
        EXPECT_EQ(SSL_set1_host(ssl, name), 1);
        if (offered) {
            EXPECT_EQ(SSL_set_session(ssl, offered), 1);
        }
        boost::system::error_code failed;
        stream->handshake(asio::ssl::stream_base::client, failed);
        EXPECT_FALSE(failed) << name << ": " << failed.message();
        std::string request = std::string("GET / HTTP/1.1\r\nHost: ") + name + "\r\nConnection: close\r\n\r\n";
        asio::write(*stream, asio::buffer(request), failed);
        std::string answer;
        asio::read(*stream, asio::dynamic_buffer(answer), failed);  // to the close; the tickets came before
        EXPECT_NE(answer.find("hello"), std::string::npos);
        return stream;
    };
    auto first = connect("remote.test", nullptr);
    SSL_SESSION* session = SSL_get1_session(first->native_handle());
    ASSERT_NE(session, nullptr);
    auto second = connect("other.test", session);
    EXPECT_EQ(SSL_session_reused(second->native_handle()), 1);
    EXPECT_EQ(SSL_get_verify_result(second->native_handle()), X509_V_OK);  // the remote.test session's result
    SSL_SESSION_free(session);
    EXPECT_EQ(server.tls_resumed(), 1u);
}

}  // namespace
}  // namespace fedblog::transport::test
