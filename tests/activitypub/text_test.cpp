#include <gtest/gtest.h>

#include "activitypub/html_text.hpp"
#include "activitypub/media.hpp"
#include "support.hpp"

namespace fedblog::activitypub {
namespace {

using namespace testing;

TEST(HtmlText, EscapesMarkupCharacters) {
    EXPECT_EQ(escape_html(R"(<a href="x">Tom & Jerry's</a>)"),
              "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
}

TEST(HtmlText, PlainTextBecomesParagraphs) {
    EXPECT_EQ(plain_text_to_html("Un\ndeux\r\n\n\ntrois  "), "<p>Un<br>deux</p><p>trois</p>");
    EXPECT_EQ(plain_text_to_html(" \n \n"), "");
}

TEST(HtmlText, AsParagraphs) {
    EXPECT_EQ(as_paragraphs("<p>a</p>", "t"), "<p>a</p>");
    EXPECT_EQ(as_paragraphs("<pre>a</pre>", "t"), "<p><pre>a</pre></p>");
    EXPECT_EQ(as_paragraphs("", "Titre & co"), "<p>Titre &amp; co</p>");
    EXPECT_EQ(as_paragraphs("", ""), "");
}

TEST(Media, TypeFromExtension) {
    EXPECT_EQ(image_media_type("a/b.PNG"), "image/png");
    EXPECT_EQ(image_media_type("photo.jpeg"), "image/jpeg");
    EXPECT_EQ(image_media_type("https://cdn.example/x.webp?size=2"), "image/webp");
    EXPECT_EQ(image_media_type("dir.d/noext"), std::nullopt);
    EXPECT_EQ(image_media_type("file.bmpx"), std::nullopt);
}

TEST(Media, UrlKeepsAbsoluteHttpAndServesPathsUnderMedia) {
    Ids ids = blog_ids();
    EXPECT_EQ(image_url("https://cdn.example/a.png", ids), "https://cdn.example/a.png");
    EXPECT_EQ(image_url("/images/été 1.png", ids), "https://blog.example/media/images/%C3%A9t%C3%A9%201.png");
    EXPECT_EQ(image_url("", ids), "");
}

TEST(Media, ImageWithoutKnownTypeLeavesMediaTypeOut) {
    auto image = image_object("images/x.unknown", blog_ids(), "Alt");
    ASSERT_TRUE(image);
    EXPECT_EQ(*image,
              Json({{"type", "Image"}, {"url", "https://blog.example/media/images/x.unknown"}, {"name", "Alt"}}));
    EXPECT_FALSE(image_object("", blog_ids()));
}

}  // namespace
}  // namespace fedblog::activitypub
