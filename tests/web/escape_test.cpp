#include "web/escape.hpp"

#include <gtest/gtest.h>

using namespace fedblog::web;

TEST(Escape, TextEscapesMarkupButKeepsQuotes) {
    EXPECT_EQ(escape_text(R"(<script>alert("x") & 'y'</script>)"),
              R"(&lt;script&gt;alert("x") &amp; 'y'&lt;/script&gt;)");
}

TEST(Escape, AttributeEscapesBothQuotes) {
    EXPECT_EQ(escape_attribute(R"(a"b'c<d>&e)"), "a&quot;b&#39;c&lt;d&gt;&amp;e");
}

TEST(Escape, Utf8PassesThrough) {
    EXPECT_EQ(escape_text("économie « coop »"), "économie « coop »");
    EXPECT_EQ(escape_xml("été — 🌻"), "été — 🌻");
}

TEST(Escape, XmlDropsForbiddenControlCharacters) {
    EXPECT_EQ(escape_xml("a\x01"
                         "b\x1f"
                         "c\td\ne\rf\x7f"),
              "abc\td\ne\rf\x7f");
    EXPECT_EQ(escape_xml(R"(<a href="x">&'</a>)"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
}

TEST(PlainText, StripsTagsDecodesEntitiesCollapsesSpace) {
    EXPECT_EQ(plain_text_from_html("<p>Un <em>petit</em> billet&nbsp;: l&#39;été &amp; la <a href=\"/x\">coop</a>."
                                   "</p>\n\n<p>Deux&#x2014;trois &lt;b&gt;</p>"),
              "Un petit billet\u00A0: l'été & la coop. Deux—trois <b>");
}

TEST(PlainText, BlockTagsSeparateWordsInlineTagsDoNot) {
    EXPECT_EQ(plain_text_from_html("<p>un</p><p>deux</p><ul><li>trois</li><li>quatre<br>cinq</li></ul>"),
              "un deux trois quatre cinq");
    EXPECT_EQ(plain_text_from_html("<strong>co</strong>opérative"), "coopérative");
}

TEST(PlainText, LeavesUnknownEntitiesAndLoneAmpersandsAlone) {
    EXPECT_EQ(plain_text_from_html("AT&T &foo; &#xZZ; &"), "AT&T &foo; &#xZZ; &");
}

TEST(PlainText, DropsComments) { EXPECT_EQ(plain_text_from_html("a<!-- <p>b</p> -->c"), "ac"); }

TEST(PlainText, InvalidCodePointsBecomeReplacementCharacter) {
    EXPECT_EQ(plain_text_from_html("&#0;&#xD800;&#x110000;"), "\uFFFD\uFFFD\uFFFD");
}

TEST(Shorten, KeepsShortTextWhole) {
    EXPECT_EQ(shorten("court", 5), "court");
    EXPECT_EQ(shorten("", 200), "");
}

TEST(Shorten, CutsAtAWordAndAddsEllipsis) {
    EXPECT_EQ(shorten("une coopérative de quartier", 20), "une coopérative de…");
    EXPECT_EQ(shorten("un, deux, trois", 10), "un, deux…");
}

TEST(Shorten, CutsOnCodePointsNeverInsideOne) {
    std::string accents;
    for (int i = 0; i < 300; ++i) accents += "é";
    std::string expected;
    for (int i = 0; i < 199; ++i) expected += "é";
    EXPECT_EQ(shorten(accents, 200), expected + "…");
}

TEST(PlainText, TruncatesLongSummariesToTwoHundredCharacters) {
    std::string html = "<p>";
    for (int i = 0; i < 100; ++i) html += "été ";
    html += "</p>";
    std::string text = plain_text_from_html(html);
    ASSERT_TRUE(text.ends_with("été…"));
    std::size_t code_points = 0;
    for (unsigned char c : text) code_points += (c & 0xC0) != 0x80;
    EXPECT_LE(code_points, 200u);
    EXPECT_GE(code_points, 190u);
}
