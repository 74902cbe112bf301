// What a reply is made of, as the links-only and mentions signals read it: on sanitized HTML as Mastodon,
// Misskey and others write it.
#include "activitypub/comments/content_shape.hpp"

#include <gtest/gtest.h>

#include "activitypub/comments/sanitizer.hpp"

using namespace fedblog::activitypub::comments;

namespace {

ContentShape shape_of(const std::string& remote_html) { return content_shape(sanitize_html(remote_html)); }

const std::string mention_blog =
    R"(<span class="h-card"><a href="https://blog.example/@blog" class="u-url mention">@<span>blog</span></a></span>)";

TEST(ContentShape, AReplyWithOnlyLinksAndMentionsIsLinksOnly) {
    auto shape = shape_of("<p>" + mention_blog + R"( <a href="https://spam.example/buy">https://spam.example/buy</a></p>)");
    EXPECT_TRUE(shape.links_only());
    EXPECT_EQ(shape.links, 1);
    EXPECT_EQ(shape.mention_hrefs, std::vector<std::string>{"https://blog.example/@blog"});
    // Bare URLs in the text and punctuation around them count the same.
    EXPECT_TRUE(shape_of("<p>" + mention_blog + " https://spam.example/a, (www.spam.example)!</p>").links_only());
    EXPECT_TRUE(shape_of(R"(<p><a href="https://a.example/">look</a>&nbsp;<a href="https://b.example/">here</a></p>)").links_only());
}

TEST(ContentShape, AnyWordOrSymbolIsText) {
    EXPECT_FALSE(shape_of("<p>" + mention_blog + R"( see <a href="https://x.example/">this</a></p>)").links_only());
    EXPECT_FALSE(shape_of("<p>" + mention_blog + R"( 🎉 <a href="https://x.example/">x</a></p>)").links_only());
    EXPECT_FALSE(shape_of("<p>" + mention_blog + R"( ありがとう <a href="https://x.example/">x</a></p>)").links_only());
    EXPECT_FALSE(shape_of("<p>" + mention_blog + R"( شكرا <a href="https://x.example/">x</a></p>)").links_only());
    EXPECT_FALSE(shape_of("<p>" + mention_blog + R"( :blobcat: <a href="https://x.example/">x</a></p>)").links_only());
}

TEST(ContentShape, MentionsAndHashtagsAreNotLinksAndNotText) {
    auto shape = shape_of("<p>" + mention_blog +
                          R"( <a href="https://m.example/tags/velo" class="mention hashtag" rel="tag">#<span>velo</span></a></p>)");
    EXPECT_EQ(shape.links, 0);
    EXPECT_FALSE(shape.has_text);
    EXPECT_FALSE(shape.links_only());  // nothing to hold: no link at all
    EXPECT_EQ(shape.mention_hrefs.size(), 1u);
    // Servers that send plain @handles without markup.
    auto plain = shape_of("<p>@alice@m.example @bob@x.example merci</p>");
    EXPECT_TRUE(plain.has_text);
    EXPECT_EQ(plain.links, 0);
}

TEST(ContentShape, EmptyAndTextOnlyReplies) {
    EXPECT_FALSE(shape_of("").links_only());
    EXPECT_FALSE(shape_of("<p>Très bien écrit.</p>").links_only());
    EXPECT_TRUE(shape_of("<p>Très bien écrit.</p>").has_text);
}

}  // namespace
