#include "activitypub/article.hpp"

#include <gtest/gtest.h>

#include <boost/url/parse.hpp>

#include "activitypub/context.hpp"
#include "support.hpp"

namespace fedblog::activitypub {
namespace {

using namespace testing;

Json article(const store::Post& post = sample_post(), const Settings& settings = blog_settings(),
             const Interactions& interactions = {}) {
    return article_object(post, settings, blog_ids(), interactions);
}

Settings note_settings() {
    Settings settings = blog_settings();
    settings.object_type = ObjectType::note;
    return settings;
}

TEST(Article, IdAndUrlAreThePostUrl) {
    Json object = article();
    EXPECT_EQ(object["id"], "https://blog.example/posts/bonjour-le-monde");
    EXPECT_EQ(object["id"], blog_ids().post("bonjour-le-monde"));
    EXPECT_EQ(object["url"], object["id"]);
    EXPECT_EQ(object["attributedTo"], blog_ids().actor());
    EXPECT_EQ(object["type"], "Article");
}

TEST(Article, UrlHostIsTheActorHost) {
    Json object = article();
    // A url_view points into its text: the strings must outlive the views (ASan caught temporaries).
    const std::string url_text = object["url"].get<std::string>();
    const std::string actor_text = object["attributedTo"].get<std::string>();
    auto url = boost::urls::parse_absolute_uri(url_text);
    auto actor = boost::urls::parse_absolute_uri(actor_text);
    ASSERT_TRUE(url && actor);
    EXPECT_EQ(url->encoded_authority(), actor->encoded_authority());
}

TEST(Article, AddressedToThePublicIriAndFollowers) {
    Json object = article();
    EXPECT_EQ(object["to"], Json::array({"https://www.w3.org/ns/activitystreams#Public"}));
    EXPECT_EQ(object["cc"], Json::array({"https://blog.example/users/blog/followers"}));
    EXPECT_EQ(object["@context"][0], activity_streams_context);
}

TEST(Article, SummaryIsAlwaysAParagraph) {
    store::Post post = sample_post();
    EXPECT_EQ(article(post)["summary"], post.summary_html);

    post.summary_html = "Un résumé sans balise";
    EXPECT_EQ(article(post)["summary"], "<p>Un résumé sans balise</p>");

    post.summary_html = "  \n";
    EXPECT_EQ(article(post)["summary"], "<p>Bonjour, le monde !</p>");

    post.summary_html = "<P class=\"lead\">Déjà un paragraphe</P>";
    EXPECT_EQ(article(post)["summary"], "<P class=\"lead\">Déjà un paragraphe</P>");
}

TEST(Article, LanguageMapsUseThePostLanguageOrTheBlogs) {
    store::Post post = sample_post();
    post.language = "en";
    Json object = article(post);
    EXPECT_EQ(object["contentMap"], Json({{"en", post.content_html}}));
    EXPECT_EQ(object["nameMap"], Json({{"en", post.title}}));
    EXPECT_EQ(object["summaryMap"], Json({{"en", post.summary_html}}));

    post.language.clear();
    EXPECT_TRUE(article(post)["contentMap"].contains("fr"));
}

TEST(Article, UpdatedOnlyWhenSet) {
    store::Post post = sample_post();
    EXPECT_EQ(article(post)["updated"], "2025-11-21T08:30:00Z");
    post.updated.reset();
    EXPECT_FALSE(article(post).contains("updated"));
    EXPECT_EQ(article(post)["published"], "2025-11-20T10:00:00Z");
}

TEST(Article, HashtagsLinkToPercentEncodedTagPages) {
    Json tags = article()["tag"];
    ASSERT_EQ(tags.size(), 2u);
    EXPECT_EQ(tags[0], Json({{"type", "Hashtag"},
                             {"href", "https://blog.example/tags/fediverse"},
                             {"name", "#fediverse"}}));
    EXPECT_EQ(tags[1]["href"], "https://blog.example/tags/%C3%A9conomie");
    EXPECT_EQ(tags[1]["name"], "#économie");
}

TEST(Article, ImageAttachmentCarriesAltText) {
    store::Post post = sample_post();
    Json image = {{"type", "Image"},
                  {"mediaType", "image/jpeg"},
                  {"url", "https://blog.example/media/images/couverture.jpg"},
                  {"name", "Une couverture de carnet"}};
    EXPECT_EQ(article(post)["attachment"], Json::array({image}));
    post.image_path.clear();
    EXPECT_EQ(article(post)["attachment"], Json::array());
}

TEST(Article, RepliesFirstPageIsEmbeddedWithEveryReply) {
    Interactions interactions{.reply_ids = {"https://m.example/users/alice/statuses/1"}, .likes = 3, .shares = 2};
    Json object = article(sample_post(), blog_settings(), interactions);
    EXPECT_EQ(object["replies"]["id"], "https://blog.example/posts/bonjour-le-monde/replies");
    EXPECT_FALSE(object["replies"].contains("@context"));
    EXPECT_EQ(object["replies"]["first"]["items"], Json::array({"https://m.example/users/alice/statuses/1"}));
    EXPECT_FALSE(object["replies"]["first"].contains("next"));
    EXPECT_EQ(object["likes"], Json({{"id", "https://blog.example/posts/bonjour-le-monde/likes"},
                                     {"type", "Collection"},
                                     {"totalItems", 3}}));
    EXPECT_EQ(object["shares"]["totalItems"], 2);
}

TEST(Article, CountsDefaultToZero) {
    Json object = article();
    EXPECT_EQ(object["likes"]["totalItems"], 0);
    EXPECT_EQ(object["shares"]["totalItems"], 0);
    EXPECT_EQ(object["replies"]["first"]["items"], Json::array());
}

TEST(Article, InteractionPolicyLetsEveryoneReplyWhileOpen) {
    Json policy = article()["interactionPolicy"];
    const Json everyone = Json::array({"https://www.w3.org/ns/activitystreams#Public"});
    for (const char* rule : {"canLike", "canReply", "canAnnounce"}) {
        EXPECT_EQ(policy[rule]["automaticApproval"], everyone) << rule;
        EXPECT_EQ(policy[rule]["always"], everyone) << rule;  // GoToSocial before 0.20
        EXPECT_EQ(policy[rule]["manualApproval"], Json::array()) << rule;
        EXPECT_EQ(policy[rule]["approvalRequired"], Json::array()) << rule;
    }
}

TEST(Article, ClosedCommentsLeaveOnlyTheBlogAbleToReply) {
    const Json only_the_blog = Json::array({blog_ids().actor()});
    store::Post closed = sample_post();
    closed.comments_closed = true;  // front matter
    EXPECT_EQ(article_object(closed, blog_settings(), blog_ids())["interactionPolicy"]["canReply"]["automaticApproval"],
              only_the_blog);
    Interactions aged;  // past comments_close_after_days
    aged.accepts_replies = false;
    Json policy = article_object(sample_post(), blog_settings(), blog_ids(), aged)["interactionPolicy"];
    EXPECT_EQ(policy["canReply"]["automaticApproval"], only_the_blog);
    EXPECT_EQ(policy["canReply"]["always"], only_the_blog);
    EXPECT_EQ(policy["canLike"]["automaticApproval"], Json::array({"https://www.w3.org/ns/activitystreams#Public"}));
}

TEST(Note, CarriesTheTitleInTheContentAndNoSummary) {
    Json object = article(sample_post(), note_settings());
    EXPECT_EQ(object["type"], "Note");
    EXPECT_FALSE(object.contains("summary"));
    EXPECT_FALSE(object.contains("name"));
    EXPECT_FALSE(object.contains("summaryMap"));
    EXPECT_EQ(object["content"], "<p><strong>Bonjour, le monde !</strong></p><h2>Pourquoi</h2>\n"
                                 "<p>Parce que le Web est à tout le monde.</p>\n");
    EXPECT_EQ(object["contentMap"]["fr"], object["content"]);
}

TEST(Note, TitleIsEscaped) {
    store::Post post = sample_post();
    post.title = "<script> & co";
    std::string content = article(post, note_settings())["content"];
    EXPECT_TRUE(content.starts_with("<p><strong>&lt;script&gt; &amp; co</strong></p><h2>")) << content;
}

TEST(Tombstone, NamesTheFormerTypeAndDeletionTime) {
    Json object = tombstone(deleted_post(), blog_settings(), blog_ids());
    EXPECT_EQ(object["id"], "https://blog.example/posts/bonjour-le-monde");
    EXPECT_EQ(object["type"], "Tombstone");
    EXPECT_EQ(object["formerType"], "Article");
    EXPECT_EQ(object["deleted"], "2025-12-01T12:00:00Z");
    EXPECT_EQ(tombstone(deleted_post(), note_settings(), blog_ids())["formerType"], "Note");
}

TEST(Serialize, InvalidUtf8InATitleBecomesReplacementCharacters) {
    store::Post post = sample_post();
    post.title = "Caf\xC3 \xFF";
    std::string wire;
    ASSERT_NO_THROW(wire = serialize(article(post)));
    EXPECT_NE(wire.find("\"name\":\"Caf\xEF\xBF\xBD \xEF\xBF\xBD\""), std::string::npos) << wire;
    EXPECT_TRUE(nlohmann::json::accept(wire));
}

TEST(Serialize, KeepsNonAsciiAsUtf8) {
    EXPECT_EQ(serialize(Json({{"name", "Léa"}})), "{\"name\":\"Léa\"}");
}

}  // namespace
}  // namespace fedblog::activitypub
