#include "publishing/markdown.hpp"

#include <gtest/gtest.h>

namespace fedblog::publishing {
namespace {

std::string html(std::string_view markdown) { return render_markdown(markdown, "/media/").html; }

TEST(RenderMarkdown, ParagraphsAndEmphasisKeepUtf8) {
    EXPECT_EQ(html("L\u2019atelier **v\u00e9lo** ouvre *d\u00e8s* l\u2019\u00e9t\u00e9.\n\n\u00ab Bienvenue \u00bb"),
              "<p>L\u2019atelier <strong>v\u00e9lo</strong> ouvre <em>d\u00e8s</em> l\u2019\u00e9t\u00e9.</p>\n"
              "<p>\u00ab Bienvenue \u00bb</p>");
}

TEST(RenderMarkdown, Tables) {
    EXPECT_EQ(html("| Pain | Prix |\n|:-----|-----:|\n| Baguette | 1,20 \u20ac |\n"),
              "<table>\n<thead>\n<tr>\n<th align=\"left\">Pain</th>\n<th align=\"right\">Prix</th>\n</tr>\n</thead>\n"
              "<tbody>\n<tr>\n<td align=\"left\">Baguette</td>\n<td align=\"right\">1,20 \u20ac</td>\n</tr>\n"
              "</tbody>\n</table>");
}

TEST(RenderMarkdown, StrikethroughAndAutolinks) {
    EXPECT_EQ(html("~~ferm\u00e9~~ ouvert, voir https://coop.example/horaires"),
              "<p><del>ferm\u00e9</del> ouvert, voir "
              "<a href=\"https://coop.example/horaires\">https://coop.example/horaires</a></p>");
}

TEST(RenderMarkdown, ListsRender) {
    EXPECT_EQ(html("- farine\n- eau\n- sel\n"), "<ul>\n<li>farine</li>\n<li>eau</li>\n<li>sel</li>\n</ul>");
}

TEST(RenderMarkdown, RawHtmlAndScriptLinksAreDropped) {
    EXPECT_EQ(html("<script>alert(1)</script>\n"), "<!-- raw HTML omitted -->");
    EXPECT_EQ(html("a <b onclick=\"x()\">b</b> [c](javascript:alert(1))"),
              "<p>a <!-- raw HTML omitted -->b<!-- raw HTML omitted --> <a href=\"\">c</a></p>");
}

TEST(RenderMarkdown, NoSmartPunctuation) {
    EXPECT_EQ(html("\"oui\" -- 'non' ---"), "<p>&quot;oui&quot; -- 'non' ---</p>");
}

TEST(RenderMarkdown, InvalidUtf8BecomesReplacementCharacter) { EXPECT_EQ(html("caf\xE9"), "<p>caf\uFFFD</p>"); }

TEST(RenderMarkdown, FirstParagraphIsTheFirstTopLevelOne) {
    const auto rendered = render_markdown(
        "# Titre\n\n> Une citation.\n\nPremier *vrai* paragraphe,\nsur deux lignes.\n\nLe second.\n", "/media/");
    EXPECT_EQ(rendered.first_paragraph_html, "<p>Premier <em>vrai</em> paragraphe,\nsur deux lignes.</p>");
}

TEST(RenderMarkdown, NoParagraphMeansNoFirstParagraph) {
    EXPECT_EQ(render_markdown("# Titre\n\n- un\n- deux\n", "/media/").first_paragraph_html, "");
    EXPECT_EQ(render_markdown("", "/media/").first_paragraph_html, "");
}

TEST(RenderMarkdown, RelativeImagesPointAtTheMediaPrefix) {
    const auto rendered = render_markdown(
        "Intro.\n\n![L\u2019atelier](photos/atelier.jpg \"Titre\")\n\n"
        "![a](https://ailleurs.example/a.png) ![b](/static/b.png) ![c](data:image/png;base64,AAAA)\n\n"
        "[Le compte rendu](compte-rendu.pdf)\n\n"
        "- Dans une liste,\n  ![d](../d.webp)\n",
        "https://blog.example/media/posts/");
    EXPECT_EQ(
        rendered.html,
        "<p>Intro.</p>\n"
        "<p><img src=\"https://blog.example/media/posts/photos/atelier.jpg\" alt=\"L\u2019atelier\" "
        "title=\"Titre\" /></p>\n"
        "<p><img src=\"https://ailleurs.example/a.png\" alt=\"a\" /> <img src=\"/static/b.png\" alt=\"b\" /> "
        "<img src=\"data:image/png;base64,AAAA\" alt=\"c\" /></p>\n"
        "<p><a href=\"compte-rendu.pdf\">Le compte rendu</a></p>\n"
        "<ul>\n<li>Dans une liste,\n<img src=\"https://blog.example/media/posts/../d.webp\" alt=\"d\" /></li>\n</ul>");
    ASSERT_EQ(rendered.relative_images.size(), 2u);
    EXPECT_EQ(rendered.relative_images[0].url, "photos/atelier.jpg");
    EXPECT_EQ(rendered.relative_images[0].line, 3);
    EXPECT_EQ(rendered.relative_images[1].url, "../d.webp");
    EXPECT_EQ(rendered.relative_images[1].line, 10);
}

TEST(RenderMarkdown, SummaryOfAnImageParagraphIsRewrittenToo) {
    EXPECT_EQ(render_markdown("![x](x.png) Voil\u00e0.", "/media/").first_paragraph_html,
              "<p><img src=\"/media/x.png\" alt=\"x\" /> Voil\u00e0.</p>");
}

TEST(IsRelativeUrl, PathsOnly) {
    EXPECT_TRUE(is_relative_url("photo.jpg"));
    EXPECT_TRUE(is_relative_url("photos/atelier.jpg"));
    EXPECT_TRUE(is_relative_url("../photo.jpg"));
    EXPECT_TRUE(is_relative_url("./a:b.png"));
    EXPECT_FALSE(is_relative_url(""));
    EXPECT_FALSE(is_relative_url("/media/a.png"));
    EXPECT_FALSE(is_relative_url("//cdn.example/a.png"));
    EXPECT_FALSE(is_relative_url("#section"));
    EXPECT_FALSE(is_relative_url("?v=1"));
    EXPECT_FALSE(is_relative_url("https://example.org/a.png"));
    EXPECT_FALSE(is_relative_url("mailto:coop@example.org"));
    EXPECT_FALSE(is_relative_url("data:image/png;base64,AAAA"));
}

}  // namespace
}  // namespace fedblog::publishing
