#include "web/atom.hpp"

#include <gtest/gtest.h>

#include "markup_check.hpp"
#include "site_fixture.hpp"

using namespace fedblog;
using namespace fedblog::web;
using namespace fedblog::web::testing;

TEST(Atom, FeedHeader) {
    store::Post post = make_post("premier", "Premier", "2026-01-01T09:00:00Z");
    post.updated = at("2026-01-05T12:00:00Z");
    Site site({post, make_post("second", "Second", "2026-01-02T09:00:00Z")});
    std::string feed = render_atom(site.view());
    EXPECT_EQ(markup_error(feed, Markup::xml), "");
    EXPECT_TRUE(
        feed.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                         "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"fr\">\n"
                         "  <id>https://blog.example/feed.xml</id>\n"
                         "  <title>La Coop du Coin</title>\n"
                         "  <subtitle>Le blog de la coopérative.</subtitle>\n"
                         // The newest change, an update of the older post.
                         "  <updated>2026-01-05T12:00:00Z</updated>\n"
                         "  <link rel=\"self\" type=\"application/atom+xml\" href=\"https://blog.example/feed.xml\"/>\n"
                         "  <link rel=\"alternate\" type=\"text/html\" href=\"https://blog.example/\"/>\n"
                         "  <author>\n    <name>L’équipe</name>\n    <uri>https://blog.example/@blog</uri>\n"
                         "  </author>\n"));
    EXPECT_TRUE(feed.ends_with("</feed>\n"));
}

TEST(Atom, EntryCarriesArticleIdDatesLinkSummaryContentAndCategories) {
    store::Post post = make_post("assemblee", "Assemblée", "2026-01-01T09:00:00Z", {"économie", "coop"});
    post.summary_html = "<p>Le <em>résumé</em> &amp; plus.</p>";
    post.content_html = "<p>Le contenu.</p>";
    post.image_path = "ag.jpg";
    post.image_alt = "La salle";
    Site site({post});
    std::string feed = render_atom(site.view());
    EXPECT_EQ(markup_error(feed, Markup::xml), "");
    EXPECT_NE(
        feed.find(
            "  <entry xml:lang=\"fr\">\n"
            "    <id>https://blog.example/posts/assemblee</id>\n"
            "    <title>Assemblée</title>\n"
            "    <published>2026-01-01T09:00:00Z</published>\n"
            "    <updated>2026-01-01T09:00:00Z</updated>\n"
            "    <link rel=\"alternate\" type=\"text/html\" href=\"https://blog.example/posts/assemblee\"/>\n"
            "    <category term=\"économie\"/>\n"
            "    <category term=\"coop\"/>\n"
            "    <summary type=\"html\">&lt;p&gt;Le &lt;em&gt;résumé&lt;/em&gt; &amp;amp; plus.&lt;/p&gt;</summary>\n"
            "    <content type=\"html\">&lt;p&gt;&lt;img src=&quot;https://blog.example/media/ag.jpg&quot; "
            "alt=&quot;La salle&quot;&gt;&lt;/p&gt;\n&lt;p&gt;Le contenu.&lt;/p&gt;</content>\n"
            "  </entry>\n"),
        std::string::npos);
}

TEST(Atom, TwentyNewestEntries) {
    Site site(numbered_posts(25));
    std::string feed = render_atom(site.view());
    EXPECT_EQ(markup_error(feed, Markup::xml), "");
    EXPECT_EQ(count_of(feed, "<entry"), 20u);
    EXPECT_EQ(count_of(feed, "</entry>"), 20u);
    EXPECT_LT(feed.find("<id>https://blog.example/posts/post-25</id>"),
              feed.find("<id>https://blog.example/posts/post-24</id>"));
    EXPECT_NE(feed.find("<id>https://blog.example/posts/post-6</id>"), std::string::npos);
    EXPECT_EQ(feed.find("<id>https://blog.example/posts/post-5</id>"), std::string::npos);
}

TEST(Atom, OneEntryPerPublishedPost) {
    std::vector<store::Post> posts = numbered_posts(3);
    posts[1].deleted = at("2026-02-01");
    Site site(std::move(posts));
    std::string feed = render_atom(site.view());
    EXPECT_EQ(count_of(feed, "<entry"), 2u);
    EXPECT_EQ(feed.find("post-2<"), std::string::npos);
}

TEST(Atom, HostileTextIsEscapedAndStaysWellFormed) {
    store::Post post =
        make_post("hostile", "Le <script>alert(\"x\")</script> & \"guillemets\"\x01", "2026-01-01", {"a&b\"c"});
    Site site({post});
    site.settings.blog_name = "<Coop> & \"Cie\"";
    std::string feed = render_atom(site.view());
    EXPECT_EQ(markup_error(feed, Markup::xml), "");
    EXPECT_EQ(feed.find("<script>"), std::string::npos);
    EXPECT_NE(
        feed.find("<title>Le &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;guillemets&quot;</title>"),
        std::string::npos);
    EXPECT_NE(feed.find("<title>&lt;Coop&gt; &amp; &quot;Cie&quot;</title>"), std::string::npos);
    EXPECT_NE(feed.find("<category term=\"a&amp;b&quot;c\"/>"), std::string::npos);
}

TEST(Atom, EmptyBlogIsAValidFeed) {
    Site site;
    site.settings.author_name.clear();
    std::string feed = render_atom(site.view());
    EXPECT_EQ(markup_error(feed, Markup::xml), "");
    EXPECT_EQ(feed.find("<entry"), std::string::npos);
    EXPECT_NE(feed.find("<updated>1970-01-01T00:00:00Z</updated>"), std::string::npos);
    // Atom requires an author: the blog stands in for a missing name.
    EXPECT_NE(feed.find("<name>La Coop du Coin</name>"), std::string::npos);
}
