#include "store/comment_attachments.hpp"

#include <gtest/gtest.h>

#include "store/comments.hpp"
#include "store/posts.hpp"
#include "tests/support/temp_dir.hpp"

using namespace fedblog::store;

namespace {

Attachment image(std::string url, std::string name = "a cat") {
    return {"image", std::move(url), "image/png", std::move(name), "LEHV6nWB2yk8pyo0adR*.7kCMdnj", 640, 480};
}

TEST(AttachmentBounds, KeepsOnlyHttpUrlsKnownKindsAndAFewEntries) {
    std::vector<Attachment> given{
        image("https://m.example/a.png"),
        image("javascript:alert(1)"),
        image("data:image/png;base64,AAAA"),
        image("https://"),
        image("https:///path"),
        image("https://m.example/a b.png"),
        image("https://m.example/a\\b.png"),
        image("//m.example/a.png"),
        {"script", "https://m.example/x.js", "", "", "", 0, 0},
        {"video", "http://m.example/v.mp4", "video/mp4", "", "", 0, 0},
    };
    auto kept = bounded_attachments(given);
    ASSERT_EQ(kept.size(), 2u);
    EXPECT_EQ(kept[0].url, "https://m.example/a.png");
    EXPECT_EQ(kept[1].kind, "video");

    std::vector<Attachment> many(20, image("https://m.example/a.png"));
    EXPECT_EQ(bounded_attachments(many).size(), max_attachments);
}

TEST(AttachmentBounds, CutsAndCleansStrings) {
    Attachment a = image("https://m.example/a.png", std::string(3000, 'x') + "é");
    a.media_type = "image/png\"><script>";
    a.blurhash = "\"onload=alert(1)";
    a.width = -5;
    a.height = 1 << 30;
    auto kept = bounded_attachments({a});
    ASSERT_EQ(kept.size(), 1u);
    EXPECT_EQ(kept[0].name.size(), max_attachment_name_bytes);
    EXPECT_EQ(kept[0].media_type, "");
    EXPECT_EQ(kept[0].blurhash, "");
    EXPECT_EQ(kept[0].width, 0);
    EXPECT_EQ(kept[0].height, 0);

    // A cut never splits a character, and control characters become spaces.
    Attachment b = image("https://m.example/b.png", std::string(max_attachment_name_bytes - 1, 'x') + "é");
    EXPECT_EQ(bounded_attachments({b})[0].name, std::string(max_attachment_name_bytes - 1, 'x'));
    Attachment c = image("https://m.example/c.png", "line\x01two\x7f");
    EXPECT_EQ(bounded_attachments({c})[0].name, "line two ");
}

TEST(AttachmentJson, RoundTripsAndReadsHostileTextLeniently) {
    std::vector<Attachment> list{image("https://m.example/a.png"), {"audio", "https://m.example/s.ogg", "", "", "", 0, 0}};
    EXPECT_EQ(decode_attachments(encode_attachments(list)), list);
    EXPECT_EQ(encode_attachments({}), "");
    EXPECT_TRUE(decode_attachments("").empty());
    EXPECT_TRUE(decode_attachments("not json").empty());
    EXPECT_TRUE(decode_attachments("{\"kind\":\"image\"}").empty());
    auto read = decode_attachments(R"([1, {"kind":"image","url":"javascript:x"}, {"kind":"image","url":"https://a.example/x","width":"9"}])");
    ASSERT_EQ(read.size(), 1u);
    EXPECT_EQ(read[0].url, "https://a.example/x");
    EXPECT_EQ(read[0].width, 0);
}

class CommentAttachmentsTest : public ::testing::Test {
protected:
    CommentAttachmentsTest() : db(dir / "db") {
        Post post;
        post.slug = "bonjour";
        post.source_path = "bonjour.md";
        post.source_hash = "h";
        post.title = "Bonjour";
        post.summary_html = "<p>Bonjour</p>";
        post.content_html = "<p>Bonjour</p>";
        post.language = "fr";
        post.published = 1000;
        post_id = Posts(db).insert(post);
    }

    std::int64_t add(const std::string& object_id) {
        Comment c;
        c.object_id = object_id;
        c.post_id = post_id;
        c.actor_id = "https://m.example/users/alice";
        c.content_html = "<p>x</p>";
        c.published = 2000;
        c.received_at = 2000;
        return *Comments(db).insert(c);
    }

    fedblog::testing::TempDir dir;
    Database db;
    std::int64_t post_id = 0;
};

TEST_F(CommentAttachmentsTest, StoredPerCommentReplacedByEditsAndGoneWithTheComment) {
    auto first = add("https://m.example/1");
    auto second = add("https://m.example/2");
    CommentAttachments attachments(db);
    EXPECT_TRUE(attachments.replace("https://m.example/1", {image("https://m.example/a.png")}));
    EXPECT_FALSE(attachments.replace("https://m.example/unknown", {image("https://m.example/a.png")}));
    EXPECT_EQ(attachments.of(first).size(), 1u);
    EXPECT_TRUE(attachments.of(second).empty());
    auto by_comment = attachments.for_post(post_id);
    ASSERT_EQ(by_comment.size(), 1u);
    EXPECT_EQ(by_comment.at(first)[0].name, "a cat");

    // An edit that drops the media leaves none (NULL, not an empty list).
    EXPECT_TRUE(attachments.replace("https://m.example/1", {}));
    EXPECT_TRUE(attachments.for_post(post_id).empty());
    EXPECT_TRUE(db.sqlite().execAndGet("SELECT attachments IS NULL FROM comments WHERE id = " + std::to_string(first)).getInt());

    // What the author deleted is not kept, media included.
    attachments.replace("https://m.example/2", {image("https://m.example/b.png")});
    Comments(db).mark_deleted("https://m.example/2", 3000);
    EXPECT_TRUE(attachments.of(second).empty());
    EXPECT_TRUE(db.sqlite().execAndGet("SELECT attachments IS NULL FROM comments WHERE id = " + std::to_string(second)).getInt());
    EXPECT_FALSE(attachments.replace("https://m.example/2", {image("https://m.example/b.png")}));
}

}  // namespace
