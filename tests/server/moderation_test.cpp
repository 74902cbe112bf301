// Moderation end to end, over real sockets: a TLS "remote instance" on loopback sends signed replies, Flags
// and follows; the owner's `fedblog block` runs beside the live server on its own connection, as the CLI
// would; the inbox refuses, holds and keeps what it must.
#include <gtest/gtest.h>

#include <iostream>
#include <sstream>

#include "server/admin_commands.hpp"
#include "server/federation.hpp"
#include "server/moderation_commands.hpp"
#include "store/comments.hpp"
#include "store/followers.hpp"
#include "store/reports.hpp"
#include "tests/server/server_fixture.hpp"
#include "tests/support/fake_instance.hpp"

using namespace fedblog;
using fedblog::testing::FakeInstance;
using nlohmann::json;

namespace {

class ModerationTest : public fedblog::testing::ServerFixture {
protected:
    ModerationTest() : remote(ca, {"remote.test", "other.test", "farm.test"}) {
        auto tuning = fedblog::testing::loopback_federation(ca.certificate_pem(), remote.hosts());
        tuning.schedule.time_scale = 0.0005;
        federation_tuning = tuning;
        write_post("bonjour.md", "title: Bonjour\ndate: 2026-11-01\n", "Premier billet.\n");
    }

    void start_blog() {
        start();
        remote.trust_blog_key(url("/users/blog#main-key"), app->key().public_pem());
    }

    fedblog::testing::Reply send(const json& activity, const std::string& signer) {
        return remote.post_signed(port, "/users/blog/inbox", activity, signer + "#main-key");
    }

    void followed_by(const std::string& actor) {
        std::string id = actor + "#follows/1";
        json follow = {{"id", id}, {"type", "Follow"}, {"actor", actor}, {"object", url("/users/blog")}};
        ASSERT_EQ(send(follow, actor).result_int(), 202);
        ASSERT_TRUE(FakeInstance::wait_for([&] { return !of_type("Accept", actor).empty(); }));
    }

    std::vector<fedblog::testing::ReceivedDelivery> of_type(const std::string& type, const std::string& actor = "") const {
        std::vector<fedblog::testing::ReceivedDelivery> found;
        for (const auto& delivery : remote.deliveries())
            if (delivery.body.value("type", "") == type &&
                (actor.empty() || delivery.body["object"].value("actor", "") == actor))
                found.push_back(delivery);
        return found;
    }

    json create_reply(const std::string& actor, int n, const std::string& html, json extra = json::object()) {
        json note = {{"id", actor + "/statuses/" + std::to_string(n)},
                     {"type", "Note"},
                     {"attributedTo", actor},
                     {"inReplyTo", url("/posts/bonjour")},
                     {"content", html},
                     {"published", "2026-11-20T10:00:00Z"},
                     {"to", json::array({"https://www.w3.org/ns/activitystreams#Public"})}};
        note.update(extra);
        return {{"@context", "https://www.w3.org/ns/activitystreams"},
                {"id", note["id"].get<std::string>() + "/activity"},
                {"type", "Create"},
                {"actor", actor},
                {"object", note}};
    }

    // `fedblog <command> ...` as another process would run it: its own App, its own SQLite connection.
    std::string cli(int (*command)(server::App&, const std::vector<std::string>&), std::vector<std::string> words,
                    int expected_status = 0) {
        server::App owner(settings);
        std::ostringstream out;
        auto* previous = std::cout.rdbuf(out.rdbuf());
        int status = command(owner, words);
        std::cout.rdbuf(previous);
        EXPECT_EQ(status, expected_status) << out.str();
        return out.str();
    }

    std::string page() { return client().get("/posts/bonjour").body(); }
    int stored_comments() {
        return app->database().sqlite().execAndGet("SELECT count(*) FROM comments").getInt();
    }

    fedblog::testing::TestCa ca;
    FakeInstance remote;
};

TEST_F(ModerationTest, ABlockedActorOrDomainIsRefusedWith403AndNothingIsWritten) {
    start_blog();
    std::string alice = remote.add_actor("alice");
    std::string bob = remote.add_actor("bob");
    std::string carol = remote.add_actor("carol", "farm.test");
    cli(server::block_command, {"add", alice, "harcèlement"});
    cli(server::block_command, {"add", "farm.test"});

    json create = create_reply(alice, 1, "<p>Coucou</p>");
    auto refused = send(create, alice);
    EXPECT_EQ(refused.result_int(), 403);
    EXPECT_NE(refused.body().find("blocked_actor"), std::string::npos) << refused.body();
    EXPECT_EQ(refused.body().find("harcèlement"), std::string::npos) << "the owner's note stays private";
    auto like = json{{"id", alice + "#likes/1"}, {"type", "Like"}, {"actor", alice}, {"object", url("/posts/bonjour")}};
    EXPECT_EQ(send(like, alice).result_int(), 403);
    auto farm = send(create_reply(carol, 1, "<p>Promo</p>"), carol);
    EXPECT_EQ(farm.result_int(), 403);
    EXPECT_NE(farm.body().find("blocked_domain"), std::string::npos) << farm.body();
    EXPECT_EQ(stored_comments(), 0);
    EXPECT_EQ(app->database().sqlite().execAndGet("SELECT count(*) FROM seen_activities").getInt(), 0);
    EXPECT_EQ(app->database().sqlite().execAndGet("SELECT count(*) FROM reactions").getInt(), 0);

    // Their follow gets a Reject; someone else on the same server is unaffected.
    json follow = {{"id", alice + "#follows/1"}, {"type", "Follow"}, {"actor", alice}, {"object", url("/users/blog")}};
    EXPECT_EQ(send(follow, alice).result_int(), 403);
    ASSERT_TRUE(FakeInstance::wait_for([&] { return !of_type("Reject", alice).empty(); }));
    EXPECT_FALSE(store::Followers(app->database()).find(alice));
    EXPECT_EQ(send(create_reply(bob, 1, "<p>Bonjour</p>"), bob).result_int(), 202);

    // Lifted: alice is heard again.
    cli(server::block_command, {"remove", alice});
    EXPECT_EQ(send(create_reply(alice, 2, "<p>Me revoilà</p>"), alice).result_int(), 202);
}

TEST_F(ModerationTest, BlockingHidesExistingCommentsRemovesFollowersAndSkipsTheDomainInFanOut) {
    start_blog();
    std::string alice = remote.add_actor("alice");
    std::string loner = remote.add_actor("loner", "other.test", false);
    followed_by(alice);
    followed_by(loner);
    auto added = send(create_reply(alice, 1, "<p>Un commentaire d’alice</p>"), alice);
    EXPECT_NE(added.body().find("comment_added"), std::string::npos) << added.body();
    send(create_reply(loner, 1, "<p>Un mot de loner</p>"), loner);
    EXPECT_NE(page().find("Un commentaire d’alice"), std::string::npos);

    std::string handle = "alice@remote.test:" + std::to_string(remote.port());
    std::string out = cli(server::block_command, {"add", handle});
    EXPECT_NE(out.find("1 comment hidden, 1 follower removed"), std::string::npos) << out;
    EXPECT_EQ(page().find("Un commentaire d’alice"), std::string::npos);
    federation->wake_deliveries();
    ASSERT_TRUE(FakeInstance::wait_for([&] { return !of_type("Reject", alice).empty(); }));
    auto reject = of_type("Reject", alice).front();
    EXPECT_TRUE(reject.verified) << reject.failure;
    EXPECT_EQ(reject.path, "/users/alice/inbox");

    cli(server::block_command, {"add", "other.test"});
    ASSERT_TRUE(FakeInstance::wait_for([&] { return !of_type("Reject", loner).empty(); }));
    EXPECT_EQ(store::Followers(app->database()).accepted().size(), 0u);
    // A new post reaches no one on the blocked domain, even through a follower row that slipped in.
    store::Follower slipped;
    slipped.actor_id = remote.actor_id("late", "other.test");
    slipped.inbox = slipped.actor_id + "/inbox";
    slipped.follow_activity_id = slipped.actor_id + "#follow";
    slipped.accepted = true;
    store::Followers(app->database()).save(slipped);
    std::string bob = remote.add_actor("bob");
    followed_by(bob);
    write_post("nouveau.md", "title: Nouveau\ndate: 2026-11-02\n", "Suite.\n");
    resync();
    ASSERT_TRUE(FakeInstance::wait_for([&] { return !of_type("Create").empty(); }));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    for (const auto& create : of_type("Create")) EXPECT_EQ(create.host, "remote.test");

    cli(server::block_command, {"remove", handle});
    EXPECT_NE(page().find("Un commentaire d’alice"), std::string::npos);
}

TEST_F(ModerationTest, AFlagFromAnInstanceActorIsStoredAndListed) {
    start_blog();
    std::string bob = remote.add_actor("bob");
    followed_by(bob);
    send(create_reply(bob, 1, "<p>Achetez des vélos ici</p>"), bob);
    // Mastodon reports from its instance actor, an Application at /actor.
    std::string instance = remote.origin() + "/actor";
    remote.set_document("remote.test", "/actor",
                        {{"@context", {"https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"}},
                         {"id", instance},
                         {"type", "Application"},
                         {"preferredUsername", "remote.test"},
                         {"inbox", instance + "/inbox"},
                         {"publicKey", {{"id", instance + "#main-key"}, {"owner", instance},
                                        {"publicKeyPem", remote.key().public_pem()}}}});
    json flag = {{"@context", "https://www.w3.org/ns/activitystreams"},
                 {"id", remote.origin() + "/0f5d3b3a-reports-1"},
                 {"type", "Flag"},
                 {"actor", instance},
                 {"content", "Spam publicitaire"},
                 {"object", {url("/users/blog"), url("/posts/bonjour"), bob + "/statuses/1"}}};
    auto reply = remote.post_signed(port, "/users/blog/inbox", flag, instance + "#main-key");
    EXPECT_EQ(reply.result_int(), 202);
    EXPECT_NE(reply.body().find("report_received"), std::string::npos) << reply.body();

    // Signed by someone else, and not served at its id: refused like any activity.
    json forged = flag;
    forged["id"] = remote.origin() + "/0f5d3b3a-reports-2";
    auto refused = send(forged, bob);
    EXPECT_EQ(refused.result_int(), 401);
    EXPECT_EQ(store::Reports(app->database()).list("", 10).size(), 1u);

    std::string listed = cli(server::reports_command, {});
    EXPECT_NE(listed.find("from @remote.test@remote.test"), std::string::npos) << listed;
    EXPECT_NE(listed.find("\"Spam publicitaire\""), std::string::npos);
    EXPECT_NE(listed.find("-> the blog's account"), std::string::npos);
    EXPECT_NE(listed.find("-> post bonjour"), std::string::npos);
    EXPECT_NE(listed.find("on bonjour by @bob@remote.test"), std::string::npos);
}

TEST_F(ModerationTest, EachSpamSignalHoldsAReplyEvenFromAFollower) {
    settings.comments_actor_rate = 3;
    start_blog();
    std::string alice = remote.add_actor("alice");
    followed_by(alice);
    auto result = [&](const json& activity) {
        auto reply = send(activity, alice);
        EXPECT_EQ(reply.result_int(), 202) << reply.body();
        return reply.body();
    };
    EXPECT_NE(result(create_reply(alice, 1, "<p>Bien vu 🎉</p>")).find("comment_added"), std::string::npos);
    std::string links = R"(<p><a href="https://spam.example/buy">https://spam.example/buy</a></p>)";
    EXPECT_NE(result(create_reply(alice, 2, links)).find("comment_held"), std::string::npos);
    json tags = json::array();
    std::string mentions;
    for (int i = 0; i < 6; ++i) {
        std::string who = remote.origin() + "/users/p" + std::to_string(i);
        tags.push_back({{"type", "Mention"}, {"href", who}});
        mentions += R"(<a href=")" + who + R"(" class="u-url mention">@p)" + std::to_string(i) + "</a> ";
    }
    EXPECT_NE(result(create_reply(alice, 3, "<p>" + mentions + "venez voir</p>", {{"tag", tags}})).find("comment_held"),
              std::string::npos);
    // A fourth comment in ten minutes: over the actor rate of 3.
    EXPECT_NE(result(create_reply(alice, 4, "<p>Encore moi</p>")).find("comment_held"), std::string::npos);

    std::ostringstream out;
    auto* previous = std::cout.rdbuf(out.rdbuf());
    server::comments_command(*app, {"list", "held"});
    std::cout.rdbuf(previous);
    EXPECT_NE(out.str().find("held: links only"), std::string::npos) << out.str();
    EXPECT_NE(out.str().find("held: mentions 6 accounts (limit 5)"), std::string::npos);
    EXPECT_NE(out.str().find("held: actor rate: more than 3 comments in 10 minutes"), std::string::npos);
    EXPECT_EQ(page().find("spam.example"), std::string::npos);
}

TEST_F(ModerationTest, ServerRateAndNewcomerBurstHoldStrangersInOpenMode) {
    settings.comments_moderation = "open";
    settings.comments_new_per_domain = 2;
    settings.comments_domain_rate = 4;
    start_blog();
    std::vector<std::string> results;
    for (int i = 0; i < 3; ++i) {
        // Display names with emoji and other scripts are ordinary.
        std::string actor = remote.add_actor("n" + std::to_string(i), "farm.test", true, {{"name", "🚲 Ålice 自転車 " + std::to_string(i)}});
        results.push_back(send(create_reply(actor, 1, "<p>Super article</p>"), actor).body());
    }
    EXPECT_NE(results[0].find("comment_added"), std::string::npos) << results[0];
    EXPECT_NE(results[1].find("comment_added"), std::string::npos) << results[1];
    EXPECT_NE(results[2].find("comment_held"), std::string::npos) << results[2];
    auto held = store::Comments(app->database()).recent("held", 10);
    ASSERT_EQ(held.size(), 1u);
    EXPECT_EQ(held[0].held_reason, "newcomer burst (farm.test:" + std::to_string(remote.port()) +
                                       "): more than 2 first-time commenters in an hour");
    // The first two come back: not newcomers any more, but the server is now over its rate.
    std::string n0 = remote.actor_id("n0", "farm.test");
    EXPECT_NE(send(create_reply(n0, 2, "<p>Et aussi</p>"), n0).body().find("comment_added"), std::string::npos);
    auto fifth = send(create_reply(n0, 3, "<p>Encore</p>"), n0).body();
    EXPECT_NE(fifth.find("comment_held"), std::string::npos) << fifth;
    EXPECT_EQ(store::Comments(app->database()).find_by_object_id(n0 + "/statuses/3")->held_reason,
              "server rate (farm.test:" + std::to_string(remote.port()) + "): more than 4 comments in 10 minutes");
    // Elsewhere nothing is held.
    std::string other = remote.add_actor("ok", "other.test");
    EXPECT_NE(send(create_reply(other, 1, "<p>Merci</p>"), other).body().find("comment_added"), std::string::npos);
}

TEST_F(ModerationTest, AnOversizedReplyIsRefusedWithAClearReason) {
    settings.comment_max_bytes = 1024;
    start_blog();
    std::string alice = remote.add_actor("alice");
    followed_by(alice);
    auto reply = send(create_reply(alice, 1, "<p>" + std::string(3000, 'x') + "</p>"), alice);
    EXPECT_EQ(reply.result_int(), 422);
    EXPECT_NE(reply.body().find("comment_too_large"), std::string::npos) << reply.body();
    EXPECT_NE(reply.body().find("limit of 1024"), std::string::npos);
    EXPECT_EQ(stored_comments(), 0);
    EXPECT_EQ(send(create_reply(alice, 2, "<p>Plus court</p>"), alice).result_int(), 202);
    EXPECT_EQ(stored_comments(), 1);
}

}  // namespace
