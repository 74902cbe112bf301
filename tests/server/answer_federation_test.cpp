// The owner answers a comment, end to end over real sockets: a reply arrives signed from a TLS "remote
// instance", the owner answers it with the command, and the commenter's inbox and a follower's receive the
// signed Create{Note} with the mention; then the edit (Update) and the deletion (Delete), and the Note's id
// answering 200, then 410.
#include <gtest/gtest.h>

#include "server/admin_commands.hpp"
#include "server/federation.hpp"
#include "store/comments.hpp"
#include "tests/server/server_fixture.hpp"
#include "tests/support/fake_instance.hpp"

using namespace fedblog;
using fedblog::testing::FakeInstance;
using fedblog::testing::ReceivedDelivery;
using nlohmann::json;

namespace {

class AnswerFederationTest : public fedblog::testing::ServerFixture {
protected:
    AnswerFederationTest() : remote(ca, {"remote.test", "other.test"}) {
        auto tuning = fedblog::testing::loopback_federation(ca.certificate_pem(), remote.hosts());
        tuning.schedule.time_scale = 0.0005;
        federation_tuning = tuning;
    }

    void start_blog() {
        start();
        remote.trust_blog_key(url("/users/blog") + "#main-key", app->key().public_pem());
    }

    fedblog::testing::Reply send(const json& activity, const std::string& signer) {
        return remote.post_signed(port, "/users/blog/inbox", activity, signer + "#main-key");
    }

    void followed_by(const std::string& actor) {
        const std::string follow_id = actor + "#follows/1";
        json follow = {{"@context", "https://www.w3.org/ns/activitystreams"},
                       {"id", follow_id},
                       {"type", "Follow"},
                       {"actor", actor},
                       {"object", url("/users/blog")}};
        ASSERT_EQ(send(follow, actor).result_int(), 202);
        ASSERT_TRUE(FakeInstance::wait_for([&] { return !deliveries("Accept", follow_id).empty(); }));
    }

    // A public reply as Mastodon sends it, wrapped in its Create.
    json create_reply(const std::string& actor, const std::string& id, const std::string& in_reply_to,
                      const std::string& html) {
        json note = {{"id", id},
                     {"type", "Note"},
                     {"attributedTo", actor},
                     {"inReplyTo", in_reply_to},
                     {"content", html},
                     {"published", "2026-11-20T10:00:00Z"},
                     {"to", json::array({"https://www.w3.org/ns/activitystreams#Public"})},
                     {"cc", json::array({url("/users/blog")})}};
        return {{"@context", "https://www.w3.org/ns/activitystreams"},
                {"id", id + "/activity"},
                {"type", "Create"},
                {"actor", actor},
                {"object", note}};
    }

    // Deliveries of this type whose object (or the Accept's Follow) has this id.
    std::vector<ReceivedDelivery> deliveries(const std::string& type, const std::string& object_id) const {
        std::vector<ReceivedDelivery> found;
        for (const auto& delivery : remote.deliveries())
            if (delivery.body.value("type", "") == type && delivery.body["object"].value("id", "") == object_id)
                found.push_back(delivery);
        return found;
    }

    // Waits for the activity at both inboxes, then checks each got exactly one signed copy.
    std::vector<ReceivedDelivery> delivered_to_both(const std::string& type, const std::string& object_id) {
        auto at = [&](const std::string& host, const std::string& path) {
            std::vector<ReceivedDelivery> found;
            for (auto& delivery : deliveries(type, object_id))
                if (delivery.host == host && delivery.path == path) found.push_back(delivery);
            return found;
        };
        federation->wake_deliveries();
        EXPECT_TRUE(FakeInstance::wait_for([&] {
            return !at("remote.test", "/inbox").empty() && !at("other.test", "/users/dave/inbox").empty();
        })) << type << " did not reach both inboxes";
        std::this_thread::sleep_for(std::chrono::milliseconds(200));  // time for a duplicate to show
        auto found = deliveries(type, object_id);
        EXPECT_EQ(found.size(), 2u) << "one copy per inbox";
        for (const auto& delivery : found) {
            EXPECT_TRUE(delivery.verified) << delivery.failure;
            EXPECT_EQ(delivery.key_id, url("/users/blog#main-key"));
        }
        return found;
    }

    fedblog::testing::TestCa ca;
    FakeInstance remote;
};

TEST_F(AnswerFederationTest, TheOwnersAnswerReachesTheCommenterAndTheFollowersThenItsEditAndDeletion) {
    write_post("bonjour.md", "title: Bonjour\ndate: 2026-11-01\n", "Premier billet.\n");
    start_blog();
    std::string alice = remote.add_actor("alice");          // the commenter, not a follower
    std::string carol = remote.add_actor("carol");          // a follower on alice's server: same shared inbox
    std::string dave = remote.add_actor("dave", "other.test", false);  // a follower with a personal inbox only
    followed_by(carol);
    followed_by(dave);

    // Alice's reply arrives signed and waits for approval (she is new here); the owner approves it.
    const std::string alices_note = alice + "/statuses/1";
    auto reply = send(create_reply(alice, alices_note, url("/posts/bonjour"), "<p>Une question ?</p>"), alice);
    ASSERT_EQ(reply.result_int(), 202);
    auto stored = store::Comments(app->database()).find_by_object_id(alices_note);
    ASSERT_TRUE(stored);
    ASSERT_EQ(server::comments_command(*app, {"approve", std::to_string(stored->id)}), 0);

    // The owner answers.
    ASSERT_EQ(server::comments_command(*app, {"reply", std::to_string(stored->id), "--text", "Merci **Alice** !"}), 0);
    auto answers = store::Comments(app->database()).answers_to(stored->id);
    ASSERT_EQ(answers.size(), 1u);
    const std::int64_t n = answers[0].id;
    const std::string note_id = url("/comments/" + std::to_string(n));

    auto creates = delivered_to_both("Create", note_id);
    ASSERT_FALSE(creates.empty());
    const json& create = creates[0].body;
    EXPECT_EQ(create["actor"], url("/users/blog"));
    EXPECT_EQ(create["id"], note_id + "/activity");
    const json& note = create["object"];
    EXPECT_EQ(note["type"], "Note");
    EXPECT_EQ(note["attributedTo"], url("/users/blog"));
    EXPECT_EQ(note["inReplyTo"], alices_note);
    EXPECT_EQ(note["to"], json::array({"https://www.w3.org/ns/activitystreams#Public"}));
    EXPECT_EQ(note["cc"], json::array({url("/users/blog/followers"), alice}));
    const std::string alice_handle = "alice@remote.test:" + std::to_string(remote.port());
    EXPECT_EQ(note["tag"], json::array({{{"type", "Mention"}, {"href", alice}, {"name", "@" + alice_handle}}}));
    const std::string content = note["content"];
    EXPECT_TRUE(content.starts_with(R"(<p><span class="h-card" translate="no"><a href=")" + alice +
                                    R"(" class="u-url mention">@<span>alice</span></a></span>)"
                                    R"( Merci <strong>Alice</strong> !</p>)"))
        << content;
    EXPECT_EQ(note["url"], note_id);

    // The Note's id serves it, as delivered; browsers go to the answer in the thread, labelled as the author's.
    auto served = client().get_activity("/comments/" + std::to_string(n));
    ASSERT_EQ(served.result_int(), 200);
    EXPECT_EQ(served[boost::beast::http::field::content_type], "application/activity+json");
    json document = json::parse(served.body());
    document.erase("@context");
    EXPECT_EQ(document, note);
    auto page_link = client().get("/comments/" + std::to_string(n));
    EXPECT_EQ(page_link.result_int(), 302);
    EXPECT_EQ(std::string(page_link[boost::beast::http::field::location]), url("/posts/bonjour#commentaire-" + std::to_string(n)));
    EXPECT_EQ(json::parse(client().get_activity("/comments/" + std::to_string(n) + "/activity").body()), create);
    std::string page = client().get("/posts/bonjour").body();
    EXPECT_NE(page.find(R"(<article class="comment owner" id="commentaire-)" + std::to_string(n)), std::string::npos);
    EXPECT_NE(page.find(R"(<span class="badge">Auteur</span>)"), std::string::npos);
    EXPECT_NE(page.find("Merci <strong>Alice</strong>"), std::string::npos);
    // Remote comments have their ids elsewhere; nothing is served for them here.
    EXPECT_EQ(client().get_activity("/comments/" + std::to_string(stored->id)).result_int(), 404);

    // Alice answers the answer: it nests under it, and the Note's replies list it.
    const std::string alices_second = alice + "/statuses/2";
    auto second = send(create_reply(alice, alices_second, note_id, "<p>Avec plaisir.</p>"), alice);
    EXPECT_NE(second.body().find("comment_added"), std::string::npos) << second.body();
    auto replies = json::parse(client().get_activity("/comments/" + std::to_string(n) + "/replies").body());
    EXPECT_EQ(replies["first"]["items"], json::array({alices_second}));
    // Nobody else may publish an object under the blog's own ids.
    json squat = create_reply(alice, url("/comments/999"), url("/posts/bonjour"), "<p>À moi</p>");
    squat["id"] = alice + "/statuses/999/activity";  // alice's own activity (one with our id is refused earlier)
    auto squatter = send(squat, alice);
    EXPECT_NE(squatter.body().find("ignored"), std::string::npos) << squatter.body();

    // The edit goes to the same inboxes, newer than the Create.
    ASSERT_EQ(server::comments_command(*app, {"edit", std::to_string(n), "--text", "Merci *beaucoup* Alice !"}), 0);
    auto updates = delivered_to_both("Update", note_id);
    ASSERT_FALSE(updates.empty());
    const json& edited = updates[0].body["object"];
    EXPECT_TRUE(edited.contains("updated"));
    EXPECT_GT(edited["updated"].get<std::string>(), note["published"].get<std::string>());
    EXPECT_NE(edited["content"].get<std::string>().find("Merci <em>beaucoup</em> Alice !"), std::string::npos);
    EXPECT_EQ(edited["tag"], note["tag"]);
    EXPECT_EQ(updates[0].body["cc"], create["cc"]);

    // The deletion too; then the id answers 410 with a Tombstone.
    ASSERT_EQ(server::comments_command(*app, {"delete", std::to_string(n)}), 0);
    auto removals = delivered_to_both("Delete", note_id);
    ASSERT_FALSE(removals.empty());
    EXPECT_EQ(removals[0].body["object"]["type"], "Tombstone");
    auto gone = client().get_activity("/comments/" + std::to_string(n));
    EXPECT_EQ(gone.result_int(), 410);
    json tombstone = json::parse(gone.body());
    EXPECT_EQ(tombstone["id"], note_id);
    EXPECT_EQ(tombstone["type"], "Tombstone");
    EXPECT_EQ(client().get("/comments/" + std::to_string(n)).result_int(), 410);
    page = client().get("/posts/bonjour").body();
    EXPECT_EQ(page.find("beaucoup"), std::string::npos);
    EXPECT_NE(page.find("Avec plaisir."), std::string::npos);  // alice's answer keeps its place
}

}  // namespace
