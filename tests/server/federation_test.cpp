// The server's federation side end to end, over real sockets: a TLS "remote instance" on loopback follows the
// blog with signed activities, receives signed Accepts and the Create/Update/Delete of posts, and sees the
// inbox refuse what it must.
#include "server/federation.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "common/time.hpp"
#include "server/admin_commands.hpp"
#include "store/comments.hpp"
#include "store/followers.hpp"
#include "tests/server/server_fixture.hpp"
#include "tests/support/fake_instance.hpp"

using namespace fedblog;
using fedblog::testing::FakeInstance;
using fedblog::testing::ReceivedDelivery;
using nlohmann::json;

namespace {

class FederationTest : public fedblog::testing::ServerFixture {
protected:
    FederationTest() : remote(ca, {"remote.test", "other.test", "blocked.test"}) {
        settings.blocked_domains = {"blocked.test"};
        auto tuning = fedblog::testing::loopback_federation(ca.certificate_pem(), remote.hosts());
        tuning.schedule.time_scale = 0.0005;
        federation_tuning = tuning;
    }

    void start_blog() {
        start();
        remote.trust_blog_key(blog_actor() + "#main-key", app->key().public_pem());
    }

    std::string blog_actor() const { return url("/users/blog"); }

    json follow(const std::string& actor, const std::string& id) const {
        return {{"@context", "https://www.w3.org/ns/activitystreams"},
                {"id", id},
                {"type", "Follow"},
                {"actor", actor},
                {"object", blog_actor()}};
    }

    fedblog::testing::Reply send(const json& activity, const std::string& signer_actor,
                                 const std::string& target = "/users/blog/inbox") {
        return remote.post_signed(port, target, activity, signer_actor + "#main-key");
    }

    // The actor follows and its Accept has arrived.
    void followed_by(const std::string& actor) {
        auto follow_id = actor + "#follows/" + std::to_string(++follow_counter);
        ASSERT_EQ(send(follow(actor, follow_id), actor).result_int(), 202);
        ASSERT_TRUE(FakeInstance::wait_for([&] { return accepted(follow_id); })) << "no Accept for " << follow_id;
    }

    bool accepted(const std::string& follow_id) const {
        for (const auto& delivery : remote.deliveries())
            if (delivery.body.value("type", "") == "Accept" && delivery.body["object"].value("id", "") == follow_id)
                return true;
        return false;
    }

    std::vector<ReceivedDelivery> of_type(const std::string& type, const std::string& path = "") const {
        std::vector<ReceivedDelivery> found;
        for (const auto& delivery : remote.deliveries())
            if (delivery.body.value("type", "") == type && (path.empty() || delivery.path == path))
                found.push_back(delivery);
        return found;
    }

    long followers_total() {
        auto reply = client().get_activity("/users/blog/followers");
        return json::parse(reply.body()).value("totalItems", -1L);
    }

    fedblog::testing::TestCa ca;
    FakeInstance remote;
    int follow_counter = 0;
};

TEST_F(FederationTest, AFollowGetsASignedAcceptEmbeddingIt) {
    start_blog();
    std::string alice = remote.add_actor("alice");
    json activity = follow(alice, remote.origin() + "/follows/1");
    auto reply = send(activity, alice);
    EXPECT_EQ(reply.result_int(), 202) << reply.body();

    ASSERT_TRUE(FakeInstance::wait_for([&] { return !of_type("Accept").empty(); }));
    auto accept = of_type("Accept").front();
    EXPECT_TRUE(accept.verified) << accept.failure;
    EXPECT_FALSE(accept.rfc9421);  // draft-cavage unless told otherwise: what every server verifies
    EXPECT_EQ(accept.key_id, blog_actor() + "#main-key");
    EXPECT_EQ(accept.path, "/users/alice/inbox");  // Accept goes to the personal inbox
    EXPECT_EQ(accept.body["actor"], blog_actor());
    EXPECT_EQ(accept.body["object"]["id"], activity["id"]);
    EXPECT_EQ(accept.body["object"]["type"], "Follow");
    EXPECT_EQ(accept.body["object"]["actor"], alice);
    EXPECT_EQ(followers_total(), 1);
    auto stored = store::Followers(app->database()).find(alice);
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->inbox, alice + "/inbox");
    EXPECT_EQ(stored->shared_inbox, remote.origin() + "/inbox");
    EXPECT_EQ(stored->display_name, "Display alice");
}

TEST_F(FederationTest, AFollowSignedWithRfc9421IsAcceptedToo) {
    start_blog();
    std::string alice = remote.add_actor("alice");
    json activity = follow(alice, remote.origin() + "/follows/9421");
    auto reply = remote.post_signed(port, "/inbox", activity, alice + "#main-key", "application/activity+json",
                                    FakeInstance::Scheme::rfc9421);
    EXPECT_EQ(reply.result_int(), 202) << reply.body();
    ASSERT_TRUE(FakeInstance::wait_for([&] { return accepted(remote.origin() + "/follows/9421"); }));
}

TEST_F(FederationTest, DeliveriesCanBeSignedWithRfc9421) {
    settings.signature_scheme = "rfc9421";
    start_blog();
    std::string alice = remote.add_actor("alice");
    followed_by(alice);
    auto accept = of_type("Accept").front();
    EXPECT_TRUE(accept.verified) << accept.failure;
    EXPECT_TRUE(accept.rfc9421);
    EXPECT_EQ(accept.key_id, blog_actor() + "#main-key");
}

TEST_F(FederationTest, PostsReachFollowersAsCreateUpdateDeleteUntilTheyUnfollow) {
    start_blog();
    std::string alice = remote.add_actor("alice");
    followed_by(alice);

    write_post("nouveau.md", "title: Nouveau\ndate: 2026-11-01\n", "Premier jet.\n");
    resync();
    ASSERT_TRUE(FakeInstance::wait_for([&] { return !of_type("Create").empty(); }));
    auto create = of_type("Create").front();
    EXPECT_TRUE(create.verified) << create.failure;
    EXPECT_EQ(create.path, "/inbox");  // the shared inbox
    EXPECT_EQ(create.body["object"]["id"], url("/posts/nouveau"));

    write_post("nouveau.md", "title: Nouveau\ndate: 2026-11-01\n", "Second jet, corrigé.\n");
    resync();
    ASSERT_TRUE(FakeInstance::wait_for([&] { return !of_type("Update").empty(); }));
    auto update = of_type("Update").front();
    EXPECT_TRUE(update.verified);
    EXPECT_EQ(update.body["object"]["id"], url("/posts/nouveau"));
    EXPECT_TRUE(update.body["object"].contains("updated"));

    std::filesystem::remove(dir / "content" / "nouveau.md");
    resync();
    ASSERT_TRUE(FakeInstance::wait_for([&] { return !of_type("Delete").empty(); }));
    auto removed = of_type("Delete").front();
    EXPECT_EQ(removed.body["object"]["type"], "Tombstone");
    EXPECT_EQ(removed.body["object"]["id"], url("/posts/nouveau"));

    json undo = {{"@context", "https://www.w3.org/ns/activitystreams"},
                 {"id", alice + "#follows/1/undo"},
                 {"type", "Undo"},
                 {"actor", alice},
                 {"object", follow(alice, alice + "#follows/1")}};
    EXPECT_EQ(send(undo, alice).result_int(), 202);
    EXPECT_EQ(followers_total(), 0);
    write_post("apres.md", "title: Après\ndate: 2026-11-02\n", "Personne ne suit.\n");
    resync();
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    EXPECT_EQ(of_type("Create").size(), 1u);
}

TEST_F(FederationTest, EachSharedInboxGetsOneCopy) {
    start_blog();
    for (int i = 0; i < 12; ++i) followed_by(remote.add_actor("reader" + std::to_string(i)));
    std::string loner = remote.add_actor("loner", "other.test", false);
    followed_by(loner);
    write_post("annonce.md", "title: Annonce\ndate: 2026-11-03\n", "Pour tout le monde.\n");
    resync();
    ASSERT_TRUE(FakeInstance::wait_for([&] { return of_type("Create").size() >= 2; }));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_EQ(of_type("Create", "/inbox").size(), 1u);
    EXPECT_EQ(of_type("Create", "/users/loner/inbox").size(), 1u);  // no shared inbox: the personal one
    EXPECT_EQ(of_type("Create").size(), 2u);
}

TEST_F(FederationTest, TheInboxRefusesWhatItCannotTrust) {
    start_blog();
    std::string alice = remote.add_actor("alice");
    std::string bob = remote.add_actor("bob");
    json activity = follow(alice, remote.origin() + "/follows/2");

    auto unsigned_reply = client().request(boost::beast::http::verb::post, "/users/blog/inbox",
                                           {{"Content-Type", "application/activity+json"}}, activity.dump());
    EXPECT_EQ(unsigned_reply.result_int(), 401);
    EXPECT_NE(unsigned_reply.body().find("signature"), std::string::npos) << unsigned_reply.body();

    auto wrong_type = remote.post_signed(port, "/inbox", activity, alice + "#main-key", "text/plain");
    EXPECT_EQ(wrong_type.result_int(), 415);

    // Signed by alice, claiming to be bob's, and bob's origin does not serve it.
    json forged = follow(bob, remote.origin() + "/follows/forged");
    auto forged_reply = send(forged, alice);
    EXPECT_EQ(forged_reply.result_int(), 401);
    EXPECT_NE(forged_reply.body().find("signer_not_actor"), std::string::npos) << forged_reply.body();

    json no_actor = {{"id", remote.origin() + "/x"}, {"type", "Like"}};
    EXPECT_EQ(send(no_actor, alice).result_int(), 400);

    EXPECT_EQ(followers_total(), 0);
    EXPECT_TRUE(store::Followers(app->database()).accepted().empty());
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_TRUE(remote.deliveries().empty());
}

TEST_F(FederationTest, HostileBodiesGetAClearErrorAndTheServerStaysUp) {
    start_blog();
    auto post = [&](const std::string& body) {
        return client().request(boost::beast::http::verb::post, "/inbox",
                                {{"Content-Type", "application/activity+json"}}, body);
    };
    std::string deep(400000, '[');  // nesting a recursive parser would die on
    EXPECT_EQ(post(deep + std::string(400000, ']')).result_int(), 400);
    EXPECT_EQ(post(deep).result_int(), 400);
    EXPECT_EQ(post("{\"id\": 1}").result_int(), 400);
    EXPECT_EQ(post(std::string("\xff\xfe{}")).result_int(), 400);
    // Announced too large: refused from the header, before any of the body is read.
    auto too_large = client().raw("POST /inbox HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/activity+json\r\n"
                                  "Content-Length: 2097152\r\n\r\n");
    EXPECT_EQ(too_large.result_int(), 413);
    EXPECT_EQ(client().get("/healthz").result_int(), 200);
}

TEST_F(FederationTest, AnActivitySignedByAnotherIsBelievedAsItsOriginServesIt) {
    start_blog();
    std::string alice = remote.add_actor("alice");
    std::string bob = remote.add_actor("bob");
    json relayed = follow(bob, remote.origin() + "/follows/relayed");
    remote.set_document("remote.test", "/follows/relayed", relayed);
    EXPECT_EQ(send(relayed, alice).result_int(), 202);
    ASSERT_TRUE(FakeInstance::wait_for([&] { return accepted(remote.origin() + "/follows/relayed"); }));
    EXPECT_TRUE(store::Followers(app->database()).find(bob));
}

TEST_F(FederationTest, RepeatedActivitiesAreAcknowledgedOnce) {
    start_blog();
    std::string alice = remote.add_actor("alice");
    json activity = follow(alice, remote.origin() + "/follows/3");
    EXPECT_EQ(send(activity, alice).result_int(), 202);
    auto again = send(activity, alice);
    EXPECT_EQ(again.result_int(), 202);
    EXPECT_NE(again.body().find("duplicate"), std::string::npos);
    ASSERT_TRUE(FakeInstance::wait_for([&] { return accepted(remote.origin() + "/follows/3"); }));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_EQ(of_type("Accept").size(), 1u);
}

TEST_F(FederationTest, BlockedDomainsAreRefusedAndTheirFollowsRejected) {
    start_blog();
    std::string mallory = remote.add_actor("mallory", "blocked.test");
    json like = {{"id", remote.origin("blocked.test") + "/likes/1"},
                 {"type", "Like"},
                 {"actor", mallory},
                 {"object", url("/posts/x")}};
    EXPECT_EQ(send(like, mallory).result_int(), 403);
    EXPECT_EQ(send(follow(mallory, remote.origin("blocked.test") + "/follows/1"), mallory).result_int(), 403);
    ASSERT_TRUE(FakeInstance::wait_for([&] { return !of_type("Reject").empty(); }));
    auto reject = of_type("Reject").front();
    EXPECT_TRUE(reject.verified);
    EXPECT_EQ(reject.path, "/users/mallory/inbox");
    EXPECT_EQ(followers_total(), 0);
}

TEST_F(FederationTest, ManualApprovalHoldsFollowsUntilTheOwnerDecides) {
    settings.manually_approves_followers = true;
    start_blog();
    std::string alice = remote.add_actor("alice");
    std::string bob = remote.add_actor("bob");
    EXPECT_EQ(send(follow(alice, alice + "#follows/1"), alice).result_int(), 202);
    EXPECT_EQ(send(follow(bob, bob + "#follows/1"), bob).result_int(), 202);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_TRUE(remote.deliveries().empty());
    EXPECT_EQ(followers_total(), 0);
    EXPECT_EQ(store::Followers(app->database()).pending().size(), 2u);

    EXPECT_EQ(server::followers_command(*app, {"approve", alice}), 0);
    EXPECT_EQ(server::followers_command(*app, {"reject", bob}), 0);
    EXPECT_EQ(server::followers_command(*app, {"approve", "nobody@nowhere"}), 1);
    federation->wake_deliveries();
    ASSERT_TRUE(FakeInstance::wait_for([&] { return accepted(alice + "#follows/1") && !of_type("Reject").empty(); }));
    EXPECT_EQ(of_type("Reject").front().body["object"]["id"], bob + "#follows/1");
    EXPECT_EQ(followers_total(), 1);
}

TEST_F(FederationTest, ActorDeletionsForgetFollowersWithoutFetchingUnknownActors) {
    start_blog();
    std::string stranger = remote.actor_id("stranger");
    json stranger_delete = {{"id", stranger + "#delete"}, {"type", "Delete"}, {"actor", stranger}, {"object", stranger}};
    auto reply = send(stranger_delete, stranger);
    EXPECT_EQ(reply.result_int(), 202);
    for (const auto& path : remote.fetched_paths()) EXPECT_EQ(path.find("stranger"), std::string::npos) << path;

    std::string alice = remote.add_actor("alice");
    followed_by(alice);
    remote.remove_document("remote.test", "/users/alice");
    json alice_delete = {{"id", alice + "#delete"}, {"type", "Delete"}, {"actor", alice}, {"object", alice}};
    EXPECT_EQ(send(alice_delete, alice).result_int(), 202);
    EXPECT_EQ(followers_total(), 0);
}

TEST_F(FederationTest, AMovedFollowerFollowsFromTheNewAccount) {
    start_blog();
    std::string alice = remote.add_actor("alice");
    followed_by(alice);
    std::string carol = remote.add_actor("carol");  // does not name alice: not a real migration
    json bad_move = {{"id", alice + "#moves/1"}, {"type", "Move"}, {"actor", alice}, {"object", alice}, {"target", carol}};
    EXPECT_EQ(send(bad_move, alice).result_int(), 400);

    std::string bob = remote.add_actor("bob", "other.test", true, {{"alsoKnownAs", {alice}}});
    json move = {{"id", alice + "#moves/2"}, {"type", "Move"}, {"actor", alice}, {"object", alice}, {"target", bob}};
    EXPECT_EQ(send(move, alice).result_int(), 202);
    store::Followers followers(app->database());
    EXPECT_FALSE(followers.find(alice));
    auto moved = followers.find(bob);
    ASSERT_TRUE(moved);
    EXPECT_TRUE(moved->accepted);
    EXPECT_EQ(moved->inbox, bob + "/inbox");
}

json reply_note(const std::string& actor, const std::string& id, const std::string& in_reply_to, const std::string& html,
                bool is_public = true) {
    json note = {{"id", id},
                 {"type", "Note"},
                 {"attributedTo", actor},
                 {"inReplyTo", in_reply_to},
                 {"content", html},
                 {"published", "2026-11-20T10:00:00Z"},
                 {"url", id + "/page"},
                 {"to", json::array({is_public ? "https://www.w3.org/ns/activitystreams#Public" : actor + "/followers"})},
                 {"cc", json::array()}};
    return note;
}

json wrapped(const std::string& type, const std::string& actor, json object, const std::string& suffix) {
    return {{"@context", "https://www.w3.org/ns/activitystreams"},
            {"id", object.value("id", "") + "/" + suffix},
            {"type", type},
            {"actor", actor},
            {"object", object}};
}

TEST_F(FederationTest, RepliesBecomeCommentsThatFollowEditsAndDeletions) {
    write_post("bonjour.md", "title: Bonjour\ndate: 2026-11-01\n", "Premier billet.\n");
    start_blog();
    std::string alice = remote.add_actor("alice");
    std::string bob = remote.add_actor("bob");
    followed_by(alice);  // a follower's replies are published at once
    const std::string post = url("/posts/bonjour");
    const std::string note_id = alice + "/statuses/1";

    json note = reply_note(alice, note_id, post, "<p>Très bien ! <script>alert(1)</script><a href=\"javascript:x\">lien</a></p>");
    auto reply = send(wrapped("Create", alice, note, "activity"), alice);
    EXPECT_EQ(reply.result_int(), 202);
    EXPECT_NE(reply.body().find("comment_added"), std::string::npos) << reply.body();
    std::string page = client().get("/posts/bonjour").body();
    EXPECT_NE(page.find("Très bien !"), std::string::npos);
    EXPECT_EQ(page.find("<script>alert(1)"), std::string::npos);
    EXPECT_EQ(page.find("javascript:"), std::string::npos);
    EXPECT_NE(page.find("Display alice"), std::string::npos);

    auto replies = json::parse(client().get_activity("/posts/bonjour/replies").body());
    EXPECT_EQ(replies["first"]["items"], json::array({note_id})) << replies.dump();

    // Bob is new here: his answer to alice nests under hers but waits for approval.
    auto bobs = send(wrapped("Create", bob, reply_note(bob, bob + "/statuses/2", note_id, "<p>Pas d'accord.</p>"), "activity"), bob);
    EXPECT_NE(bobs.body().find("comment_held"), std::string::npos) << bobs.body();
    // A direct message to the blog is kept, never shown.
    auto direct = send(wrapped("Create", alice, reply_note(alice, alice + "/statuses/3", post, "<p>En privé</p>", false), "activity"), alice);
    EXPECT_NE(direct.body().find("private_message"), std::string::npos) << direct.body();
    page = client().get("/posts/bonjour").body();
    EXPECT_EQ(page.find("Pas d'accord"), std::string::npos);
    EXPECT_EQ(page.find("En privé"), std::string::npos);
    // The owner approves bob's answer.
    auto held = store::Comments(app->database()).recent("held", 10);
    ASSERT_EQ(held.size(), 1u);
    EXPECT_EQ(server::comments_command(*app, {"approve", std::to_string(held[0].id)}), 0);
    page = client().get("/posts/bonjour").body();
    EXPECT_NE(page.find("Pas d&#39;accord"), std::string::npos) << "approved, and escaped by the sanitizer";

    // A second Create of the same note changes nothing; an Update by its author edits it.
    json forged = note;
    forged["content"] = "<p>Réécrit par un Create</p>";
    EXPECT_NE(send(wrapped("Create", alice, forged, "again"), alice).body().find("duplicate_object"), std::string::npos);
    json edited = note;
    edited["content"] = "<p>Très bien, corrigé.</p>";
    edited["updated"] = "2026-11-21T10:00:00Z";
    EXPECT_NE(send(wrapped("Update", alice, edited, "edit"), alice).body().find("comment_edited"), std::string::npos);
    page = client().get("/posts/bonjour").body();
    EXPECT_NE(page.find("Très bien, corrigé."), std::string::npos);
    EXPECT_EQ(page.find("Réécrit"), std::string::npos);
    // Someone else cannot delete it; its author can.
    json tombstone = {{"id", note_id}, {"type", "Tombstone"}};
    EXPECT_NE(send(wrapped("Delete", bob, tombstone, "bob-delete"), bob).body().find("ignored"), std::string::npos);
    EXPECT_NE(send(wrapped("Delete", alice, tombstone, "delete"), alice).body().find("comment_deleted"), std::string::npos);
    page = client().get("/posts/bonjour").body();
    EXPECT_EQ(page.find("corrigé"), std::string::npos);
    EXPECT_NE(page.find("Ce commentaire a été supprimé."), std::string::npos);  // bob's answer keeps its place
    EXPECT_NE(page.find("Pas d&#39;accord"), std::string::npos);
}

TEST_F(FederationTest, ManyConcurrentRepliesAreAllStoredAndARefusedOneTakesNoneWithIt) {
    // Sent side by side, the replies are written in groups by the inbox's writer: each must be stored and
    // acknowledged, and one refused among them (over the size limit) must cost the others nothing.
    write_post("bonjour.md", "title: Bonjour\ndate: 2026-11-01\n", "Premier billet.\n");
    start_blog();
    const std::string alice = remote.add_actor("alice");
    const std::string bob = remote.add_actor("bob");
    followed_by(alice);
    const std::string post = url("/posts/bonjour");
    constexpr int senders = 4, each = 12;
    std::vector<std::vector<std::string>> answers(senders);
    std::vector<std::thread> threads;
    for (int t = 0; t < senders; ++t)
        threads.emplace_back([&, t] {
            const std::string& actor = t % 2 == 0 ? alice : bob;
            for (int i = 0; i < each; ++i) {
                const std::string id = actor + "/statuses/" + std::to_string(100 + t * each + i);
                // The third sender's seventh reply is far over the 16 KiB limit.
                const std::string html = t == 2 && i == 6 ? "<p>" + std::string(20000, 'x') + "</p>"
                                                           : "<p>Réponse " + std::to_string(t * each + i) + "</p>";
                auto reply = send(wrapped("Create", actor, reply_note(actor, id, post, html), "activity"), actor);
                answers[t].push_back(std::to_string(reply.result_int()) + " " + reply.body());
            }
        });
    for (auto& thread : threads) thread.join();

    int stored = 0, refused = 0;
    for (const auto& list : answers)
        for (const auto& answer : list) {
            if (answer.starts_with("202") && (answer.find("comment_added") != std::string::npos ||
                                              answer.find("comment_held") != std::string::npos))
                ++stored;
            else if (answer.starts_with("422") && answer.find("comment_too_large") != std::string::npos)
                ++refused;
            else
                ADD_FAILURE() << answer;
        }
    EXPECT_EQ(stored, senders * each - 1);
    EXPECT_EQ(refused, 1);
    const auto comments = store::Comments(app->database()).recent("", 1000);
    EXPECT_EQ(comments.size(), static_cast<std::size_t>(senders * each - 1));
    for (const auto& comment : comments) EXPECT_EQ(comment.content_html.find("xxxx"), std::string::npos);
    // The refused one was not recorded as seen: sent again within the limit, it is stored.
    const std::string again = bob + "/statuses/" + std::to_string(100 + 2 * each + 6);
    auto retry = send(wrapped("Create", bob, reply_note(bob, again, post, "<p>Plus court.</p>"), "activity"), bob);
    EXPECT_NE(retry.body().find("comment_"), std::string::npos) << retry.body();
}

TEST_F(FederationTest, OldPostsCloseTheirCommentsAndSaySoInTheirArticle) {
    settings.comments_close_after_days = 30;
    write_post("ancien.md", "title: Ancien\ndate: 2020-01-01\n", "Un vieux billet.\n");
    const std::string two_days_ago = format_rfc3339(now_seconds() - 2 * 86400).substr(0, 10);
    write_post("recent.md", "title: Récent\ndate: " + two_days_ago + "\n", "Un billet récent.\n");
    start_blog();
    std::string alice = remote.add_actor("alice");
    followed_by(alice);
    auto can_reply = [&](const std::string& path) {
        return json::parse(client().get_activity(path).body())["interactionPolicy"]["canReply"];
    };
    const json everyone = json::array({"https://www.w3.org/ns/activitystreams#Public"});
    EXPECT_EQ(can_reply("/posts/recent")["automaticApproval"], everyone);
    EXPECT_EQ(can_reply("/posts/recent")["always"], everyone);
    EXPECT_EQ(can_reply("/posts/ancien")["automaticApproval"], json::array({blog_actor()}));

    // A reply to the young post is shown and listed in the Article itself, not only in /replies.
    const std::string fresh_id = alice + "/statuses/10";
    auto fresh = send(wrapped("Create", alice, reply_note(alice, fresh_id, url("/posts/recent"), "<p>Oui</p>"), "a"), alice);
    EXPECT_NE(fresh.body().find("comment_added"), std::string::npos) << fresh.body();
    auto article = json::parse(client().get_activity("/posts/recent").body());
    EXPECT_EQ(article["replies"]["first"]["items"], json::array({fresh_id})) << article.dump();
    EXPECT_EQ(article["replies"]["totalItems"], 1);

    // Even a follower's reply to the old post is kept for the owner, not shown.
    auto late = send(wrapped("Create", alice, reply_note(alice, alice + "/statuses/11", url("/posts/ancien"), "<p>Tard</p>"), "b"), alice);
    EXPECT_NE(late.body().find("comment_held"), std::string::npos) << late.body();
    std::string page = client().get("/posts/ancien").body();
    EXPECT_EQ(page.find("Tard"), std::string::npos);
    EXPECT_NE(page.find("Les commentaires sont fermés."), std::string::npos);
    EXPECT_EQ(client().get("/posts/recent").body().find("Les commentaires sont fermés."), std::string::npos);
}

TEST_F(FederationTest, LikesAndBoostsAreCountedOncePerActorAndUndone) {
    write_post("bonjour.md", "title: Bonjour\ndate: 2026-11-01\n", "Premier billet.\n");
    start_blog();
    std::string alice = remote.add_actor("alice");
    std::string bob = remote.add_actor("bob");
    const std::string post = url("/posts/bonjour");
    auto reaction = [&](const std::string& type, const std::string& actor, const std::string& id) {
        return json{{"id", id}, {"type", type}, {"actor", actor}, {"object", post}};
    };
    EXPECT_NE(send(reaction("Like", alice, alice + "#likes/1"), alice).body().find("liked"), std::string::npos);
    EXPECT_NE(send(reaction("Like", alice, alice + "#likes/2"), alice).body().find("ignored"), std::string::npos);
    send(reaction("Like", bob, bob + "#likes/1"), bob);
    send(reaction("Announce", bob, bob + "/statuses/9/activity"), bob);
    auto total = [&](const std::string& path) {
        return json::parse(client().get_activity(path).body()).value("totalItems", -1);
    };
    EXPECT_EQ(total("/posts/bonjour/likes"), 2);
    EXPECT_EQ(total("/posts/bonjour/shares"), 1);
    EXPECT_NE(client().get("/posts/bonjour").body().find("2 j’aime · 1 partage"), std::string::npos);

    // Undo by id (Mastodon embeds the Like; some servers name it only).
    json undo_like = {{"id", alice + "#likes/1/undo"}, {"type", "Undo"}, {"actor", alice},
                      {"object", reaction("Like", alice, alice + "#likes/1")}};
    EXPECT_NE(send(undo_like, alice).body().find("reaction_undone"), std::string::npos);
    json undo_boost = {{"id", bob + "/statuses/9/undo"}, {"type", "Undo"}, {"actor", bob},
                       {"object", bob + "/statuses/9/activity"}};
    EXPECT_NE(send(undo_boost, bob).body().find("reaction_undone"), std::string::npos);
    EXPECT_EQ(total("/posts/bonjour/likes"), 1);
    EXPECT_EQ(total("/posts/bonjour/shares"), 0);
    json stray = reaction("Like", alice, alice + "#likes/3");
    stray["object"] = url("/posts/nowhere");
    EXPECT_NE(send(stray, alice).body().find("ignored"), std::string::npos);
}

TEST_F(FederationTest, AProfileChangeSendsAnUpdateOfTheActor) {
    start_blog();
    std::string alice = remote.add_actor("alice");
    followed_by(alice);
    EXPECT_FALSE(app->announce_profile(app->key().public_pem()));  // nothing changed since start: nothing sent
    auto fresh = keys::KeyPair::generate_rsa();
    EXPECT_TRUE(app->announce_profile(fresh.public_pem()));
    federation->wake_deliveries();
    ASSERT_TRUE(FakeInstance::wait_for([&] { return !of_type("Update").empty(); }));
    EXPECT_EQ(of_type("Update").size(), 1u);
    auto update = of_type("Update").front();
    EXPECT_EQ(update.body["object"]["id"], blog_actor());
    EXPECT_EQ(update.body["object"]["publicKey"]["publicKeyPem"], fresh.public_pem());
}

}  // namespace

TEST_F(FederationTest, UnreadableBodiesAreRefusedWithTheirReasonAndPromptly) {
    start_blog();
    auto post = [&](const std::string& body) {
        return client().request(boost::beast::http::verb::post, "/inbox",
                                {{"Content-Type", "application/activity+json"}}, body);
    };
    auto latin1 = post("{\"type\":\"Create\",\"content\":\"caf\xe9\"}");
    EXPECT_EQ(latin1.result_int(), 400);
    EXPECT_NE(latin1.body().find("invalid_utf8: the body is not UTF-8"), std::string::npos) << latin1.body();
    // A megabyte of "[" and a deep array inside an ordinary object: refused by the depth limit, not parsed.
    auto bomb = post(std::string(1000000, '['));
    EXPECT_EQ(bomb.result_int(), 400);
    EXPECT_NE(bomb.body().find("json_too_deep: the JSON nests deeper than 64 levels"), std::string::npos) << bomb.body();
    auto nested = post("{\"id\":\"https://remote.test/x\",\"tag\":" + std::string(100, '[') + std::string(100, ']') + "}");
    EXPECT_NE(nested.body().find("json_too_deep"), std::string::npos) << nested.body();
    auto samples = client().get("/metrics").body();
    EXPECT_NE(samples.find("fedblog_inbox_activities_total{type=\"(unreadable)\",outcome=\"json_too_deep\"} 2"),
              std::string::npos)
        << samples;
    EXPECT_EQ(client().get("/healthz").result_int(), 200);
}

TEST_F(FederationTest, JsonLdSpellingsOfAReplyAreReadAsTheReply) {
    write_post("bonjour.md", "title: Bonjour\ndate: 2026-11-01\n", "Premier billet.\n");
    start_blog();
    std::string alice = remote.add_actor("alice");
    followed_by(alice);
    json note = reply_note(alice, alice + "/statuses/40", url("/posts/bonjour"), "");
    note.erase("content");
    note["contentMap"] = {{"fr", "<p>Écrit en JSON-LD</p>"}};
    note["attributedTo"] = {{"id", alice}, {"type", "Person"}};
    note["to"] = "https://www.w3.org/ns/activitystreams#Public";
    json create = wrapped("Create", alice, note, "activity");
    create.erase("@context");
    create["actor"] = json::array({alice});
    create["object"] = json::array({note});
    auto answer = send(create, alice);
    EXPECT_EQ(answer.result_int(), 202);
    EXPECT_NE(answer.body().find("comment_added"), std::string::npos) << answer.body();
    EXPECT_NE(client().get("/posts/bonjour").body().find("Écrit en JSON-LD"), std::string::npos);
}

TEST_F(FederationTest, AReplyWithTenThousandMentionsIsAnsweredPromptlyAndHeld) {
    write_post("bonjour.md", "title: Bonjour\ndate: 2026-11-01\n", "Premier billet.\n");
    start_blog();
    std::string alice = remote.add_actor("alice");
    followed_by(alice);
    json note = reply_note(alice, alice + "/statuses/41", url("/posts/bonjour"), "<p>Coucou tout le monde</p>");
    note["tag"] = json::array();
    for (int i = 0; i < 10000; ++i)
        note["tag"].push_back({{"type", "Mention"}, {"href", "https://remote.test/u/" + std::to_string(i)}});
    auto answer = send(wrapped("Create", alice, note, "activity"), alice);
    EXPECT_EQ(answer.result_int(), 202);
    EXPECT_NE(answer.body().find("comment_held"), std::string::npos) << answer.body();
    auto held = store::Comments(app->database()).recent("held", 10);
    ASSERT_EQ(held.size(), 1u);
    EXPECT_NE(held[0].held_reason.find("mentions 256 accounts"), std::string::npos) << held[0].held_reason;
}
