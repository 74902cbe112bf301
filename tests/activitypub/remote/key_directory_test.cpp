// The key directory against a real TLS "remote instance" on loopback: what it fetches, what it believes,
// what it caches, and that its GETs carry a signature the remote side can verify.
#include "activitypub/remote/key_directory.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_future.hpp>
#include <thread>

#include "activitypub/remote/request_verifier.hpp"
#include "activitypub/remote/signed_fetch.hpp"
#include "keys/signature_policy.hpp"
#include "store/remote_actors.hpp"
#include "tests/support/received_message.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_ca.hpp"
#include "tests/support/tls_test_server.hpp"

using namespace fedblog;
using namespace fedblog::activitypub::remote;
using nlohmann::json;
namespace asio = boost::asio;

namespace {

constexpr std::int64_t now = 1790000000;

class KeyDirectoryTest : public ::testing::Test {
protected:
    KeyDirectoryTest()
        : alice_key(keys::KeyPair::generate_rsa()),
          bob_key(keys::KeyPair::generate_rsa()),
          blog_key(keys::KeyPair::generate_rsa()),
          server(ca.issue({"remote.test"}), [this](const fedblog::testing::TestRequest& request) { return answer(request); }),
          db(dir / "fedblog.db") {
        transport::ClientOptions options;
        options.public_url = "https://blog.test";
        options.extra_ca_pem = ca.certificate_pem();
        options.static_hosts["remote.test"] = {asio::ip::make_address("127.0.0.1")};
        options.address_policy.always_allowed = {asio::ip::make_address("127.0.0.1")};
        client = std::make_unique<transport::HttpClient>(io.get_executor(), options);
        directory = std::make_unique<KeyDirectory>(*client, db, cavage_signer(blog_key, blog_key_id, [] { return now; }),
                                                   KeyDirectory::Options{}, [this] { return clock; });
        for (int i = 0; i < 2; ++i) threads.emplace_back([this] { io.run(); });
    }

    ~KeyDirectoryTest() override {
        // The threads stop first: a pooled connection's timer may still fire on them while the client goes.
        work.reset();
        io.stop();
        for (auto& thread : threads) thread.join();
        directory.reset();
        client.reset();
    }

    std::string remote(const std::string& path) const { return "https://remote.test:" + std::to_string(server.port()) + path; }

    json actor(const std::string& path, const keys::KeyPair& key, const std::string& key_path) const {
        return {{"@context", json::array({"https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"})},
                {"id", remote(path)},
                {"type", "Person"},
                {"preferredUsername", path.substr(path.rfind('/') + 1)},
                {"inbox", remote(path + "/inbox")},
                {"publicKey", {{"id", remote(key_path)}, {"owner", remote(path)}, {"publicKeyPem", key.public_pem()}}}};
    }

    fedblog::testing::TestReply answer(const fedblog::testing::TestRequest& request) {
        std::string target(request.target());
        auto reply = [](json body) {
            fedblog::testing::TestReply ok;
            ok.headers = {{"Content-Type", "application/activity+json"}};
            ok.body = body.dump();
            return ok;
        };
        auto status = [](unsigned code) {
            fedblog::testing::TestReply failed;
            failed.status = code;
            return failed;
        };
        if (target == "/users/alice")
            return reply(actor("/users/alice", alice_rotated ? alice_new_key : alice_key, "/users/alice#main-key"));
        if (target == "/users/bob") return reply(actor("/users/bob", bob_key, "/keys/bob"));
        if (target == "/keys/bob")
            return reply({{"id", remote("/keys/bob")}, {"owner", remote("/users/bob")}, {"publicKeyPem", bob_key.public_pem()}});
        // Claims alice owns it, but alice's actor lists only her own main key.
        if (target == "/keys/forged")
            return reply({{"id", remote("/keys/forged")}, {"owner", remote("/users/alice")}, {"publicKeyPem", bob_key.public_pem()}});
        // An actor served under another path than its id.
        if (target == "/users/mallory") return reply(actor("/users/alice", bob_key, "/users/alice#main-key"));
        if (target == "/users/slow") {  // answers after a while, so that fetches of it overlap
            auto slow = reply(actor("/users/slow", bob_key, "/users/slow#main-key"));
            slow.delay = std::chrono::milliseconds(300);
            return slow;
        }
        if (target == "/users/gone") return status(410);
        if (target == "/users/broken") return status(500);
        return status(404);
    }

    // A delivery from alice to our inbox, signed with `key`.
    keys::HttpMessage delivery(const keys::KeyPair& key, const std::string& key_path = "/users/alice#main-key") {
        keys::HttpMessage request{"POST", "https", "blog.test", "/users/blog/inbox", {{"host", "blog.test"}}, body};
        keys::sign_request(request, key, remote(key_path), keys::default_covered(request), now);
        return request;
    }

    RequestVerification verify(const keys::HttpMessage& request) {
        return asio::co_spawn(asio::make_strand(io), verify_request(*directory, request, now), asio::use_future).get();
    }

    std::string body = R"({"@context":"https://www.w3.org/ns/activitystreams","type":"Like"})";

    KeyResult<VerifiedKey> lookup(const std::string& key_id, bool refresh = false) {
        return asio::co_spawn(asio::make_strand(io), directory->lookup(key_id, refresh), asio::use_future).get();
    }

    fedblog::testing::TempDir dir;
    fedblog::testing::TestCa ca;
    keys::KeyPair alice_key, bob_key, blog_key;
    keys::KeyPair alice_new_key = keys::KeyPair::generate_rsa();
    std::atomic<bool> alice_rotated{false};
    std::string blog_key_id = "https://blog.test/users/blog#main-key";
    fedblog::testing::TestServer server;
    store::Database db;
    asio::io_context io;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work{std::in_place, asio::make_work_guard(io)};
    std::unique_ptr<transport::HttpClient> client;
    std::unique_ptr<KeyDirectory> directory;
    std::vector<std::thread> threads;
    std::int64_t clock = now;
};

}  // namespace

TEST_F(KeyDirectoryTest, FetchesTheActorKeyWithASignedGet) {
    auto result = lookup(remote("/users/alice#main-key"));
    auto* key = std::get_if<VerifiedKey>(&result);
    ASSERT_NE(key, nullptr) << std::get<KeyError>(result).detail;
    EXPECT_EQ(key->actor_id, remote("/users/alice"));
    EXPECT_EQ(EVP_PKEY_eq(key->key.get(), alice_key.get()), 1);

    auto requests = server.requests();
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(requests[0].target(), "/users/alice");  // the fragment is not sent
    EXPECT_NE(std::string(requests[0][boost::beast::http::field::accept]).find("application/activity+json"), std::string::npos);
    // The remote side can verify our GET with the blog's public key.
    keys::HttpMessage seen = fedblog::testing::received_message(requests[0]);
    auto claim = keys::read_signature(seen, now);
    auto* parsed = std::get_if<keys::SignatureClaim>(&claim);
    ASSERT_NE(parsed, nullptr) << std::get<keys::VerificationFailure>(claim).detail;
    EXPECT_EQ(parsed->key_id, blog_key_id);
    EXPECT_TRUE(keys::verify_signature(*parsed, blog_key.get()).verified());

    // The store keeps what comments will show.
    auto row = store::RemoteActors(db).find(remote("/users/alice"));
    ASSERT_TRUE(row);
    EXPECT_EQ(row->handle, "alice@remote.test:" + std::to_string(server.port()));
    EXPECT_EQ(row->inbox, remote("/users/alice/inbox"));
}

TEST_F(KeyDirectoryTest, ConcurrentLookupsShareOneFetchAndLaterOnesHitTheCache) {
    std::vector<std::future<KeyResult<VerifiedKey>>> lookups;
    for (int i = 0; i < 20; ++i)
        lookups.push_back(asio::co_spawn(asio::make_strand(io), directory->lookup(remote("/users/alice#main-key")),
                                         asio::use_future));
    for (auto& pending : lookups) EXPECT_TRUE(std::holds_alternative<VerifiedKey>(pending.get()));
    EXPECT_EQ(directory->fetch_count(), 1u);
    EXPECT_EQ(server.requests().size(), 1u);
    EXPECT_TRUE(std::holds_alternative<VerifiedKey>(lookup(remote("/users/alice#main-key"))));
    EXPECT_EQ(server.requests().size(), 1u);

    // A new directory (a restart) reads the store, not the network.
    KeyDirectory restarted(*client, db, {}, KeyDirectory::Options{}, [this] { return clock; });
    auto again = asio::co_spawn(asio::make_strand(io), restarted.lookup(remote("/users/alice#main-key")), asio::use_future).get();
    EXPECT_TRUE(std::holds_alternative<VerifiedKey>(again));
    EXPECT_EQ(server.requests().size(), 1u);
}

// The inbox's fetcher (actors, objects, ancestors): concurrent fetches of one URL share one request; once it
// is answered, a later fetch asks again (this is no cache).
TEST_F(KeyDirectoryTest, ConcurrentDocumentFetchesOfOneUrlShareOneRequest) {
    DocumentFetcher fetcher(*client, {});
    std::vector<std::future<FetchResult>> fetches;
    for (int i = 0; i < 30; ++i)
        fetches.push_back(asio::co_spawn(asio::make_strand(io), fetcher.fetch(remote("/users/slow")), asio::use_future));
    fetches.push_back(asio::co_spawn(asio::make_strand(io), fetcher.fetch(remote("/users/bob")), asio::use_future));
    for (auto& pending : fetches) {
        auto result = pending.get();
        ASSERT_TRUE(std::holds_alternative<FetchedDocument>(result)) << std::get<FetchError>(result).detail;
    }
    auto count = [this](const std::string& path) {
        std::size_t found = 0;
        for (const auto& request : server.requests()) found += request.target() == path;
        return found;
    };
    EXPECT_EQ(count("/users/slow"), 1u);
    EXPECT_EQ(count("/users/bob"), 1u);
    auto later = asio::co_spawn(asio::make_strand(io), fetcher.fetch(remote("/users/slow")), asio::use_future).get();
    EXPECT_TRUE(std::holds_alternative<FetchedDocument>(later));
    EXPECT_EQ(count("/users/slow"), 2u);
}

TEST_F(KeyDirectoryTest, RefreshAndAgeRefetch) {
    lookup(remote("/users/alice#main-key"));
    lookup(remote("/users/alice#main-key"), true);  // after a failed verification: refetch once
    EXPECT_EQ(server.requests().size(), 2u);
    clock += 25 * 3600;  // older than the refresh age
    lookup(remote("/users/alice#main-key"));
    EXPECT_EQ(server.requests().size(), 3u);
}

TEST_F(KeyDirectoryTest, KeyDocumentIsBelievedOnlyWhenItsOwnerListsIt) {
    auto bob = lookup(remote("/keys/bob"));
    ASSERT_TRUE(std::holds_alternative<VerifiedKey>(bob)) << std::get<KeyError>(bob).detail;
    EXPECT_EQ(std::get<VerifiedKey>(bob).actor_id, remote("/users/bob"));

    auto forged = lookup(remote("/keys/forged"));
    ASSERT_TRUE(std::holds_alternative<KeyError>(forged));
    EXPECT_EQ(std::get<KeyError>(forged).kind, KeyErrorKind::invalid);
    EXPECT_NE(std::get<KeyError>(forged).detail.find("does not list the key"), std::string::npos)
        << std::get<KeyError>(forged).detail;
}

TEST_F(KeyDirectoryTest, FailuresAreTypedForTheInbox) {
    auto spoofed = lookup(remote("/users/mallory#main-key"));
    ASSERT_TRUE(std::holds_alternative<KeyError>(spoofed));
    EXPECT_EQ(std::get<KeyError>(spoofed).kind, KeyErrorKind::invalid);
    EXPECT_EQ(std::get<KeyError>(lookup(remote("/users/gone#main-key"))).kind, KeyErrorKind::gone);
    EXPECT_EQ(std::get<KeyError>(lookup(remote("/users/broken#main-key"))).kind, KeyErrorKind::unavailable);
    EXPECT_EQ(std::get<KeyError>(lookup("http://remote.test/users/alice#main-key")).kind, KeyErrorKind::invalid);
    // A private address is refused by the transport's guard: unavailable, never a key.
    auto internal = lookup("https://127.0.0.2/users/alice#main-key");
    ASSERT_TRUE(std::holds_alternative<KeyError>(internal));
}

TEST_F(KeyDirectoryTest, ForgettingAnActorDropsItsKeys) {
    lookup(remote("/users/alice#main-key"));
    directory->forget_actor(remote("/users/alice"));
    EXPECT_FALSE(store::RemoteActors(db).find_by_key_id(remote("/users/alice#main-key")));
    lookup(remote("/users/alice#main-key"));
    EXPECT_EQ(server.requests().size(), 2u);
}

TEST_F(KeyDirectoryTest, InboxVerificationNamesTheSigner) {
    auto outcome = verify(delivery(alice_key));
    ASSERT_TRUE(std::holds_alternative<VerifiedRequest>(outcome)) << std::get<RejectedRequest>(outcome).detail;
    EXPECT_EQ(std::get<VerifiedRequest>(outcome).actor_id, remote("/users/alice"));
}

TEST_F(KeyDirectoryTest, ARotatedKeyIsFetchedAgainOnce) {
    ASSERT_TRUE(std::holds_alternative<VerifiedRequest>(verify(delivery(alice_key))));
    alice_rotated = true;  // alice's server now publishes a new key; ours is cached
    auto outcome = verify(delivery(alice_new_key));
    ASSERT_TRUE(std::holds_alternative<VerifiedRequest>(outcome)) << std::get<RejectedRequest>(outcome).detail;
    EXPECT_EQ(server.requests().size(), 2u);
}

TEST_F(KeyDirectoryTest, AForgedSignatureIsRefusedAfterOneRefetch) {
    ASSERT_TRUE(std::holds_alternative<VerifiedRequest>(verify(delivery(alice_key))));
    auto outcome = verify(delivery(bob_key));  // claims alice's key id, signed by someone else
    ASSERT_TRUE(std::holds_alternative<RejectedRequest>(outcome));
    EXPECT_EQ(std::get<RejectedRequest>(outcome).status, 401u);
    EXPECT_EQ(std::get<RejectedRequest>(outcome).reason, "bad_signature");
    EXPECT_EQ(server.requests().size(), 2u);  // one refetch, no more
    // A signature checked against a key fetched just now is not fetched again.
    directory->forget_actor(remote("/users/alice"));
    verify(delivery(bob_key));
    EXPECT_EQ(server.requests().size(), 3u);
}

TEST_F(KeyDirectoryTest, InboxVerificationStatuses) {
    auto unsigned_request = delivery(alice_key);
    std::erase_if(unsigned_request.headers, [](const auto& h) { return h.first == "signature"; });
    auto missing = std::get<RejectedRequest>(verify(unsigned_request));
    EXPECT_EQ(missing.status, 401u);
    EXPECT_EQ(missing.reason, "missing_signature");
    EXPECT_EQ(server.requests().size(), 0u);  // no key fetched for a request that fails anyway

    auto unavailable = std::get<RejectedRequest>(verify(delivery(alice_key, "/users/broken#main-key")));
    EXPECT_EQ(unavailable.status, 503u);
    auto gone = std::get<RejectedRequest>(verify(delivery(alice_key, "/users/gone#main-key")));
    EXPECT_EQ(gone.status, 401u);
    EXPECT_EQ(gone.reason, "key_gone");
}
