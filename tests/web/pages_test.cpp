#include "web/pages.hpp"

#include <gtest/gtest.h>

#include "markup_check.hpp"
#include "site_fixture.hpp"

using namespace fedblog;
using namespace fedblog::web;
using namespace fedblog::web::testing;

namespace {

constexpr std::string_view actor_alternate =
    R"(<link rel="alternate" type="application/activity+json" href="https://blog.example/users/blog">)";
constexpr std::string_view feed_alternate =
    R"(<link rel="alternate" type="application/atom+xml" title="La Coop du Coin" href="https://blog.example/feed.xml">)";
constexpr std::string_view creator = R"(<meta name="fediverse:creator" content="@blog@blog.example">)";
constexpr std::string_view hostile_title = R"(Le <script>alert("x")</script> & "guillemets")";
constexpr std::string_view hostile_title_text = R"(Le &lt;script&gt;alert("x")&lt;/script&gt; &amp; "guillemets")";
constexpr std::string_view hostile_title_attribute =
    "Le &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;guillemets&quot;";

store::Post cover_post() {
    store::Post post =
        make_post("assemblee-generale", "Assemblée générale", "2026-01-01T09:00:00Z", {"économie", "Coop"});
    post.summary_html = "<p>Le compte rendu de l&#39;<em>assemblée</em> &amp; les votes.</p>";
    post.content_html = "<p>Tout le détail.</p>\n<h2>Votes</h2>\n<p>Adopté.</p>";
    post.image_path = "images/ag 2026.jpg";
    post.image_alt = "La salle \"pleine\" <enfin>";
    post.updated = at("2026-01-03T10:00:00Z");
    return post;
}

// Every page shares the shell: discovery links, the handle, the stylesheet, the skip link.
void expect_shell(const std::string& page) {
    EXPECT_TRUE(page.starts_with("<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n"));
    EXPECT_NE(page.find(R"(<meta name="viewport" content="width=device-width, initial-scale=1">)"), std::string::npos);
    EXPECT_NE(page.find(R"(<link rel="stylesheet" href="/style.css">)"), std::string::npos);
    EXPECT_NE(page.find(feed_alternate), std::string::npos);
    EXPECT_NE(page.find(creator), std::string::npos);
    EXPECT_NE(page.find(R"(<meta property="og:site_name" content="La Coop du Coin">)"), std::string::npos);
    EXPECT_NE(page.find(R"(<a class="skip-link" href="#contenu">Aller au contenu</a>)"), std::string::npos);
    EXPECT_NE(page.find(R"(<main id="contenu">)"), std::string::npos);
    EXPECT_NE(page.find("Suivez ce blog depuis le fédivers\u00A0: <a class=\"handle\" "
                        "href=\"https://blog.example/@blog\">@blog@blog.example</a>"),
              std::string::npos);
    EXPECT_EQ(markup_error(page, Markup::html), "");
}

}  // namespace

TEST(Index, ShellAndWebsiteMetadata) {
    Site site({cover_post()});
    std::string page = *render_index(site.view(), 1);
    expect_shell(page);
    EXPECT_NE(page.find(actor_alternate), std::string::npos);
    EXPECT_NE(page.find("<title>La Coop du Coin</title>"), std::string::npos);
    EXPECT_NE(page.find(R"(<link rel="canonical" href="https://blog.example/">)"), std::string::npos);
    EXPECT_NE(page.find(R"(<meta property="og:type" content="website">)"), std::string::npos);
    EXPECT_NE(page.find(R"(<meta property="og:url" content="https://blog.example/">)"), std::string::npos);
    EXPECT_NE(page.find(R"(<meta property="og:description" content="Le blog de la coopérative.">)"), std::string::npos);
    EXPECT_NE(page.find(R"(<meta property="og:locale" content="fr_FR">)"), std::string::npos);
    EXPECT_NE(page.find(R"(<meta name="twitter:card" content="summary">)"), std::string::npos);
    EXPECT_EQ(page.find("og:image"), std::string::npos);
    EXPECT_EQ(page.find("article:"), std::string::npos);
}

TEST(Index, EntryHasTitleLinkFrenchDateSummaryAndEncodedTags) {
    Site site({cover_post()});
    std::string page = *render_index(site.view(), 1);
    EXPECT_NE(page.find(R"(<h2><a href="https://blog.example/posts/assemblee-generale">Assemblée générale</a></h2>)"),
              std::string::npos);
    EXPECT_NE(page.find(R"(<time datetime="2026-01-01T09:00:00Z">1er janvier 2026</time>)"), std::string::npos);
    EXPECT_NE(page.find("<div class=\"summary\"><p>Le compte rendu de l&#39;<em>assemblée</em> &amp; les votes.</p>"),
              std::string::npos);
    EXPECT_NE(page.find(R"(<a href="https://blog.example/tags/%C3%A9conomie" rel="tag">économie</a>)"),
              std::string::npos);
}

TEST(Index, NewestFirstTenPerPage) {
    Site site(numbered_posts(23));
    EXPECT_EQ(index_page_count(site.catalog), 3u);
    std::string first = *render_index(site.view(), 1);
    EXPECT_EQ(count_of(first, "<article class=\"entry\""), 10u);
    EXPECT_LT(first.find(">Billet 23<"), first.find(">Billet 22<"));
    EXPECT_EQ(first.find(">Billet 13<"), std::string::npos);
    std::string last = *render_index(site.view(), 3);
    EXPECT_EQ(count_of(last, "<article class=\"entry\""), 3u);
    EXPECT_NE(last.find(">Billet 1<"), std::string::npos);
}

TEST(Index, PaginationLinks) {
    Site site(numbered_posts(23));
    std::string first = *render_index(site.view(), 1);
    EXPECT_EQ(first.find("rel=\"prev\""), std::string::npos);
    EXPECT_NE(first.find("<a rel=\"next\" href=\"https://blog.example/?page=2\">Billets plus anciens"),
              std::string::npos);
    EXPECT_NE(first.find("<span class=\"page-number\">Page 1 sur 3</span>"), std::string::npos);

    std::string second = *render_index(site.view(), 2);
    // Page 1 has one address, the home page.
    EXPECT_NE(second.find("<a rel=\"prev\" href=\"https://blog.example/\">"), std::string::npos);
    EXPECT_NE(second.find("<a rel=\"next\" href=\"https://blog.example/?page=3\">"), std::string::npos);
    EXPECT_NE(second.find("<title>Page 2 sur 3 – La Coop du Coin</title>"), std::string::npos);
    EXPECT_NE(second.find(R"(<link rel="canonical" href="https://blog.example/?page=2">)"), std::string::npos);

    std::string third = *render_index(site.view(), 3);
    EXPECT_NE(third.find("<a rel=\"prev\" href=\"https://blog.example/?page=2\">"), std::string::npos);
    EXPECT_EQ(third.find("rel=\"next\""), std::string::npos);
}

TEST(Index, OutOfRangePagesAreMissing) {
    Site site(numbered_posts(23));
    EXPECT_FALSE(render_index(site.view(), 0));
    EXPECT_FALSE(render_index(site.view(), 4));
}

TEST(Index, ExactlyOnePageHasNoPagination) {
    Site site(numbered_posts(10));
    EXPECT_EQ(index_page_count(site.catalog), 1u);
    EXPECT_EQ(render_index(site.view(), 1)->find("class=\"pagination\""), std::string::npos);
    EXPECT_FALSE(render_index(site.view(), 2));
}

TEST(Index, EmptyBlogStillHasAHomePage) {
    Site site;
    EXPECT_EQ(index_page_count(site.catalog), 1u);
    std::string page = *render_index(site.view(), 1);
    expect_shell(page);
    EXPECT_NE(page.find("Aucun billet pour l’instant."), std::string::npos);
    EXPECT_FALSE(render_index(site.view(), 2));
}

TEST(Index, DeletedPostsAreNotListed) {
    std::vector<store::Post> posts = numbered_posts(2);
    posts[0].deleted = at("2026-02-01");
    Site site(std::move(posts));
    std::string page = *render_index(site.view(), 1);
    EXPECT_EQ(page.find(">Billet 1<"), std::string::npos);
    EXPECT_NE(page.find(">Billet 2<"), std::string::npos);
}

TEST(Post, ArticleMetadata) {
    Site site({cover_post()});
    std::string page = render_post(site.view(), *site.catalog.find("assemblee-generale"));
    expect_shell(page);
    EXPECT_NE(
        page.find(
            R"(<link rel="alternate" type="application/activity+json" href="https://blog.example/posts/assemblee-generale">)"),
        std::string::npos);
    EXPECT_EQ(page.find(actor_alternate), std::string::npos);
    EXPECT_NE(page.find(R"(<link rel="canonical" href="https://blog.example/posts/assemblee-generale">)"),
              std::string::npos);
    EXPECT_NE(page.find("<title>Assemblée générale – La Coop du Coin</title>"), std::string::npos);
    EXPECT_NE(page.find(R"(<meta property="og:type" content="article">)"), std::string::npos);
    EXPECT_NE(page.find(R"(<meta property="og:title" content="Assemblée générale">)"), std::string::npos);
    EXPECT_NE(
        page.find(R"(<meta property="og:description" content="Le compte rendu de l&#39;assemblée &amp; les votes.">)"),
        std::string::npos);
    EXPECT_NE(page.find(R"(<meta name="description" content="Le compte rendu de l&#39;assemblée &amp; les votes.">)"),
              std::string::npos);
    EXPECT_NE(page.find(R"(<meta property="og:url" content="https://blog.example/posts/assemblee-generale">)"),
              std::string::npos);
    EXPECT_NE(page.find(R"(<meta property="og:image" content="https://blog.example/media/images/ag%202026.jpg">)"),
              std::string::npos);
    EXPECT_NE(page.find(R"(<meta property="og:image:alt" content="La salle &quot;pleine&quot; &lt;enfin&gt;">)"),
              std::string::npos);
    EXPECT_NE(page.find(R"(<meta property="article:published_time" content="2026-01-01T09:00:00Z">)"),
              std::string::npos);
    EXPECT_NE(page.find(R"(<meta property="article:modified_time" content="2026-01-03T10:00:00Z">)"),
              std::string::npos);
    EXPECT_NE(page.find(R"(<meta property="article:tag" content="économie">)"), std::string::npos);
    EXPECT_NE(page.find(R"(<meta property="article:tag" content="Coop">)"), std::string::npos);
    EXPECT_NE(page.find(R"(<meta name="twitter:card" content="summary_large_image">)"), std::string::npos);
}

TEST(Post, BodyDatesTagsImageAndContent) {
    Site site({cover_post()});
    std::string page = render_post(site.view(), *site.catalog.find("assemblee-generale"));
    EXPECT_NE(page.find("<article class=\"post\" lang=\"fr\">"), std::string::npos);
    EXPECT_NE(page.find("<h1>Assemblée générale</h1>"), std::string::npos);
    EXPECT_NE(
        page.find(
            R"(<p class="meta"><time datetime="2026-01-01T09:00:00Z">1er janvier 2026</time> · )"
            R"(<span class="updated">mis à jour le <time datetime="2026-01-03T10:00:00Z">3 janvier 2026</time></span></p>)"),
        std::string::npos);
    EXPECT_NE(page.find(R"(<a href="https://blog.example/tags/%C3%A9conomie" rel="tag">économie</a>)"),
              std::string::npos);
    EXPECT_NE(page.find(R"(<a href="https://blog.example/tags/Coop" rel="tag">Coop</a>)"), std::string::npos);
    EXPECT_NE(
        page.find(
            R"(<img src="https://blog.example/media/images/ag%202026.jpg" alt="La salle &quot;pleine&quot; &lt;enfin&gt;">)"),
        std::string::npos);
    EXPECT_NE(page.find("<div class=\"content\">\n<p>Tout le détail.</p>\n<h2>Votes</h2>"), std::string::npos);
}

TEST(Post, NoUpdatedLineWithoutAnUpdate) {
    Site site({make_post("simple", "Simple", "2026-05-01")});
    std::string page = render_post(site.view(), *site.catalog.find("simple"));
    EXPECT_EQ(page.find("mis à jour"), std::string::npos);
    EXPECT_EQ(page.find("og:image"), std::string::npos);
    EXPECT_EQ(page.find("<figure"), std::string::npos);
    EXPECT_EQ(page.find("<ul class=\"tags\""), std::string::npos);
}

TEST(Post, CommentsSectionExplainsHowToReply) {
    Site site({cover_post()});
    std::string page = render_post(site.view(), *site.catalog.find("assemblee-generale"));
    EXPECT_NE(page.find("<section class=\"comments\" id=\"commentaires\" aria-labelledby=\"commentaires-titre\">\n"
                        "<h2 id=\"commentaires-titre\">Commentaires</h2>\n"
                        "<p class=\"empty\">Aucun commentaire pour l’instant.</p>"),
              std::string::npos);
    EXPECT_NE(page.find("<h3>Répondre depuis votre instance</h3>"), std::string::npos);
    EXPECT_NE(page.find(R"(<label for="adresse-billet">Adresse du billet</label>)"), std::string::npos);
    EXPECT_NE(
        page.find(
            R"(<input id="adresse-billet" type="url" readonly value="https://blog.example/posts/assemblee-generale">)"),
        std::string::npos);
    EXPECT_EQ(page.find("fermés"), std::string::npos);
}

TEST(Post, ClosedCommentsSayingSoAndNoReplyBox) {
    store::Post post = cover_post();
    post.comments_closed = true;
    Site site({post});
    std::string page = render_post(site.view(), *site.catalog.find("assemblee-generale"));
    EXPECT_NE(page.find("<h2 id=\"commentaires-titre\">Commentaires</h2>\n"
                        "<p class=\"closed\">Les commentaires sont fermés.</p>\n</section>"),
              std::string::npos);
    EXPECT_EQ(page.find("<input"), std::string::npos);
    EXPECT_EQ(page.find("Aucun commentaire"), std::string::npos);
    EXPECT_EQ(markup_error(page, Markup::html), "");
}

TEST(Post, LanguageOfThePostMarksTheArticle) {
    store::Post post = make_post("in-english", "In English", "2026-05-01");
    post.language = "en";
    Site site({post});
    std::string page = render_post(site.view(), *site.catalog.find("in-english"));
    EXPECT_NE(page.find("<html lang=\"fr\">"), std::string::npos);  // the interface stays French
    EXPECT_NE(page.find("<article class=\"post\" lang=\"en\">"), std::string::npos);
    EXPECT_NE(page.find(R"(<meta property="og:locale" content="en_US">)"), std::string::npos);
}

TEST(Escaping, HostileTitleIsEscapedOnEveryPage) {
    store::Post post = make_post("hostile", std::string(hostile_title), "2026-05-01", {"économie"});
    Site site({post});
    SiteView view = site.view();
    std::string post_page = render_post(view, *site.catalog.find("hostile"));
    std::string index = *render_index(view, 1);
    std::string tag = *render_tag(view, "économie");
    std::string profile = render_profile(view, 0);
    for (const std::string* page : {&post_page, &index, &tag, &profile}) {
        EXPECT_EQ(page->find("<script>"), std::string::npos);
        EXPECT_NE(page->find(hostile_title_text), std::string::npos);
        EXPECT_EQ(markup_error(*page, Markup::html), "");
    }
    EXPECT_NE(post_page.find("<title>" + std::string(hostile_title_text) + " – La Coop du Coin</title>"),
              std::string::npos);
    EXPECT_NE(post_page.find("<h1>" + std::string(hostile_title_text) + "</h1>"), std::string::npos);
    EXPECT_NE(post_page.find("<meta property=\"og:title\" content=\"" + std::string(hostile_title_attribute) + "\">"),
              std::string::npos);
}

TEST(Escaping, HostileSettingsAreEscaped) {
    Site site;
    site.settings.blog_name = R"(A "B" <C>)";
    std::string page = *render_index(site.view(), 1);
    EXPECT_NE(page.find("<title>A \"B\" &lt;C&gt;</title>"), std::string::npos);
    EXPECT_NE(page.find(R"(<meta property="og:site_name" content="A &quot;B&quot; &lt;C&gt;">)"), std::string::npos);
    EXPECT_EQ(markup_error(page, Markup::html), "");
}

TEST(Gone, SaysDeletedAndIsNotIndexed) {
    Site site;
    std::string page = render_gone(site.view());
    expect_shell(page);
    EXPECT_NE(page.find("<h1>Ce billet a été supprimé</h1>"), std::string::npos);
    EXPECT_NE(page.find(R"(<meta name="robots" content="noindex">)"), std::string::npos);
    EXPECT_NE(page.find(actor_alternate), std::string::npos);
    EXPECT_EQ(page.find("rel=\"canonical\""), std::string::npos);
}

TEST(NotFound, SaysSoAndIsNotIndexed) {
    Site site;
    std::string page = render_not_found(site.view());
    expect_shell(page);
    EXPECT_NE(page.find("<title>Page introuvable – La Coop du Coin</title>"), std::string::npos);
    EXPECT_NE(page.find(R"(<meta name="robots" content="noindex">)"), std::string::npos);
    EXPECT_NE(page.find(actor_alternate), std::string::npos);
    EXPECT_NE(page.find(R"(<a href="https://blog.example/">Retour à l’accueil</a>)"), std::string::npos);
    EXPECT_EQ(page.find("og:url"), std::string::npos);
}

TEST(Tag, ListsTaggedPostsWithEncodedCanonical) {
    Site site({cover_post(), make_post("autre", "Autre", "2026-02-01", {"économie"}),
               make_post("sans", "Sans étiquette", "2026-03-01")});
    std::string page = *render_tag(site.view(), "économie");
    expect_shell(page);
    EXPECT_NE(page.find(actor_alternate), std::string::npos);
    EXPECT_NE(page.find(R"(<link rel="canonical" href="https://blog.example/tags/%C3%A9conomie">)"), std::string::npos);
    EXPECT_NE(page.find("<title>Étiquette\u00A0: économie – La Coop du Coin</title>"), std::string::npos);
    EXPECT_NE(page.find("<span class=\"tag-name\">économie</span>"), std::string::npos);
    EXPECT_NE(page.find("<p class=\"meta\">2 billets</p>"), std::string::npos);
    EXPECT_EQ(count_of(page, "<article class=\"entry\""), 2u);
    EXPECT_LT(page.find(">Autre<"), page.find(">Assemblée générale<"));
    EXPECT_EQ(page.find("Sans étiquette"), std::string::npos);
}

TEST(Tag, ShowsTheTagAsPostsSpellIt) {
    Site site({cover_post()});
    std::string page = *render_tag(site.view(), "coop");
    EXPECT_NE(page.find("<span class=\"tag-name\">Coop</span>"), std::string::npos);
    EXPECT_NE(page.find(R"(<link rel="canonical" href="https://blog.example/tags/Coop">)"), std::string::npos);
}

TEST(Tag, UnknownTagIsMissing) {
    Site site({cover_post()});
    EXPECT_FALSE(render_tag(site.view(), "inconnue"));
}

TEST(Profile, HandleFollowInstructionsCountsRecentPostsAndTagCloud) {
    std::vector<store::Post> posts = numbered_posts(7);
    posts[0].tags = {"économie"};
    posts[1].tags = {"économie", "coop"};
    posts[2].tags = {"économie"};
    Site site(std::move(posts));
    site.settings.blog_icon = "icon.png";
    std::string page = render_profile(site.view(), 3);
    expect_shell(page);
    EXPECT_NE(page.find(actor_alternate), std::string::npos);
    EXPECT_NE(page.find(R"(<link rel="canonical" href="https://blog.example/@blog">)"), std::string::npos);
    EXPECT_NE(page.find("<title>@blog@blog.example – La Coop du Coin</title>"), std::string::npos);
    EXPECT_NE(page.find(R"(<meta property="og:image" content="https://blog.example/media/icon.png">)"),
              std::string::npos);
    EXPECT_NE(
        page.find(R"(<img class="avatar" src="https://blog.example/media/icon.png" alt="" width="96" height="96">)"),
        std::string::npos);
    EXPECT_NE(page.find("<h1>La Coop du Coin</h1>"), std::string::npos);
    EXPECT_NE(page.find("<p class=\"handle-big\"><code>@blog@blog.example</code></p>"), std::string::npos);
    EXPECT_NE(page.find("<p class=\"bio\">Le blog de la coopérative.</p>"), std::string::npos);
    EXPECT_NE(page.find("<p class=\"stats\">3 abonnés · 7 billets</p>"), std::string::npos);
    EXPECT_NE(page.find("<h2 id=\"suivre\">Suivre ce blog depuis Mastodon</h2>"), std::string::npos);
    EXPECT_EQ(count_of(page, "<li lang=\"fr\"><a href=\"https://blog.example/posts/post-"), 5u);
    EXPECT_NE(page.find(">Billet 7<"), std::string::npos);
    EXPECT_EQ(page.find(">Billet 2<"), std::string::npos);
    EXPECT_NE(page.find("<li class=\"weight-1\"><a href=\"https://blog.example/tags/coop\" rel=\"tag\">coop "
                        "<span class=\"count\">1</span></a></li>"),
              std::string::npos);
    EXPECT_NE(page.find("<li class=\"weight-4\"><a href=\"https://blog.example/tags/%C3%A9conomie\" rel=\"tag\">"
                        "économie <span class=\"count\">3</span></a></li>"),
              std::string::npos);
}

TEST(Profile, AbsoluteImageSettingsAreUsedAsTheyAre) {
    Site site;
    site.settings.blog_header = "https://cdn.example/banner.jpg";
    std::string page = render_profile(site.view(), 1);
    EXPECT_NE(page.find(R"(<img class="banner" src="https://cdn.example/banner.jpg" alt="">)"), std::string::npos);
    EXPECT_NE(page.find("<p class=\"stats\">1 abonné · 0 billet</p>"), std::string::npos);
    EXPECT_EQ(page.find("id=\"recents\""), std::string::npos);
    EXPECT_EQ(markup_error(page, Markup::html), "");
}

TEST(English, InterfaceAndDatesFollowTheBlogLanguage) {
    store::Post post = make_post("hello", "Hello", "2026-01-01", {"news"});
    post.language = "en";
    Site site({post});
    site.settings.language = "en";
    std::string index = *render_index(site.view(), 1);
    EXPECT_NE(index.find("<html lang=\"en\">"), std::string::npos);
    EXPECT_NE(index.find("Follow this blog from the fediverse: <a class=\"handle\""), std::string::npos);
    EXPECT_NE(index.find(">1 January 2026</time>"), std::string::npos);
    EXPECT_NE(index.find(R"(<meta property="og:locale" content="en_US">)"), std::string::npos);
    std::string page = render_post(site.view(), *site.catalog.find("hello"));
    EXPECT_NE(page.find("<h3>Reply from your instance</h3>"), std::string::npos);
    EXPECT_NE(page.find("<p class=\"empty\">No comments yet.</p>"), std::string::npos);
    EXPECT_NE(render_profile(site.view(), 0).find("0 followers · 1 post"), std::string::npos);
}
