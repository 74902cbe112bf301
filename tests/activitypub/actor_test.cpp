#include "activitypub/actor.hpp"

#include <gtest/gtest.h>

#include "activitypub/context.hpp"
#include "support.hpp"

namespace fedblog::activitypub {
namespace {

using namespace testing;

Json blog_actor(const Settings& settings = blog_settings()) {
    return actor_document(settings, blog_ids(), public_key_pem, actor_published);
}

TEST(Actor, IdsAreExactlyTheIdsUrls) {
    const Ids ids = blog_ids();
    Json actor = blog_actor();
    EXPECT_EQ(actor["id"], "https://blog.example/users/blog");
    EXPECT_EQ(actor["id"], ids.actor());
    EXPECT_EQ(actor["inbox"], ids.inbox());
    EXPECT_EQ(actor["outbox"], ids.outbox());
    EXPECT_EQ(actor["followers"], ids.followers());
    EXPECT_EQ(actor["following"], ids.following());
    EXPECT_EQ(actor["endpoints"]["sharedInbox"], ids.shared_inbox());
    EXPECT_EQ(actor["url"], ids.profile());
}

TEST(Actor, KeyBelongsToTheActor) {
    Json actor = blog_actor();
    EXPECT_EQ(actor["publicKey"]["id"], "https://blog.example/users/blog#main-key");
    EXPECT_EQ(actor["publicKey"]["owner"], actor["id"]);
    EXPECT_EQ(actor["publicKey"]["publicKeyPem"], public_key_pem);
}

TEST(Actor, ContextStartsWithActivityStreams) {
    Json actor = blog_actor();
    ASSERT_TRUE(actor["@context"].is_array());
    EXPECT_EQ(actor["@context"][0], activity_streams_context);
    EXPECT_EQ(actor["@context"][1], security_context);
    EXPECT_EQ(actor.begin().key(), "@context");
}

TEST(Actor, IsAPersonNamedByTheHandle) {
    Json actor = blog_actor();
    EXPECT_EQ(actor["type"], "Person");
    EXPECT_EQ(actor["preferredUsername"], "blog");
    EXPECT_EQ(actor["webfinger"], "blog@blog.example");
    EXPECT_EQ(actor["name"], "Le carnet de Léa");
}

TEST(Actor, SummaryIsEscapedParagraphs) {
    EXPECT_EQ(blog_actor()["summary"],
              "<p>Notes sur le logiciel libre &amp; le Web.<br>Écrit à Lyon.</p><p>Réponses bienvenues.</p>");
    Settings settings = blog_settings();
    settings.blog_summary = "";
    EXPECT_EQ(blog_actor(settings)["summary"], "");
}

TEST(Actor, IconFromContentPathAndHeaderFromAbsoluteUrl) {
    Json actor = blog_actor();
    EXPECT_EQ(actor["icon"], Json({{"type", "Image"},
                                   {"mediaType", "image/png"},
                                   {"url", "https://blog.example/media/images/avatar.png"}}));
    EXPECT_EQ(actor["image"], Json({{"type", "Image"},
                                    {"mediaType", "image/jpeg"},
                                    {"url", "https://cdn.example/banniere.jpg"}}));
}

TEST(Actor, NoIconOrImageWhenUnset) {
    Settings settings = blog_settings();
    settings.blog_icon.clear();
    settings.blog_header.clear();
    Json actor = blog_actor(settings);
    EXPECT_FALSE(actor.contains("icon"));
    EXPECT_FALSE(actor.contains("image"));
}

TEST(Actor, FollowerApprovalFollowsTheSetting) {
    EXPECT_EQ(blog_actor()["manuallyApprovesFollowers"], false);
    Settings settings = blog_settings();
    settings.manually_approves_followers = true;
    EXPECT_EQ(blog_actor(settings)["manuallyApprovesFollowers"], true);
}

TEST(Actor, WebsiteFieldLinksHomeWithRelMe) {
    Json actor = blog_actor();
    ASSERT_EQ(actor["attachment"].size(), 1u);
    EXPECT_EQ(actor["attachment"][0]["type"], "PropertyValue");
    EXPECT_EQ(actor["attachment"][0]["value"],
              "<a href=\"https://blog.example/\" rel=\"me nofollow noopener noreferrer\" "
              "target=\"_blank\">blog.example</a>");
}

TEST(Actor, PortStaysInWebfingerButNotInAttributionDomains) {
    Settings settings = blog_settings();
    settings.public_url = "http://localhost:8080";
    Json actor = actor_document(settings, Ids(settings.public_url, "blog"), public_key_pem, actor_published);
    EXPECT_EQ(actor["webfinger"], "blog@localhost:8080");
    EXPECT_EQ(actor["attributionDomains"], Json::array({"localhost"}));
    EXPECT_EQ(actor["icon"]["url"], "http://localhost:8080/media/images/avatar.png");
}

}  // namespace
}  // namespace fedblog::activitypub
