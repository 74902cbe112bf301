// Fields of the wrong JSON type, as fuzz/activity_fuzz sent them: each is read as absent, never thrown (an
// exception out of the inbox is a 500 for the sender and a lost activity). And JSON-LD's other spellings of
// the same thing (a one-element array, a reference or an embedded object, contentMap, no @context), which
// are read as what they mean; and replies with absurd numbers of tags and attachments, which cost bounded
// time and store bounded rows.
#include <gtest/gtest.h>

#include <chrono>

#include "activitypub/inbox/follows.hpp"
#include "activitypub/inbox/replies.hpp"
#include "store/comment_attachments.hpp"
#include "store/comments.hpp"
#include "store/followers.hpp"
#include "store/remote_actors.hpp"
#include "store/transaction.hpp"
#include "support.hpp"

namespace fedblog::activitypub::inbox::testing {
namespace {

class HostileShapes : public InboxStoreTest {};

TEST_F(HostileShapes, ASensitiveFlagThatIsNotABooleanIsIgnored) {
    store::WriteTransaction transaction(db);
    auto outcome = receive_reply(db, ids, reply("https://m.example/users/alice", "<p>a</p>", {{"sensitive", "as:sensitive"}}), 2000);
    EXPECT_EQ(outcome.status, 202u) << outcome.detail;
    auto flagged = receive_reply(db, ids,
                                 reply("https://m.example/users/alice", "<p>b</p>", {{"sensitive", 1}, {"summary", "CW"}}), 2001);
    EXPECT_EQ(flagged.status, 202u) << flagged.detail;
    transaction.commit();
    auto comments = store::Comments(db).for_post(post_id);
    ASSERT_EQ(comments.size(), 2u);
    EXPECT_FALSE(comments[0].sensitive);
    EXPECT_TRUE(comments[1].sensitive);  // by its content warning
}

TEST_F(HostileShapes, AFetchedReplyWhoseTypeIsAListIsIgnored) {
    Json note = {{"id", "https://m.example/users/alice/statuses/1"},
                 {"type", Json::array({"Note"})},
                 {"attributedTo", "https://m.example/users/alice"},
                 {"inReplyTo", ids.post("bonjour")},
                 {"content", "<p>a</p>"}};
    store::WriteTransaction transaction(db);
    EXPECT_EQ(import_reply(db, ids, note, 2000).result, "ignored");
    note["type"] = 7;
    EXPECT_EQ(import_reply(db, ids, note, 2000).result, "ignored");
}

TEST_F(HostileShapes, AFollowWhoseIdIsAnObjectKeepsThatId) {
    store::RemoteActor actor;
    actor.id = "https://m.example/users/alice";
    actor.inbox = actor.id + "/inbox";
    store::RemoteActors(db).save(actor);
    Json follow = {{"id", {{"id", "https://m.example/follows/1"}}},
                   {"type", "Follow"},
                   {"actor", actor.id},
                   {"object", ids.actor()}};
    store::WriteTransaction transaction(db);
    EXPECT_TRUE(receive_follow(db, ids, follow, actor, false, 2000));
    transaction.commit();
    auto follower = store::Followers(db).find(actor.id);
    ASSERT_TRUE(follower);
    EXPECT_EQ(follower->follow_activity_id, "https://m.example/follows/1");
}


TEST_F(HostileShapes, AnActorOrObjectGivenAsAOneElementArrayIsThatActorOrObject) {
    const std::string alice = "https://m.example/users/alice";
    IncomingActivity create = reply(alice, "<p>a</p>");
    Json document = create.document;
    document["actor"] = Json::array({alice});
    document["object"] = Json::array({document["object"]});
    document["object"][0]["attributedTo"] = Json::array({{{"id", alice}, {"type", "Person"}}});  // embedded
    document["object"][0]["to"] = "https://www.w3.org/ns/activitystreams#Public";              // not an array
    auto read = activity(document);
    EXPECT_EQ(read.actor, alice);
    EXPECT_EQ(read.object_type, "Note");
    store::WriteTransaction transaction(db);
    auto outcome = receive_reply(db, ids, read, 2000);
    EXPECT_EQ(outcome.status, 202u) << outcome.detail;
    EXPECT_EQ(outcome.result, "comment_held") << outcome.detail;  // a stranger: held, but a comment
    transaction.commit();
    auto comments = store::Comments(db).for_post(post_id);
    ASSERT_EQ(comments.size(), 1u);
    EXPECT_EQ(comments[0].actor_id, alice);
    EXPECT_EQ(comments[0].visibility, "public");
}

TEST_F(HostileShapes, SeveralActorsAreNoActor) {
    Json document = reply("https://m.example/users/alice", "<p>a</p>").document;
    document["actor"] = Json::array({"https://m.example/users/alice", "https://m.example/users/bob"});
    auto read = read_activity(document);
    ASSERT_TRUE(std::holds_alternative<MalformedActivity>(read));
    EXPECT_NE(std::get<MalformedActivity>(read).detail.find("actor"), std::string::npos);
    document["actor"] = Json::array();
    EXPECT_TRUE(std::holds_alternative<MalformedActivity>(read_activity(document)));
}

TEST_F(HostileShapes, NoContextIsReadAsActivityStreams) {
    // ActivityStreams 2.0 §2.1: without an @context, the ActivityStreams one applies. (Mastodon drops such
    // activities with a 202; refusing nothing that reads unambiguously, fedblog keeps them.)
    Json document = reply("https://m.example/users/alice", "<p>sans contexte</p>").document;
    ASSERT_FALSE(document.contains("@context"));
    store::WriteTransaction transaction(db);
    EXPECT_EQ(receive_reply(db, ids, activity(document), 2000).status, 202u);
    transaction.commit();
    ASSERT_EQ(store::Comments(db).for_post(post_id).size(), 1u);
}

TEST_F(HostileShapes, ContentAsAnArrayOrAContentMapIsTheText) {
    const std::string alice = "https://m.example/users/alice";
    store::WriteTransaction transaction(db);
    EXPECT_EQ(receive_reply(db, ids, reply(alice, "", {{"content", Json::array({"<p>un</p>"})}}), 2000).status, 202u);
    EXPECT_EQ(receive_reply(db, ids,
                            reply(alice, "", {{"content", nullptr}, {"contentMap", {{"de", "<p>zwei</p>"}}}}), 2001)
                  .status,
              202u);
    // Two texts with no language to choose by: the first, rather than none.
    auto several = receive_reply(db, ids, reply(alice, "", {{"content", Json::array({"<p>a</p>", "<p>b</p>"})}}), 2002);
    EXPECT_EQ(several.status, 202u) << several.detail;
    transaction.commit();
    auto comments = store::Comments(db).for_post(post_id);
    ASSERT_EQ(comments.size(), 3u);
    EXPECT_EQ(comments[0].content_html, "<p>un</p>");
    EXPECT_EQ(comments[1].content_html, "<p>zwei</p>");
    EXPECT_EQ(comments[1].language, "de");
    EXPECT_EQ(comments[2].content_html, "<p>a</p>");
}

TEST_F(HostileShapes, ACreateByReferenceIsIgnoredNotFetchedOrThrown) {
    Json document = reply("https://m.example/users/alice", "<p>a</p>").document;
    document["object"] = document["object"]["id"];
    auto read = activity(document);
    EXPECT_EQ(read.object_id, "https://m.example/users/alice/statuses/1");
    EXPECT_TRUE(read.object_type.empty());
    store::WriteTransaction transaction(db);
    EXPECT_EQ(receive_reply(db, ids, read, 2000).result, "ignored");
    transaction.commit();
    EXPECT_TRUE(store::Comments(db).for_post(post_id).empty());
}

TEST_F(HostileShapes, TenThousandTagsAndAttachmentsCostLittleAndStoreBoundedRows) {
    const std::string alice = "https://m.example/users/alice";
    Json tags = Json::array(), attachments = Json::array();
    for (int i = 0; i < 10000; ++i) {
        tags.push_back({{"type", "Mention"}, {"href", "https://m.example/users/u" + std::to_string(i)}, {"name", "@u"}});
        attachments.push_back({{"type", "Document"},
                               {"mediaType", "image/png"},
                               {"url", "https://m.example/media/" + std::to_string(i) + ".png"},
                               {"name", std::string(2000, 'n')}});
    }
    for (int i = 0; i < 10000; ++i)
        tags.push_back({{"type", "Hashtag"}, {"href", "https://m.example/tags/t" + std::to_string(i)}, {"name", "#t"}});
    store::WriteTransaction transaction(db);
    auto outcome = receive_reply(db, ids, reply(alice, "<p>a</p>", {{"tag", tags}, {"attachment", attachments}}), 2000);
    transaction.commit();
    EXPECT_EQ(outcome.status, 202u) << outcome.detail;
    auto comments = store::Comments(db).for_post(post_id);
    ASSERT_EQ(comments.size(), 1u);
    EXPECT_EQ(comments[0].state, "held");
    // Counted over the first max_tags_read tags only.
    EXPECT_NE(comments[0].held_reason.find("mentions " + std::to_string(max_tags_read) + " accounts"), std::string::npos)
        << comments[0].held_reason;
    auto stored = store::CommentAttachments(db).of(comments[0].id);
    EXPECT_EQ(stored.size(), store::max_attachments);
    for (const auto& attachment : stored) EXPECT_LE(attachment.name.size(), store::max_attachment_name_bytes);
}

}  // namespace
}  // namespace fedblog::activitypub::inbox::testing
