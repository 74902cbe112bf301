// What a reply is made of, as the links-only and mentions signals read it: on sanitized HTML as Mastodon,
// Misskey and others write it.
#include "activitypub/comments/content_shape.hpp"

#include <gtest/gtest.h>

#include "activitypub/comments/sanitizer.hpp"

using namespace fedblog::activitypub::comments;

namespace {

bool same(const ContentShape& a, const ContentShape& b) {
    return a.links == b.links && a.mention_hrefs == b.mention_hrefs && a.has_text == b.has_text;
}

// The shape the sanitizer reads while writing, checked against a parse of what it wrote.
ContentShape shape_of(const std::string& remote_html) {
    ContentShape during;
    const ContentShape parsed = content_shape(sanitize_html(remote_html, {}, &during));
    EXPECT_TRUE(same(during, parsed)) << remote_html;
    return during;
}

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

TEST(ContentShape, TheSanitizersOwnReadingMatchesAParseOfItsOutput) {
    // Words split or joined by unwrapped elements, links unwrapped or nested, hashtags and mentions in
    // various markups, outputs cut at small limits: the pass must find what a second parse would.
    const std::string_view pieces[] = {
        "<p>", "</p>", "<a href=\"https://ok.example/\">", "<a href=javascript:x>", "</a>", "<a class=mention href=https://m.example/@a>",
        "<a class=\"hashtag\" href=https://m.example/tags/x>", "<span class=\"h-card\">", "</span>", "<div>", "</div>",
        "<b>", "</b>", "<h2>", "</h2>", "<ul>", "<li>", "</ul>", "<pre>", "</pre>", "<br>", "<img src=x>", "<script>",
        "</script>", "<table><tr><td>", "</table>", "<ruby>", "<rt>", "<blockquote>", "@", "#", "@alice", "#velo",
        "https://bare.example/x", "www.bare.example", "(", ")", ".", ",", " ", "\n", "&nbsp;", "&amp;", "mot", "🎉",
        "ありがとう", "\xC2\xA0", "ht", "tps://", "<em>", "</em>",
    };
    std::uint32_t state = 777;
    const auto next = [&state] {
        state = state * 1103515245u + 12345u;
        return (state >> 16) & 0x7FFF;
    };
    for (int round = 0; round < 4000; ++round) {
        std::string html;
        const unsigned count = next() % 30;
        for (unsigned i = 0; i < count; ++i) html += pieces[next() % std::size(pieces)];
        const SanitizeOptions options{.max_output_bytes = round % 3 == 0 ? 1 + next() % 300 : 64 * 1024};
        ContentShape during;
        const std::string out = sanitize_html(html, options, &during);
        const ContentShape parsed = content_shape(out);
        ASSERT_TRUE(same(during, parsed)) << html << "\n→ " << out << "\nlinks " << during.links << "/" << parsed.links
                                          << " mentions " << during.mention_hrefs.size() << "/"
                                          << parsed.mention_hrefs.size() << " text " << during.has_text << "/"
                                          << parsed.has_text;
    }
}

}  // namespace
