// Signed deliveries against a real TLS inbox on loopback that verifies them with the blog's public key, as a
// remote server would: draft-cavage by default, RFC 9421 with the fall-back and its memory per host.
#include "activitypub/remote/signed_post.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_future.hpp>
#include <thread>

#include "tests/support/received_message.hpp"
#include "tests/support/test_ca.hpp"
#include "tests/support/tls_test_server.hpp"

using namespace fedblog;
using namespace fedblog::activitypub::remote;
namespace asio = boost::asio;

namespace {

constexpr std::int64_t now = 1790000000;
const std::string body = R"({"@context":"https://www.w3.org/ns/activitystreams","type":"Create"})";

class SignedPostTest : public ::testing::Test {
protected:
    SignedPostTest()
        : blog_key(keys::KeyPair::generate_rsa()),
          server(ca.issue({"modern.test", "legacy.test"}),
                 [this](const fedblog::testing::TestRequest& request) { return inbox(request); }) {
        transport::ClientOptions options;
        options.public_url = "https://blog.test";
        options.extra_ca_pem = ca.certificate_pem();
        for (const char* host : {"modern.test", "legacy.test"})
            options.static_hosts[host] = {asio::ip::make_address("127.0.0.1")};
        options.address_policy.always_allowed = {asio::ip::make_address("127.0.0.1")};
        client = std::make_unique<transport::HttpClient>(io.get_executor(), options);
        thread = std::thread([this] { io.run(); });
    }
    ~SignedPostTest() override {
        // The thread stops before the client goes: a pooled connection's timer may still fire on it.
        work.reset();
        io.stop();
        thread.join();
        client.reset();
    }

    // Verifies like a remote inbox; legacy.test knows only draft-cavage and answers 401 to anything else.
    fedblog::testing::TestReply inbox(const fedblog::testing::TestRequest& request) {
        fedblog::testing::TestReply reply;
        keys::HttpMessage message = fedblog::testing::received_message(request);
        bool rfc9421 = !message.values("signature-input").empty();
        if (rfc9421 && message.authority.starts_with("legacy.test")) {
            reply.status = 401;
            return reply;
        }
        auto claim = keys::read_signature(message, now);
        bool verified = std::holds_alternative<keys::SignatureClaim>(claim) &&
                        std::get<keys::SignatureClaim>(claim).key_id == key_id &&
                        keys::verify_signature(std::get<keys::SignatureClaim>(claim), blog_key.get()).verified() &&
                        request.body() == body;
        reply.status = verified ? 202 : 401;
        return reply;
    }

    unsigned post(const std::string& host, SchemeMemory& schemes) {
        SignedPoster poster(*client, blog_key, key_id, [] { return now; }, schemes);
        std::string url = "https://" + host + ":" + std::to_string(server.port()) + "/users/bob/inbox";
        auto result = asio::co_spawn(asio::make_strand(io), poster.post(url, body), asio::use_future).get();
        EXPECT_TRUE(result) << (result ? "" : result.error().detail);
        return result ? result->status : 0;
    }

    std::size_t rfc9421_attempts() const {
        std::size_t count = 0;
        for (const auto& request : server.requests())
            if (request.count("signature-input")) ++count;
        return count;
    }

    fedblog::testing::TestCa ca;
    keys::KeyPair blog_key;
    std::string key_id = "https://blog.test/users/blog#main-key";
    fedblog::testing::TestServer server;
    asio::io_context io;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work{std::in_place, asio::make_work_guard(io)};
    std::unique_ptr<transport::HttpClient> client;
    std::thread thread;
};

}  // namespace

TEST_F(SignedPostTest, DraftCavageByDefaultVerifiesAtTheInbox) {
    SchemeMemory schemes(keys::SignatureScheme::cavage);
    EXPECT_EQ(post("legacy.test", schemes), 202u);
    ASSERT_EQ(server.requests().size(), 1u);
    EXPECT_EQ(rfc9421_attempts(), 0u);
    EXPECT_EQ(server.requests()[0][boost::beast::http::field::content_type], "application/activity+json");
}

TEST_F(SignedPostTest, Rfc9421WhenThePeerTakesIt) {
    SchemeMemory schemes(keys::SignatureScheme::rfc9421);
    EXPECT_EQ(post("modern.test", schemes), 202u);
    EXPECT_EQ(server.requests().size(), 1u);
    EXPECT_EQ(rfc9421_attempts(), 1u);
}

TEST_F(SignedPostTest, FallsBackToDraftCavageAndRemembersTheHost) {
    SchemeMemory schemes(keys::SignatureScheme::rfc9421);
    EXPECT_EQ(post("legacy.test", schemes), 202u);
    EXPECT_EQ(server.requests().size(), 2u);  // 401 to RFC 9421, then 202 to draft-cavage
    EXPECT_EQ(post("legacy.test", schemes), 202u);
    EXPECT_EQ(server.requests().size(), 3u);  // knocks once now
    EXPECT_EQ(rfc9421_attempts(), 1u);
    // Another host still gets the preferred scheme.
    EXPECT_EQ(post("modern.test", schemes), 202u);
    EXPECT_EQ(rfc9421_attempts(), 2u);
}
