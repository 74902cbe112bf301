// Hostile federation, one row per forgery or abuse: how the request is built and what the fake instances
// serve, the status and reason the inbox must answer, and then that nothing was written. Each row runs against
// a fresh blog (real SQLite file, real sockets) that already has a follower (alice), a comment and a like
// (bob), and an attacker with a valid key of its own (mallory). "Nothing written" compares the contents of
// every table an inbox can write before and after; a 202 may add its own id to seen_activities and nothing else
// (that is what makes its replay a duplicate), a refusal may not even do that.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <map>
#include <set>

#include "common/time.hpp"
#include "keys/content_digest.hpp"
#include "keys/digest.hpp"
#include "keys/rfc9421.hpp"
#include "tests/server/server_fixture.hpp"
#include "tests/support/fake_instance.hpp"

using namespace fedblog;
using fedblog::testing::FakeInstance;
using fedblog::testing::Headers;
using fedblog::testing::Reply;
using nlohmann::json;

// Each row names only the signing options it changes ({.date_offset = -7200}); the others keep their defaults.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace {

// A request exactly as it goes on the wire.
struct Wire {
    std::string target = "/users/blog/inbox";
    Headers headers;  // Host among them (the client sends localhost:<port> when absent)
    std::string body;
    std::string activity_id;

    std::string header(const std::string& name) const {
        for (const auto& [key, value] : headers)
            if (key == name) return value;
        return {};
    }
    void set(const std::string& name, const std::string& value) {
        for (auto& [key, existing] : headers)
            if (key == name) {
                existing = value;
                return;
            }
        headers.emplace_back(name, value);
    }
    void remove(const std::string& name) {
        std::erase_if(headers, [&](const auto& field) { return field.first == name; });
    }
};

struct CavageOptions {
    std::vector<std::string> covered = {"(request-target)", "host", "date", "digest", "content-type"};
    std::string algorithm = "rsa-sha256";
    std::int64_t date_offset = 0;  // seconds added to now for Date
    std::optional<std::int64_t> created, expires;
    std::string authority;     // the Host header, signed and sent; empty: the blog's
    std::string extra_params;  // appended to the Signature header as is (",keyId=\"…\"")
};

struct Rfc9421Options {
    std::vector<std::string> components = {"@method", "@target-uri", "content-digest"};
    std::optional<std::int64_t> created_offset = 0;  // nullopt: no created parameter
    std::optional<std::int64_t> expires_offset;
    std::string alg = "rsa-v1_5-sha256";
    std::string authority;
};

// RSASSA-PKCS1-v1_5 with SHA-256, base64: what both schemes use with an RSA key. Written here so the test can
// sign what fedblog's own signer refuses to produce (duplicate parameters, expired signatures...).
std::string rsa_sha256(const keys::KeyPair& key, std::string_view data) {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    std::size_t length = 0;
    const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
    if (EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &length, bytes, data.size()) != 1)
        throw std::runtime_error("signing failed");
    std::vector<unsigned char> signature(length);
    if (EVP_DigestSign(ctx.get(), signature.data(), &length, bytes, data.size()) != 1)
        throw std::runtime_error("signing failed");
    signature.resize(length);
    return keys::base64_encode(signature);
}

class ForgeryTest;

struct Case {
    std::string name;
    std::string how;  // one line: the request, and what the fake instances serve
    std::function<void(ForgeryTest&)> arrange;  // before the snapshot; may be empty
    std::function<Wire(ForgeryTest&)> request;
    unsigned status;
    std::string reason;
    std::string detail_contains = {};  // when set, the answer's detail must say it
};

void PrintTo(const Case& row, std::ostream* out) { *out << row.name; }

// Table name → its rows as text, sorted.
using Snapshot = std::map<std::string, std::multiset<std::string>>;

constexpr const char* public_audience = "https://www.w3.org/ns/activitystreams#Public";

class ForgeryTest : public fedblog::testing::ServerFixture, public ::testing::WithParamInterface<Case> {
public:
    ForgeryTest() : remote(ca, {"remote.test", "other.test", "third.test", "metadata.test"}) {
        auto tuning = fedblog::testing::loopback_federation(ca.certificate_pem(), {"remote.test", "other.test", "third.test"});
        // A name that resolves to the cloud metadata address, as a hostile DNS answer would.
        tuning.client.static_hosts["metadata.test"] = {boost::asio::ip::make_address("169.254.169.254")};
        // Only the fake instances' exact address is let through: every other private address stays refused, as
        // in production, so a redirect to one is refused by the real client.
        tuning.client.address_policy.allow_private_addresses = false;
        tuning.schedule.time_scale = 0.0005;
        tuning.poll_interval = std::chrono::milliseconds(50);
        federation_tuning = tuning;
        write_post("velo.md", "title: Vélo\ndate: 2026-11-01\n", "Un billet à commenter.\n");
    }

    // The blog with its history: alice follows, bob commented and liked, mallory's key is known.
    void start_blog() {
        start();
        remote.trust_blog_key(blog_actor() + "#main-key", app->key().public_pem());
        alice = remote.add_actor("alice", "remote.test");
        bob = remote.add_actor("bob", "other.test");
        mallory = remote.add_actor("mallory", "third.test");
        post = url("/posts/velo");

        alice_follow = remote.origin("remote.test") + "/follows/1";
        expect_accepted(send(activity("Follow", alice, blog_actor(), alice_follow), alice), "followed");
        bob_note = remote.add_note(bob, "1", post, "<p>Bravo pour le billet</p>");
        expect_accepted(send(activity("Create", bob, remote.document_at(bob_note), bob_note + "/activity"), bob),
                        "");
        bob_like = bob + "#likes/1";
        expect_accepted(send(activity("Like", bob, post, bob_like), bob), "liked");
        expect_accepted(send(activity("Read", mallory, post, mallory + "#reads/1"), mallory), "ignored");
        ASSERT_TRUE(FakeInstance::wait_for([&] { return pending_deliveries() == 0; })) << "the Accept is still queued";
        auto held = query("SELECT count(*) FROM comments WHERE object_id = '" + bob_note + "'");
        ASSERT_EQ(held, std::multiset<std::string>{"1"});
    }

    using ServerFixture::url;
    std::string blog_actor() const { return url("/users/blog"); }
    std::string blog_authority() const { return "localhost:" + std::to_string(port); }

    static json activity(const std::string& type, const std::string& actor, json object, const std::string& id) {
        return {{"@context", "https://www.w3.org/ns/activitystreams"},
                {"id", id},
                {"type", type},
                {"actor", actor},
                {"object", std::move(object)},
                {"to", json::array({public_audience})}};
    }

    // Signed as Mastodon signs (draft-cavage, rsa-sha256), or as `options` says.
    Wire cavage(const json& body_json, const std::string& key_id, CavageOptions options = {}) const {
        Wire wire;
        wire.body = body_json.dump();
        wire.activity_id = body_json.value("id", "");
        const std::int64_t now = now_seconds();
        keys::HttpMessage message;
        message.method = "POST";
        message.scheme = "http";
        message.authority = options.authority.empty() ? blog_authority() : options.authority;
        message.target = wire.target;
        message.headers = {{"host", message.authority},
                           {"date", format_http_date(now + options.date_offset)},
                           {"digest", keys::digest_header(wire.body)},
                           {"content-type", "application/activity+json"}};
        message.body = wire.body;
        keys::CavageSignature signature;
        signature.key_id = key_id;
        signature.algorithm = options.algorithm;
        signature.headers = options.covered;
        signature.created = options.created;
        signature.expires = options.expires;
        auto text = keys::signing_string(signature, message);
        if (auto* error = std::get_if<keys::SignatureError>(&text)) throw std::runtime_error(error->detail);
        std::string header = "keyId=\"" + key_id + "\",algorithm=\"" + options.algorithm + "\",headers=\"";
        for (std::size_t i = 0; i < options.covered.size(); ++i) header += (i ? " " : "") + options.covered[i];
        header += "\"";
        if (options.created) header += ",created=" + std::to_string(*options.created);
        if (options.expires) header += ",expires=" + std::to_string(*options.expires);
        header += ",signature=\"" + rsa_sha256(remote.key(), std::get<std::string>(text)) + "\"" + options.extra_params;
        wire.headers = message.headers;
        wire.headers.emplace_back("signature", header);
        return wire;
    }

    // RFC 9421, with the parameters written by hand so created and expires can lie.
    Wire rfc9421(const json& body_json, const std::string& key_id, Rfc9421Options options = {}) const {
        Wire wire;
        wire.body = body_json.dump();
        wire.activity_id = body_json.value("id", "");
        const std::int64_t now = now_seconds();
        std::string input = "sig1=(";
        for (std::size_t i = 0; i < options.components.size(); ++i)
            input += (i ? " \"" : "\"") + options.components[i] + "\"";
        input += ")";
        if (options.created_offset) input += ";created=" + std::to_string(now + *options.created_offset);
        if (options.expires_offset) input += ";expires=" + std::to_string(now + *options.expires_offset);
        input += ";keyid=\"" + key_id + "\";alg=\"" + options.alg + "\"";
        keys::HttpMessage message;
        message.method = "POST";
        message.scheme = "http";
        message.authority = options.authority.empty() ? blog_authority() : options.authority;
        message.target = wire.target;
        message.headers = {{"host", message.authority},
                           {"content-type", "application/activity+json"},
                           {"content-digest", keys::content_digest_sha256(wire.body)},
                           {"signature-input", input},
                           {"signature", "sig1=:AAAA:"}};
        message.body = wire.body;
        auto parsed = keys::rfc9421::parse(message);
        if (auto* error = std::get_if<keys::rfc9421::Error>(&parsed)) throw std::runtime_error(error->detail);
        auto base = keys::rfc9421::signature_base(std::get<0>(parsed).front(), message);
        if (auto* error = std::get_if<keys::rfc9421::Error>(&base)) throw std::runtime_error(error->detail);
        message.set("signature", "sig1=:" + rsa_sha256(remote.key(), std::get<std::string>(base)) + ":");
        wire.headers = message.headers;
        return wire;
    }

    Reply post_wire(const Wire& wire) const {
        return client().request(boost::beast::http::verb::post, wire.target, wire.headers, wire.body);
    }
    Reply send(const json& body_json, const std::string& signer) const {
        return post_wire(cavage(body_json, signer + "#main-key"));
    }

    // The reason the inbox gave: the 202 body, or the error's "reason: detail".
    static std::pair<std::string, std::string> reason_of(const Reply& reply) {
        if (reply.result_int() < 400) {
            std::string body = reply.body();
            return {body.substr(0, body.find('\n')), ""};
        }
        json error = json::parse(reply.body(), nullptr, false);
        std::string message = error.is_object() ? error.value("error", "") : reply.body();
        auto colon = message.find(": ");
        return {message.substr(0, colon), colon == std::string::npos ? "" : message.substr(colon + 2)};
    }

    void expect_accepted(const Reply& reply, const std::string& reason) const {
        ASSERT_EQ(reply.result_int(), 202) << reply.body();
        if (!reason.empty()) {
            EXPECT_EQ(reason_of(reply).first, reason);
        }
    }

    std::multiset<std::string> query(const std::string& sql) {
        std::lock_guard lock(app->database().mutex());
        SQLite::Statement statement(app->database().sqlite(), sql);
        std::multiset<std::string> rows;
        while (statement.executeStep()) {
            std::string row;
            for (int i = 0; i < statement.getColumnCount(); ++i) {
                auto column = statement.getColumn(i);
                row += (i ? "|" : "") + (column.isNull() ? std::string("NULL") : column.getString());
            }
            rows.insert(row);
        }
        return rows;
    }

    long pending_deliveries() {
        return std::stol(*query("SELECT count(*) FROM deliveries WHERE state = 'pending'").begin());
    }

    // Every table an inbox can write, whole. Left out: posts and their revisions (the owner's), meta, and hosts
    // (its health record: any validly signed request marks the sender's host as up). remote_actors is compared
    // without fetched_at, since refetching a key after a bad signature is expected; seen_activities by id.
    Snapshot snapshot() {
        Snapshot tables;
        for (const auto& name :
             query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")) {
            if (name == "posts" || name == "post_revisions" || name == "meta" || name == "hosts") continue;
            std::string columns;
            for (const auto& column : query("SELECT name FROM pragma_table_info('" + name + "')"))
                if (!(name == "remote_actors" && column == "fetched_at") &&
                    !(name == "seen_activities" && column == "seen_at"))
                    columns += (columns.empty() ? "" : ", ") + column;
            tables[name] = query("SELECT " + columns + " FROM " + name);
        }
        return tables;
    }

    // carol lives on third.test, and her key id /keys/carol redirects to `location` (a 302).
    std::string carol() const { return remote.actor_id("carol", "third.test"); }
    std::string carols_key() const { return remote.origin("third.test") + "/keys/carol"; }
    void redirect_carols_key(const std::string& location) {
        remote.add_actor("carol", "third.test", true,
                         {{"publicKey", {{"id", carols_key()}, {"owner", carol()}, {"publicKeyPem", remote.key().public_pem()}}}});
        fedblog::testing::TestReply redirect;
        redirect.status = 302;
        redirect.headers = {{"Location", location}};
        remote.set_reply("third.test", "/keys/carol", redirect);
    }

    fedblog::testing::TestCa ca;
    FakeInstance remote;
    std::string alice, bob, mallory, post, alice_follow, bob_note, bob_like;
    Wire kept;  // a request an arrange step sent, for a row to send again
};

std::string describe(const Snapshot& before, const Snapshot& after) {
    std::string out;
    for (const auto& [table, rows] : after) {
        const auto& old = before.contains(table) ? before.at(table) : std::multiset<std::string>{};
        for (const auto& row : rows)
            if (!old.contains(row)) out += "  + " + table + ": " + row + "\n";
        for (const auto& row : old)
            if (!rows.contains(row)) out += "  - " + table + ": " + row + "\n";
    }
    return out;
}

TEST_P(ForgeryTest, IsRefusedAndWritesNothing) {
    const Case& row = GetParam();
    SCOPED_TRACE(row.how);
    start_blog();
    if (HasFatalFailure()) return;
    if (row.arrange) row.arrange(*this);
    if (HasFatalFailure()) return;
    const Snapshot before = snapshot();

    const Wire wire = row.request(*this);
    const Reply reply = post_wire(wire);
    const auto [reason, detail] = reason_of(reply);
    EXPECT_EQ(reply.result_int(), row.status) << reply.body();
    EXPECT_EQ(reason, row.reason) << reply.body();
    if (!row.detail_contains.empty()) {
        EXPECT_NE(detail.find(row.detail_contains), std::string::npos) << detail;
    }

    Snapshot after = snapshot();
    // Acknowledged (202): its id is remembered, so the same id is a duplicate from now on. Nothing else.
    if (reply.result_int() == 202 && !before.at("seen_activities").contains(wire.activity_id)) {
        auto& seen = after.at("seen_activities");
        if (auto found = seen.find(wire.activity_id); found != seen.end()) seen.erase(found);
    }
    EXPECT_TRUE(before == after) << "written by the forged request:\n" << describe(before, after);
}

json note_on(const std::string& id, const std::string& author, const std::string& in_reply_to, const std::string& html) {
    return FakeInstance::note(id, author, in_reply_to, html);
}

std::vector<Case> cases() {
    using T = ForgeryTest;
    // mallory likes the post: valid in every way, so each row below breaks exactly one thing.
    auto like = [](T& t, const std::string& suffix = "1") {
        return T::activity("Like", t.mallory, t.post, t.mallory + "#likes/" + suffix);
    };
    auto key = [](const std::string& actor) { return actor + "#main-key"; };
    std::vector<Case> rows;

    // --- The signature itself -------------------------------------------------------------------------------
    rows.push_back({"Unsigned", "a Like with no Signature header", {}, [=](T& t) {
                        Wire wire = t.cavage(like(t), key(t.mallory));
                        wire.remove("signature");
                        return wire;
                    }, 401, "missing_signature"});
    rows.push_back({"BadSignatureBytes", "mallory's Like, one byte of the signature changed", {}, [=](T& t) {
                        Wire wire = t.cavage(like(t), key(t.mallory));
                        std::string header = wire.header("signature");
                        auto at = header.find("signature=\"") + 11;
                        header[at] = header[at] == 'A' ? 'B' : 'A';
                        wire.set("signature", header);
                        return wire;
                    }, 401, "bad_signature"});
    rows.push_back({"BodySwappedAfterSigning", "signed over a Like, sent with another body (Digest of the first)", {},
                    [=](T& t) {
                        Wire wire = t.cavage(like(t), key(t.mallory));
                        wire.body = like(t, "2").dump();
                        wire.activity_id = t.mallory + "#likes/2";
                        return wire;
                    }, 401, "digest_mismatch"});
    rows.push_back({"DigestRecomputedForSwappedBody",
                    "signed over a Like, sent with another body and a Digest recomputed for it", {}, [=](T& t) {
                        Wire wire = t.cavage(like(t), key(t.mallory));
                        wire.body = like(t, "2").dump();
                        wire.activity_id = t.mallory + "#likes/2";
                        wire.set("digest", keys::digest_header(wire.body));
                        return wire;
                    }, 401, "bad_signature"});
    rows.push_back({"DigestHeaderMissing", "digest covered, the Digest header removed", {}, [=](T& t) {
                        Wire wire = t.cavage(like(t), key(t.mallory));
                        wire.remove("digest");
                        return wire;
                    }, 401, "digest_missing"});
    rows.push_back({"DigestNotCovered", "headers=\"(request-target) host date\": the body is not signed", {},
                    [=](T& t) {
                        return t.cavage(like(t), key(t.mallory), {.covered = {"(request-target)", "host", "date"}});
                    }, 401, "missing_covered_component"});
    rows.push_back({"HostNotCovered", "headers=\"(request-target) date digest\"", {}, [=](T& t) {
                        return t.cavage(like(t), key(t.mallory), {.covered = {"(request-target)", "date", "digest"}});
                    }, 401, "missing_covered_component"});
    rows.push_back({"HostForAnotherAuthority",
                    "signed and sent with Host: mastodon.example (a request meant for another server)", {}, [=](T& t) {
                        return t.cavage(like(t), key(t.mallory), {.authority = "mastodon.example"});
                    }, 421, "wrong_host"});
    rows.push_back({"Rfc9421TargetUriForAnotherAuthority", "RFC 9421 over @target-uri on another authority", {},
                    [=](T& t) { return t.rfc9421(like(t), key(t.mallory), {.authority = "mastodon.example"}); },
                    421, "wrong_host"});
    rows.push_back({"SignedForAnotherInbox", "signed for POST /users/blog/inbox, sent to the shared /inbox", {},
                    [=](T& t) {
                        Wire wire = t.cavage(like(t), key(t.mallory));
                        wire.target = "/inbox";
                        return wire;
                    }, 401, "bad_signature"});
    rows.push_back({"Rfc9421DigestNotCovered", "RFC 9421 over @method and @target-uri only: the body is not signed",
                    {}, [=](T& t) {
                        return t.rfc9421(like(t), key(t.mallory), {.components = {"@method", "@target-uri"}});
                    }, 401, "missing_covered_component"});
    rows.push_back({"StaleDate", "Date two hours ago", {}, [=](T& t) {
                        return t.cavage(like(t), key(t.mallory), {.date_offset = -7200});
                    }, 401, "date_too_old"});
    rows.push_back({"FutureDate", "Date two hours ahead", {}, [=](T& t) {
                        return t.cavage(like(t), key(t.mallory), {.date_offset = 7200});
                    }, 401, "date_in_future"});
    rows.push_back({"CavageCreatedInFuture", "hs2019 covering (created) two hours ahead", {}, [=](T& t) {
                        return t.cavage(like(t), key(t.mallory),
                                        {.covered = {"(request-target)", "host", "(created)", "digest"},
                                         .algorithm = "hs2019",
                                         .created = now_seconds() + 7200});
                    }, 401, "date_in_future"});
    rows.push_back({"CavageExpired", "hs2019, (created) now, expires two hours ago, validly signed", {}, [=](T& t) {
                        return t.cavage(like(t), key(t.mallory),
                                        {.covered = {"(request-target)", "host", "(created)", "(expires)", "digest"},
                                         .algorithm = "hs2019",
                                         .created = now_seconds(),
                                         .expires = now_seconds() - 7200});
                    }, 401, "signature_expired"});
    rows.push_back({"Rfc9421CreatedStale", "RFC 9421, created two hours ago", {}, [=](T& t) {
                        return t.rfc9421(like(t), key(t.mallory), {.created_offset = -7200});
                    }, 401, "date_too_old"});
    rows.push_back({"Rfc9421CreatedInFuture", "RFC 9421, created two hours ahead", {}, [=](T& t) {
                        return t.rfc9421(like(t), key(t.mallory), {.created_offset = 7200});
                    }, 401, "date_in_future"});
    rows.push_back({"Rfc9421Expired", "RFC 9421, created now, expires two hours ago, validly signed", {}, [=](T& t) {
                        return t.rfc9421(like(t), key(t.mallory), {.expires_offset = -7200});
                    }, 401, "signature_expired"});
    rows.push_back({"Rfc9421WithoutCreated", "RFC 9421 with no created parameter (no freshness at all)", {},
                    [=](T& t) { return t.rfc9421(like(t), key(t.mallory), {.created_offset = std::nullopt}); }, 401,
                    "missing_covered_component"});
    rows.push_back({"UnknownAlgorithm", "algorithm=\"rsa-md5\"", {}, [=](T& t) {
                        return t.cavage(like(t), key(t.mallory), {.algorithm = "rsa-md5"});
                    }, 401, "unsupported_algorithm"});
    rows.push_back({"Rfc9421HmacAlgorithm", "RFC 9421 alg=\"hmac-sha256\"", {}, [=](T& t) {
                        return t.rfc9421(like(t), key(t.mallory), {.alg = "hmac-sha256"});
                    }, 401, "unsupported_algorithm"});
    rows.push_back({"DuplicatedParameter", "keyId given twice: mallory's, then alice's", {}, [=](T& t) {
                        return t.cavage(like(t), key(t.mallory), {.extra_params = ",keyId=\"" + key(t.alice) + "\""});
                    }, 401, "duplicate_parameter"});

    // --- Who signed it, and whose it is -----------------------------------------------------------------------
    rows.push_back({"KeyOwnerNotTheActor",
                    "alice's Undo of her Follow (id on alice's origin, not served there), signed with mallory's key",
                    {}, [=](T& t) {
                        json follow = T::activity("Follow", t.alice, t.blog_actor(), t.alice_follow);
                        return t.cavage(T::activity("Undo", t.alice, follow, t.alice_follow + "/undo"), key(t.mallory));
                    }, 401, "signer_not_actor"});
    rows.push_back({"ActorOnAnotherOriginThanKey", "bob's Like (id on bob's origin, not served), signed by mallory", {},
                    [=](T& t) {
                        return t.cavage(T::activity("Like", t.bob, t.post, t.bob + "#likes/forged"), key(t.mallory));
                    }, 401, "signer_not_actor"});
    rows.push_back({"ActorDeleteSignedByAnother", "Delete of bob (actor and object bob) signed by mallory", {},
                    [=](T& t) {
                        return t.cavage(T::activity("Delete", t.bob, t.bob, t.bob + "#delete"), key(t.mallory));
                    }, 401, "signer_not_actor"});
    rows.push_back({"ActorDeleteWithGoneKeyWhileActorLives",
                    "Delete of bob signed under a key id that answers 410, while bob's actor is still served",
                    [](T& t) { t.remote.remove_document("other.test", "/users/bob/keys/old"); }, [=](T& t) {
                        return t.cavage(T::activity("Delete", t.bob, t.bob, t.bob + "#delete"),
                                        t.remote.origin("other.test") + "/users/bob/keys/old");
                    }, 401, "key_gone"});
    rows.push_back({"KeyDocumentOwnerDoesNotListIt",
                    "keyId on mallory's origin: a key document naming bob as owner; bob does not list it",
                    [](T& t) {
                        const std::string id = t.remote.origin("third.test") + "/keys/bobs";
                        t.remote.set_document_at(id, {{"id", id},
                                                      {"owner", t.bob},
                                                      {"publicKeyPem", t.remote.key().public_pem()}});
                    },
                    [=](T& t) {
                        return t.cavage(T::activity("Delete", t.bob, t.bob_note, t.bob_note + "#delete"),
                                        t.remote.origin("third.test") + "/keys/bobs");
                    }, 401, "key_invalid"});
    rows.push_back({"ActorDocumentClaimingAnotherId",
                    "keyId on mallory's origin serving a copy of bob's actor document (bob's id and key)",
                    [](T& t) {
                        t.remote.set_document_at(t.remote.origin("third.test") + "/users/evil",
                                                 t.remote.document_at(t.bob));
                    },
                    [=](T& t) {
                        return t.cavage(T::activity("Delete", t.bob, t.bob_note, t.bob_note + "#delete"),
                                        t.remote.origin("third.test") + "/users/evil#main-key");
                    }, 401, "key_invalid"});
    rows.push_back({"ActivityIdOnSignersOrigin", "bob's Like with an id on mallory's origin, signed by mallory", {},
                    [=](T& t) {
                        return t.cavage(T::activity("Like", t.bob, t.post, t.mallory + "#likes/bob"), key(t.mallory));
                    }, 400, "foreign_activity_id"});
    rows.push_back({"ActivityIdOnAnotherOrigin",
                    "mallory's own Like, but its id is bob's future Delete id (squatting a dedup id)", {}, [=](T& t) {
                        return t.cavage(T::activity("Like", t.mallory, t.post, t.bob_note + "#delete"), key(t.mallory));
                    }, 400, "foreign_activity_id"});

    // --- Objects from other origins ---------------------------------------------------------------------------
    rows.push_back({"CreateObjectOnOtherOriginNotServed",
                    "mallory's Create of a reply whose id is on other.test, which does not serve it", {}, [=](T& t) {
                        std::string id = t.remote.origin("other.test") + "/notes/forged";
                        return t.cavage(T::activity("Create", t.mallory, note_on(id, t.mallory, t.post, "<p>x</p>"),
                                                    t.mallory + "/creates/1"),
                                        key(t.mallory));
                    }, 400, "object_unconfirmed"});
    rows.push_back({"CreateObjectOriginServesAnotherId",
                    "the reply's id is on other.test, which serves a note with another id there",
                    [](T& t) {
                        std::string id = t.remote.origin("other.test") + "/notes/elsewhere";
                        t.remote.set_document_at(id, note_on(id + "-real", t.bob, t.post, "<p>real</p>"));
                    },
                    [=](T& t) {
                        std::string id = t.remote.origin("other.test") + "/notes/elsewhere";
                        return t.cavage(T::activity("Create", t.mallory, note_on(id, t.mallory, t.post, "<p>x</p>"),
                                                    t.mallory + "/creates/2"),
                                        key(t.mallory));
                    }, 400, "object_unconfirmed"});
    rows.push_back({"CreateClaimingBobsNote",
                    "mallory's Create embedding bob's note id with mallory as author: the origin serves bob's",
                    {}, [=](T& t) {
                        return t.cavage(T::activity("Create", t.mallory,
                                                    note_on(t.bob_note, t.mallory, t.post, "<p>volé</p>"),
                                                    t.mallory + "/creates/3"),
                                        key(t.mallory));
                    }, 202, "ignored"});
    rows.push_back({"CreateObjectIdOnOurOrigin", "mallory's reply whose id is /comments/99 on the blog itself", {},
                    [=](T& t) {
                        return t.cavage(T::activity("Create", t.mallory,
                                                    note_on(t.url("/comments/99"), t.mallory, t.post, "<p>x</p>"),
                                                    t.mallory + "/creates/4"),
                                        key(t.mallory));
                    }, 202, "ignored"});
    rows.push_back({"ReplyAttributedToAnother", "mallory's Create of a reply (on mallory's origin) attributed to bob",
                    {}, [=](T& t) {
                        std::string id = t.mallory + "/statuses/5";
                        return t.cavage(T::activity("Create", t.mallory, note_on(id, t.bob, t.post, "<p>x</p>"),
                                                    id + "/activity"),
                                        key(t.mallory));
                    }, 202, "ignored"});
    rows.push_back({"ForwardedReplyNotServedByOrigin",
                    "bob's Create of a reply (ids on other.test, not served) forwarded and signed by mallory", {},
                    [=](T& t) {
                        std::string id = t.bob + "/statuses/66";
                        return t.cavage(T::activity("Create", t.bob, note_on(id, t.bob, t.post, "<p>faux</p>"),
                                                    id + "/activity"),
                                        key(t.mallory));
                    }, 401, "signer_not_actor"});
    rows.push_back({"ForwardedReplyOriginServesAnotherActivity",
                    "forwarded Create by bob; bob's origin serves an Announce at that id",
                    [](T& t) {
                        std::string id = t.bob + "/statuses/67/activity";
                        t.remote.set_document_at(id, T::activity("Announce", t.bob, t.post, id));
                    },
                    [=](T& t) {
                        std::string id = t.bob + "/statuses/67";
                        return t.cavage(T::activity("Create", t.bob, note_on(id, t.bob, t.post, "<p>faux</p>"),
                                                    id + "/activity"),
                                        key(t.mallory));
                    }, 401, "signer_not_actor"});
    rows.push_back({"AnnounceOfForgedObject",
                    "mallory's Announce embedding a note by bob that other.test does not serve", {}, [=](T& t) {
                        std::string id = t.bob + "/statuses/77";
                        return t.cavage(T::activity("Announce", t.mallory, note_on(id, t.bob, t.post, "<p>x</p>"),
                                                    t.mallory + "/announces/1"),
                                        key(t.mallory));
                    }, 400, "object_unconfirmed"});
    rows.push_back({"AnnounceOfObjectServedAsAnother",
                    "mallory's Announce embedding bob's note id; other.test serves a different id there",
                    [](T& t) {
                        std::string id = t.bob + "/statuses/78";
                        t.remote.set_document_at(id, note_on(id + "/other", t.bob, t.post, "<p>real</p>"));
                    },
                    [=](T& t) {
                        std::string id = t.bob + "/statuses/78";
                        return t.cavage(T::activity("Announce", t.mallory, note_on(id, t.bob, t.post, "<p>x</p>"),
                                                    t.mallory + "/announces/2"),
                                        key(t.mallory));
                    }, 400, "object_unconfirmed"});

    // --- Someone else's things ---------------------------------------------------------------------------------
    rows.push_back({"UpdateOfSomeoneElsesComment",
                    "mallory's Update of bob's note, new content, attributedTo mallory", {}, [=](T& t) {
                        json edited = note_on(t.bob_note, t.mallory, t.post, "<p>pwned</p>");
                        edited["updated"] = "2026-11-25T10:00:00Z";
                        return t.cavage(T::activity("Update", t.mallory, edited, t.mallory + "/updates/1"),
                                        key(t.mallory));
                    }, 202, "ignored"});
    rows.push_back({"DeleteOfSomeoneElsesComment", "mallory's Delete naming bob's note", {}, [=](T& t) {
                        return t.cavage(T::activity("Delete", t.mallory, t.bob_note, t.mallory + "/deletes/1"),
                                        key(t.mallory));
                    }, 202, "ignored"});
    rows.push_back({"DeleteOfSomeoneElsesCommentAsTombstone",
                    "mallory's Delete embedding a Tombstone with bob's note id", {}, [=](T& t) {
                        json tombstone = {{"id", t.bob_note}, {"type", "Tombstone"}};
                        return t.cavage(T::activity("Delete", t.mallory, tombstone, t.mallory + "/deletes/2"),
                                        key(t.mallory));
                    }, 202, "ignored"});
    rows.push_back({"UndoOfSomeoneElsesFollow", "mallory's Undo naming alice's Follow by id", {}, [=](T& t) {
                        return t.cavage(T::activity("Undo", t.mallory, t.alice_follow, t.mallory + "/undos/1"),
                                        key(t.mallory));
                    }, 202, "ignored"});
    rows.push_back({"UndoOfSomeoneElsesFollowEmbedded", "mallory's Undo embedding alice's Follow (not served)", {},
                    [=](T& t) {
                        json follow = T::activity("Follow", t.alice, t.blog_actor(), t.alice_follow);
                        return t.cavage(T::activity("Undo", t.mallory, follow, t.mallory + "/undos/2"), key(t.mallory));
                    }, 400, "object_unconfirmed"});
    rows.push_back({"UndoOfSomeoneElsesLike", "mallory's Undo naming bob's Like by id", {}, [=](T& t) {
                        return t.cavage(T::activity("Undo", t.mallory, t.bob_like, t.mallory + "/undos/3"),
                                        key(t.mallory));
                    }, 202, "ignored"});
    rows.push_back({"UndoOfLikeNamingAnotherActor",
                    "mallory's Undo embedding a Like (id on mallory's origin) whose actor is bob", {}, [=](T& t) {
                        json liked = T::activity("Like", t.bob, t.post, t.mallory + "#likes/of-bob");
                        return t.cavage(T::activity("Undo", t.mallory, liked, t.mallory + "/undos/4"), key(t.mallory));
                    }, 202, "ignored"});
    rows.push_back({"FollowOfAnotherActor", "mallory's Follow of bob, sent to the blog's inbox", {}, [=](T& t) {
                        return t.cavage(T::activity("Follow", t.mallory, t.bob, t.mallory + "/follows/1"),
                                        key(t.mallory));
                    }, 202, "ignored"});
    rows.push_back({"MoveToTargetWithoutAlsoKnownAs",
                    "alice's Move to an actor on other.test that does not name alice in alsoKnownAs",
                    [](T& t) { t.remote.add_actor("newalice", "other.test"); }, [=](T& t) {
                        json move = T::activity("Move", t.alice, t.alice, t.alice + "#moves/1");
                        move["target"] = t.remote.actor_id("newalice", "other.test");
                        return t.cavage(move, key(t.alice));
                    }, 400, "move_unconfirmed"});
    rows.push_back({"MoveOfAnotherActor", "mallory's Move of alice to mallory", {}, [=](T& t) {
                        json move = T::activity("Move", t.mallory, t.alice, t.mallory + "#moves/1");
                        move["target"] = t.mallory;
                        return t.cavage(move, key(t.mallory));
                    }, 400, "malformed_activity"});

    // --- Replays -----------------------------------------------------------------------------------------------
    auto mallory_reply = [](T& t) {
        std::string id = t.mallory + "/statuses/9";
        return t.cavage(T::activity("Create", t.mallory, note_on(id, t.mallory, t.post, "<p>Une fois</p>"),
                                    id + "/activity"),
                        t.mallory + "#main-key");
    };
    rows.push_back({"ReplayedActivity", "mallory's accepted reply sent again, byte for byte",
                    [=](T& t) {
                        t.kept = mallory_reply(t);
                        t.expect_accepted(t.post_wire(t.kept), "");
                    },
                    [](T& t) { return t.kept; }, 202, "duplicate"});
    rows.push_back({"ReusedActivityIdForAnotherActivity",
                    "mallory's accepted reply's activity id reused, freshly signed, for a Delete of that reply",
                    [=](T& t) {
                        t.kept = mallory_reply(t);
                        t.expect_accepted(t.post_wire(t.kept), "");
                    },
                    [=](T& t) {
                        std::string id = t.mallory + "/statuses/9";
                        return t.cavage(T::activity("Delete", t.mallory, id, id + "/activity"), key(t.mallory));
                    }, 202, "duplicate"});

    // --- Key fetches ---------------------------------------------------------------------------------------------
    // carol's key id answers a redirect; where it leads is the row's. The real client follows it through the
    // address policy that lets only the fake instances' exact address through, and refuses the hop before
    // connecting. 503 as for any key that cannot be fetched now (addresses get fixed, as for deliveries): each
    // retry is refused the same way, and nothing is fetched or written.
    auto redirected_key = [](std::function<std::string(T&)> location) {
        return [location](T& t) { t.redirect_carols_key(location(t)); };
    };
    auto carols_like = [](T& t) {
        return t.cavage(T::activity("Like", t.carol(), t.post, t.carol() + "#likes/1"), t.carols_key());
    };
    rows.push_back({"KeyFetchRedirectsToMetadataAddress",
                    "carol's key id redirects to metadata.test, which resolves to 169.254.169.254",
                    redirected_key([](T& t) { return t.remote.origin("metadata.test") + "/users/carol"; }), carols_like,
                    503, "key_unavailable", "refused_address (metadata.test has only non-public addresses: 169.254.169.254)"});
    rows.push_back({"KeyFetchRedirectsToPrivateAddress", "carol's key id redirects to https://10.0.0.1/users/carol",
                    redirected_key([](T&) { return std::string("https://10.0.0.1/users/carol"); }), carols_like, 503,
                    "key_unavailable", "refused_address (10.0.0.1 has only non-public addresses: 10.0.0.1)"});
    rows.push_back({"KeyFetchRedirectsToLanAddress", "carol's key id redirects to https://192.168.1.20:8443/users/carol",
                    redirected_key([](T&) { return std::string("https://192.168.1.20:8443/users/carol"); }),
                    carols_like, 503, "key_unavailable",
                    "refused_address (192.168.1.20 has only non-public addresses: 192.168.1.20)"});
    return rows;
}

INSTANTIATE_TEST_SUITE_P(Forgeries, ForgeryTest, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

// The redirect rows prove something only if the same redirect to an allowed address works: here it does, so
// what refuses them is the address alone.
TEST_F(ForgeryTest, AKeyRedirectToAnAllowedAddressIsFollowed) {
    start_blog();
    ASSERT_FALSE(HasFatalFailure());
    redirect_carols_key(carol());
    auto reply = post_wire(cavage(activity("Like", carol(), post, carol() + "#likes/1"), carols_key()));
    EXPECT_EQ(reply.result_int(), 202) << reply.body();
    EXPECT_EQ(reason_of(reply).first, "liked");
    EXPECT_EQ(remote.fetch_count(carols_key()), 1u);
}

}  // namespace
