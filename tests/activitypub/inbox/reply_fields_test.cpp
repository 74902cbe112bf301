// What a reply's Note becomes in the store: content warning, sensitivity, media; through the real import
// functions on a real SQLite file.
#include <gtest/gtest.h>

#include <variant>

#include "activitypub/inbox/attachments.hpp"
#include "activitypub/inbox/replies.hpp"
#include "store/comment_attachments.hpp"
#include "store/comments.hpp"
#include "store/posts.hpp"
#include "store/transaction.hpp"
#include "tests/support/temp_dir.hpp"

using namespace fedblog;
using namespace fedblog::activitypub;
using namespace fedblog::activitypub::inbox;
using nlohmann::json;

namespace {

// Mastodon's shape for an image (a Document with a media type).
json mastodon_image(const std::string& url, const std::string& alt) {
    return {{"type", "Document"}, {"mediaType", "image/jpeg"}, {"url", url},     {"name", alt},
            {"blurhash", "UBL_:rOpGG-oBUNG,qRj2so|=eE1w^n4S5NH"}, {"focalPoint", {0.0, 0.0}},
            {"width", 1200},       {"height", 800}};
}

TEST(Attachments, ReadsMastodonPeertubeAndPlainShapes) {
    json note = {{"attachment",
                  {mastodon_image("https://files.m.example/a.jpg", "Un chat sur un vélo"),
                   {{"type", "Document"}, {"mediaType", "video/mp4"}, {"url", "https://files.m.example/v.mp4"}},
                   {{"type", "Audio"}, {"url", {{"type", "Link"}, {"href", "https://files.m.example/s.ogg"}, {"mediaType", "audio/ogg"}}}},
                   {{"type", "Video"},
                    {"url", json::array({{{"type", "Link"}, {"href", "magnet:?xt=urn:btih:x"}},
                                         {{"type", "Link"}, {"href", "https://tube.example/v.webm"}, {"mediaType", "video/webm"}}})}},
                   {{"type", "Document"}, {"mediaType", "application/pdf"}, {"url", "http://files.m.example/d.pdf"}, {"name", "<b>PDF</b> &amp; co"}}}}};
    auto media = attachments_of(note);
    ASSERT_EQ(media.size(), 5u);
    EXPECT_EQ(media[0], (store::Attachment{"image", "https://files.m.example/a.jpg", "image/jpeg", "Un chat sur un vélo",
                                           "UBL_:rOpGG-oBUNG,qRj2so|=eE1w^n4S5NH", 1200, 800}));
    EXPECT_EQ(media[1].kind, "video");
    EXPECT_EQ(media[2].kind, "audio");
    EXPECT_EQ(media[2].media_type, "audio/ogg");
    EXPECT_EQ(media[3].url, "https://tube.example/v.webm");
    EXPECT_EQ(media[4].kind, "document");
    EXPECT_EQ(media[4].name, "PDF & co");  // text only
}

TEST(Attachments, SkipsWhatIsNotWebMedia) {
    json note = {{"attachment",
                  {{{"type", "Document"}, {"mediaType", "image/png"}, {"url", "javascript:alert(1)"}},
                   {{"type", "Image"}, {"url", "data:image/png;base64,AAAA"}},
                   {{"type", "Image"}, {"url", "/relative.png"}},
                   {{"type", "Image"}, {"url", "https://"}},
                   {{"type", "Image"}, {"url", "https://m.example/a b.png"}},
                   {{"type", "Image"}},
                   {{"type", "PropertyValue"}, {"name", "x"}, {"value", "https://m.example/"}},
                   {{"type", "Image"}, {"url", 42}},
                   "https://m.example/bare-string.png",
                   {{"type", "Image"}, {"url", "https://m.example/ok.png"}, {"width", -3}, {"height", 1e12}}}}};
    auto media = attachments_of(note);
    ASSERT_EQ(media.size(), 1u);
    EXPECT_EQ(media[0].url, "https://m.example/ok.png");
    EXPECT_EQ(media[0].width, 0);
    EXPECT_EQ(media[0].height, 0);
    EXPECT_TRUE(attachments_of(json::object()).empty());
    EXPECT_TRUE(attachments_of({{"attachment", "nonsense"}}).empty());
    // A single object instead of a list.
    EXPECT_EQ(attachments_of({{"attachment", {{"type", "Image"}, {"url", "https://m.example/one.png"}}}}).size(), 1u);
    // Many: a few are kept.
    json many = json::array();
    for (int i = 0; i < 50; ++i) many.push_back({{"type", "Image"}, {"url", "https://m.example/" + std::to_string(i)}});
    EXPECT_EQ(attachments_of({{"attachment", many}}).size(), store::max_attachments);
}

class ReplyFields : public ::testing::Test {
protected:
    ReplyFields() : db(dir / "db"), ids("https://blog.example", "blog") {
        store::Post post;
        post.slug = "bonjour";
        post.source_path = "bonjour.md";
        post.source_hash = "h";
        post.title = "Bonjour";
        post.summary_html = "<p>Bonjour</p>";
        post.content_html = "<p>Bonjour</p>";
        post.language = "fr";
        post.published = 1000;
        store::Posts(db).insert(post);
    }

    IncomingActivity activity(const std::string& type, const json& object) {
        json document = {{"@context", "https://www.w3.org/ns/activitystreams"},
                         {"id", object.value("id", "") + "#" + type},
                         {"type", type},
                         {"actor", object.value("attributedTo", "")},
                         {"object", object}};
        auto read = read_activity(document);
        return std::get<IncomingActivity>(read);
    }

    ReplyOutcome create(const json& note) {
        store::WriteTransaction transaction(db);
        auto outcome = receive_reply(db, ids, activity("Create", note), 5000);
        transaction.commit();
        return outcome;
    }

    ReplyOutcome update(const json& note) {
        store::WriteTransaction transaction(db);
        auto outcome = receive_reply_update(db, activity("Update", note), 6000);
        transaction.commit();
        return outcome;
    }

    json note(const std::string& id) {
        return {{"id", id},
                {"type", "Note"},
                {"attributedTo", "https://m.example/users/alice"},
                {"inReplyTo", "https://blog.example/posts/bonjour"},
                {"content", "<p>Texte</p>"},
                {"published", "2026-11-20T10:00:00Z"},
                {"to", {"https://www.w3.org/ns/activitystreams#Public"}}};
    }

    fedblog::testing::TempDir dir;
    store::Database db;
    Ids ids;
};

TEST_F(ReplyFields, AContentWarningAndMediaAreKeptAndFollowEdits) {
    json warned = note("https://m.example/users/alice/statuses/1");
    warned["summary"] = "Spoiler: <b>la fin</b>";
    warned["sensitive"] = true;
    warned["attachment"] = {mastodon_image("https://files.m.example/a.jpg", "La fin du film")};
    EXPECT_EQ(create(warned).result, "comment_held");
    auto held = store::Comments(db).find_by_object_id("https://m.example/users/alice/statuses/1");
    ASSERT_TRUE(held);
    EXPECT_EQ(held->summary, "Spoiler: la fin");
    EXPECT_TRUE(held->sensitive);
    auto media = store::CommentAttachments(db).of(held->id);
    ASSERT_EQ(media.size(), 1u);
    EXPECT_EQ(media[0].name, "La fin du film");

    // Sensitive media without a warning text is still sensitive.
    json quiet = note("https://m.example/users/alice/statuses/2");
    quiet["sensitive"] = true;
    create(quiet);
    auto second = store::Comments(db).find_by_object_id("https://m.example/users/alice/statuses/2");
    EXPECT_TRUE(second->sensitive);
    EXPECT_EQ(second->summary, "");

    // The author's edit takes the warning and the media away.
    json edited = warned;
    edited.erase("summary");
    edited["sensitive"] = false;
    edited["attachment"] = json::array();
    edited["updated"] = "2026-11-21T10:00:00Z";
    EXPECT_EQ(update(edited).result, "comment_edited");
    auto now = store::Comments(db).find(held->id);
    EXPECT_EQ(now->summary, "");
    EXPECT_FALSE(now->sensitive);
    EXPECT_TRUE(store::CommentAttachments(db).of(held->id).empty());
}

}  // namespace
