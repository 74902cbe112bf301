// What the fediverse reads, over real HTTP: WebFinger, host-meta, NodeInfo, the actor, Articles,
// Creates, Tombstones, the outbox and the social collections.
#include <nlohmann/json.hpp>

#include "tests/server/server_fixture.hpp"

using namespace fedblog::testing;
using nlohmann::json;
namespace beast_http = boost::beast::http;

namespace {

constexpr const char* public_iri = "https://www.w3.org/ns/activitystreams#Public";

class FederationEndpoints : public ServerFixture {
protected:
    void SetUp() override {
        write_post("assemblee.md",
                   "title: Notre assemblée générale\ndate: 2026-03-14\ntags: [coopérative, vie locale]\n"
                   "summary: Le compte rendu de l'AG.\n",
                   "Nous étions **trente**.\n\nDeuxième paragraphe.\n");
        write_post("atelier.md", "title: L'atelier ouvre le samedi\ndate: 2026-05-02\ntags: [atelier]\n",
                   "Premier paragraphe, qui sert de résumé.\n\nLa suite.\n");
        write_post("ancien.md", "title: Un billet retiré\ndate: 2026-01-10\n", "Bientôt supprimé.\n");
        start();
        std::filesystem::remove(dir / "content" / "ancien.md");
        resync();
    }

    json get_json(const std::string& path, beast_http::status expected = beast_http::status::ok) {
        auto reply = client().get_activity(path);
        EXPECT_EQ(reply.result(), expected) << path << ": " << reply.body();
        EXPECT_EQ(reply[beast_http::field::content_type], "application/activity+json") << path;
        EXPECT_EQ(reply[beast_http::field::vary], "Accept") << path;
        return json::parse(reply.body());
    }
};

}  // namespace

TEST_F(FederationEndpoints, WebfingerFindsTheBlogRawAndEncoded) {
    std::string acct = "acct:blog@localhost:" + std::to_string(port);
    for (std::string query : {"resource=" + acct, "resource=acct%3Ablog%40localhost%3A" + std::to_string(port),
                              "resource=" + url("/users/blog")}) {
        auto reply = client().get("/.well-known/webfinger?" + query, {{"Accept", "application/jrd+json"}});
        ASSERT_EQ(reply.result(), beast_http::status::ok) << query << ": " << reply.body();
        EXPECT_EQ(reply[beast_http::field::access_control_allow_origin], "*");
        json jrd = json::parse(reply.body());
        EXPECT_EQ(jrd["subject"], acct);
        bool self_found = false;
        for (const auto& link : jrd["links"])
            if (link["rel"] == "self") {
                self_found = true;
                EXPECT_EQ(link["type"], "application/activity+json");
                EXPECT_EQ(link["href"], url("/users/blog"));  // byte-equal to the actor id
            }
        EXPECT_TRUE(self_found);
    }
}

TEST_F(FederationEndpoints, WebfingerAnswers404ForOthersAnd400ForGarbage) {
    auto other = client().get("/.well-known/webfinger?resource=acct:alice@localhost:" + std::to_string(port));
    EXPECT_EQ(other.result(), beast_http::status::not_found);
    EXPECT_EQ(other[beast_http::field::access_control_allow_origin], "*");
    EXPECT_EQ(client().get("/.well-known/webfinger?resource=acct:blog@elsewhere.example").result(),
              beast_http::status::not_found);
    EXPECT_EQ(client().get("/.well-known/webfinger").result(), beast_http::status::bad_request);
    EXPECT_EQ(client().get("/.well-known/webfinger?resource=").result(), beast_http::status::bad_request);
    EXPECT_EQ(client().get("/.well-known/webfinger?resource=%%%").result(), beast_http::status::bad_request);
}

TEST_F(FederationEndpoints, HostMetaPointsAtWebfinger) {
    auto reply = client().get("/.well-known/host-meta");
    ASSERT_EQ(reply.result(), beast_http::status::ok);
    EXPECT_EQ(reply[beast_http::field::content_type], "application/xrd+xml");
    EXPECT_NE(reply.body().find("template=\"" + url("/.well-known/webfinger?resource={uri}") + "\""), std::string::npos)
        << reply.body();
}

TEST_F(FederationEndpoints, NodeinfoCountsPublishedPosts) {
    json links = json::parse(client().get("/.well-known/nodeinfo").body());
    ASSERT_EQ(links["links"][0]["href"], url("/nodeinfo/2.1"));
    auto reply = client().get("/nodeinfo/2.1");
    ASSERT_EQ(reply.result(), beast_http::status::ok);
    json info = json::parse(reply.body());
    EXPECT_EQ(info["version"], "2.1");
    EXPECT_EQ(info["software"]["name"], "fedblog");
    EXPECT_EQ(info["protocols"], json::array({"activitypub"}));
    EXPECT_EQ(info["openRegistrations"], false);
    EXPECT_EQ(info["usage"]["localPosts"], 2);  // the removed post no longer counts
}

TEST_F(FederationEndpoints, ActorIdEqualsItsUrlAndPublishesOurKey) {
    json actor = get_json("/users/blog");
    EXPECT_EQ(actor["id"], url("/users/blog"));
    EXPECT_EQ(actor["preferredUsername"], "blog");
    EXPECT_EQ(actor["name"], "L'atelier vélo");
    EXPECT_EQ(actor["inbox"], url("/users/blog/inbox"));
    EXPECT_EQ(actor["outbox"], url("/users/blog/outbox"));
    EXPECT_EQ(actor["endpoints"]["sharedInbox"], url("/inbox"));
    EXPECT_EQ(actor["publicKey"]["id"], url("/users/blog#main-key"));
    EXPECT_EQ(actor["publicKey"]["owner"], actor["id"]);
    EXPECT_EQ(actor["publicKey"]["publicKeyPem"], app->key().public_pem());
    EXPECT_NE(actor.dump().find("https://www.w3.org/ns/activitystreams"), std::string::npos);
    // The ld+json form with the ActivityStreams profile gets the same document.
    auto ld = client().get("/users/blog",
                           {{"Accept", "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\""}});
    EXPECT_EQ(json::parse(ld.body()), actor);
}

TEST_F(FederationEndpoints, PrivateKeyIsNeverServed) {
    for (const char* path : {"/media/../data/actor.key", "/media/%2e%2e/data/actor.key", "/actor.key", "/data/actor.key"}) {
        auto reply = client().get(path);
        EXPECT_NE(reply.result(), beast_http::status::ok) << path;
        EXPECT_EQ(reply.body().find("PRIVATE KEY"), std::string::npos) << path;
    }
}

TEST_F(FederationEndpoints, ArticleAtItsOwnUrlWithSummaryAndTags) {
    json article = get_json("/posts/assemblee");
    EXPECT_EQ(article["id"], url("/posts/assemblee"));
    EXPECT_EQ(article["type"], "Article");
    EXPECT_EQ(article["name"], "Notre assemblée générale");
    EXPECT_EQ(article["url"], url("/posts/assemblee"));
    EXPECT_EQ(article["attributedTo"], url("/users/blog"));
    EXPECT_EQ(article["summary"], "<p>Le compte rendu de l'AG.</p>");
    EXPECT_NE(article["content"].get<std::string>().find("<strong>trente</strong>"), std::string::npos);
    EXPECT_EQ(article["to"], json::array({public_iri}));
    EXPECT_EQ(article["cc"], json::array({url("/users/blog/followers")}));
    EXPECT_EQ(article["published"], "2026-03-14T00:00:00Z");
    ASSERT_EQ(article["tag"].size(), 2u);
    EXPECT_EQ(article["tag"][0]["type"], "Hashtag");
    EXPECT_EQ(article["tag"][0]["name"], "#coopérative");
    EXPECT_EQ(article["tag"][0]["href"], url("/tags/coop%C3%A9rative"));
    // Without a front-matter summary, the first paragraph stands in: Mastodon shows only the summary.
    json second = get_json("/posts/atelier");
    EXPECT_EQ(second["summary"], "<p>Premier paragraphe, qui sert de résumé.</p>");
}

TEST_F(FederationEndpoints, CreateHasItsOwnIdAndEmbedsTheArticle) {
    json create = get_json("/posts/atelier/activity");
    EXPECT_EQ(create["id"], url("/posts/atelier/activity"));
    EXPECT_EQ(create["type"], "Create");
    EXPECT_EQ(create["actor"], url("/users/blog"));
    EXPECT_EQ(create["object"]["id"], url("/posts/atelier"));
    EXPECT_NE(create["id"], create["object"]["id"]);
}

TEST_F(FederationEndpoints, DeletedPostAnswers410WithTombstoneNever404) {
    json tombstone = get_json("/posts/ancien", beast_http::status::gone);
    EXPECT_EQ(tombstone["id"], url("/posts/ancien"));
    EXPECT_EQ(tombstone["type"], "Tombstone");
    auto page = client().get("/posts/ancien", {{"Accept", "text/html"}});
    EXPECT_EQ(page.result(), beast_http::status::gone);
    EXPECT_EQ(page[beast_http::field::vary], "Accept");
}

TEST_F(FederationEndpoints, OutboxIsPagedNewestFirst) {
    json outbox = get_json("/users/blog/outbox");
    EXPECT_EQ(outbox["type"], "OrderedCollection");
    EXPECT_EQ(outbox["totalItems"], 2);
    ASSERT_EQ(outbox["first"], url("/users/blog/outbox?page=1"));
    json page = get_json("/users/blog/outbox?page=1");
    EXPECT_EQ(page["id"], url("/users/blog/outbox?page=1"));
    EXPECT_EQ(page["type"], "OrderedCollectionPage");
    EXPECT_EQ(page["partOf"], url("/users/blog/outbox"));
    ASSERT_EQ(page["orderedItems"].size(), 2u);
    EXPECT_EQ(page["orderedItems"][0]["object"]["id"], url("/posts/atelier"));  // newest first
    EXPECT_EQ(page["orderedItems"][1]["object"]["id"], url("/posts/assemblee"));
    EXPECT_FALSE(page.contains("next"));
    EXPECT_EQ(client().get_activity("/users/blog/outbox?page=2").result(), beast_http::status::not_found);
    EXPECT_EQ(client().get_activity("/users/blog/outbox?page=0").result(), beast_http::status::not_found);
    EXPECT_EQ(client().get_activity("/users/blog/outbox?page=x").result(), beast_http::status::not_found);
}

TEST_F(FederationEndpoints, FollowersAndFollowingCarryCounts) {
    json followers = get_json("/users/blog/followers");
    EXPECT_EQ(followers["type"], "OrderedCollection");
    EXPECT_EQ(followers["totalItems"], 0);
    EXPECT_TRUE(followers.contains("first"));
    json following = get_json("/users/blog/following");
    EXPECT_EQ(following["totalItems"], 0);
}

TEST_F(FederationEndpoints, UnknownThingsAre404InTheAskedForm) {
    auto json_reply = client().get_activity("/posts/nope");
    EXPECT_EQ(json_reply.result(), beast_http::status::not_found);
    EXPECT_EQ(json::parse(json_reply.body())["error"], "no such post");
    auto html_reply = client().get("/posts/nope", {{"Accept", "text/html"}});
    EXPECT_EQ(html_reply.result(), beast_http::status::not_found);
    EXPECT_NE(html_reply[beast_http::field::content_type].find("text/html"), boost::string_view::npos);
    EXPECT_EQ(client().get_activity("/users/alice").result(), beast_http::status::not_found);
}

TEST_F(FederationEndpoints, EditKeepsIdAndPublishedAndSetsUpdated) {
    write_post("atelier.md", "title: L'atelier ouvre aussi le dimanche\ndate: 2026-05-02\ntags: [atelier]\n",
               "Nouveau texte.\n");
    resync();
    json article = get_json("/posts/atelier");
    EXPECT_EQ(article["id"], url("/posts/atelier"));
    EXPECT_EQ(article["name"], "L'atelier ouvre aussi le dimanche");
    EXPECT_EQ(article["published"], "2026-05-02T00:00:00Z");
    ASSERT_TRUE(article.contains("updated"));
    EXPECT_GT(article["updated"].get<std::string>(), article["published"].get<std::string>());
}

TEST_F(FederationEndpoints, RepliesLikesAndSharesCollectionsAnswer) {
    json replies = get_json("/posts/atelier/replies");
    EXPECT_EQ(replies["id"], url("/posts/atelier/replies"));
    EXPECT_EQ(replies["type"], "Collection");
    json likes = get_json("/posts/atelier/likes");
    EXPECT_EQ(likes["id"], url("/posts/atelier/likes"));
    EXPECT_EQ(likes["totalItems"], 0);
    json shares = get_json("/posts/atelier/shares");
    EXPECT_EQ(shares["id"], url("/posts/atelier/shares"));
}
