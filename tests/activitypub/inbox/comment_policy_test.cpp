// Approved or held, and why: the moderation modes, the size limit and each spam signal, on replies as the
// inbox hands them over, stored in a real SQLite file.
#include "activitypub/inbox/comment_policy.hpp"

#include "activitypub/inbox/replies.hpp"
#include "store/comments.hpp"
#include "tests/activitypub/inbox/support.hpp"

using namespace fedblog;
using namespace fedblog::activitypub;
using namespace fedblog::activitypub::inbox;

namespace {

class CommentPolicyTest : public inbox::testing::InboxStoreTest {
protected:
    // Receives the reply and returns the stored comment (nothing when none was stored).
    std::optional<store::Comment> receive(const IncomingActivity& create, store::Timestamp now = 10000) {
        last = receive_reply(db, ids, create, now, policy);
        return store::Comments(db).find_by_object_id(create.object_id);
    }

    static std::string mentions(int count, const std::string& host = "m.example") {
        std::string html;
        for (int i = 0; i < count; ++i)
            html += R"(<span class="h-card"><a href="https://)" + host + "/@p" + std::to_string(i) +
                    R"(" class="u-url mention">@<span>p)" + std::to_string(i) + "</span></a></span> ";
        return html;
    }
    static Json mention_tags(int count, const std::string& host = "m.example") {
        Json tags = Json::array();
        for (int i = 0; i < count; ++i)
            tags.push_back({{"type", "Mention"}, {"href", "https://" + host + "/users/p" + std::to_string(i)}});
        return tags;
    }

    CommentPolicy policy;
    ReplyOutcome last;
};

TEST_F(CommentPolicyTest, TrustedModeApprovesFollowersAndKnownVoicesAndHoldsStrangers) {
    follows("https://m.example/users/alice");
    auto alice = receive(reply("https://m.example/users/alice", "<p>Bravo.</p>"));
    ASSERT_TRUE(alice);
    EXPECT_EQ(alice->state, "approved");
    EXPECT_EQ(alice->held_reason, "");
    EXPECT_EQ(last.result, "comment_added");

    auto bob = receive(reply("https://x.example/users/bob", "<p>Bonjour.</p>"));
    EXPECT_EQ(bob->state, "held");
    EXPECT_EQ(bob->held_reason, "new commenter: not a follower, no approved comment yet");
    EXPECT_EQ(last.result, "comment_held");
    store::Comments(db).set_state(bob->id, "approved");
    EXPECT_EQ(receive(reply("https://x.example/users/bob", "<p>Merci !</p>"))->state, "approved");
}

TEST_F(CommentPolicyTest, OpenApprovesStrangersAndAllHeldHoldsFollowers) {
    policy.mode = CommentPolicy::Mode::open;
    EXPECT_EQ(receive(reply("https://x.example/users/bob", "<p>Bonjour.</p>"))->state, "approved");
    policy.mode = CommentPolicy::Mode::all_held;
    follows("https://m.example/users/alice");
    auto held = receive(reply("https://m.example/users/alice", "<p>Bravo.</p>"));
    EXPECT_EQ(held->state, "held");
    EXPECT_EQ(held->held_reason, "every comment is held (comments_moderation = all_held)");
}

TEST_F(CommentPolicyTest, ClosedPostsHoldEveryReply) {
    db.sqlite().exec("UPDATE posts SET comments_closed = 1");
    follows("https://m.example/users/alice");
    auto held = receive(reply("https://m.example/users/alice", "<p>Bravo.</p>"));
    EXPECT_EQ(held->state, "held");
    EXPECT_EQ(held->held_reason, "comments are closed on this post");
}

TEST_F(CommentPolicyTest, AnActorPostingTooFastIsHeldEvenWhenTrusted) {
    const std::string alice = "https://m.example/users/alice";
    follows(alice);
    for (int i = 0; i < policy.actor_rate; ++i)
        EXPECT_EQ(receive(reply(alice, "<p>Encore un mot.</p>"), 10000 + i * 60)->state, "approved") << i;
    auto sixth = receive(reply(alice, "<p>Et encore.</p>"), 10000 + 5 * 60);
    EXPECT_EQ(sixth->state, "held");
    EXPECT_EQ(sixth->held_reason, "actor rate: more than 5 comments in 10 minutes");
    // Ten minutes after the first ones, the window has room again.
    EXPECT_EQ(receive(reply(alice, "<p>Plus tard.</p>"), 10000 + 4 * 60 + 601)->state, "approved");
}

TEST_F(CommentPolicyTest, AServerPostingTooFastIsHeld) {
    policy.domain_rate = 3;
    for (int i = 0; i < 3; ++i) {
        std::string actor = "https://m.example/users/u" + std::to_string(i);
        follows(actor);
        EXPECT_EQ(receive(reply(actor, "<p>Salut.</p>"))->state, "approved");
    }
    follows("https://m.example/users/u3");
    auto fourth = receive(reply("https://m.example/users/u3", "<p>Salut.</p>"));
    EXPECT_EQ(fourth->state, "held");
    EXPECT_EQ(fourth->held_reason, "server rate (m.example): more than 3 comments in 10 minutes");
    follows("https://other.example/users/v");
    EXPECT_EQ(receive(reply("https://other.example/users/v", "<p>Salut.</p>"))->state, "approved");
}

TEST_F(CommentPolicyTest, ABurstOfFirstTimeCommentersFromOneServerIsHeld) {
    policy.mode = CommentPolicy::Mode::open;
    policy.new_per_domain = 3;
    // A regular from before the window does not count as new, now or later.
    receive(reply("https://farm.example/users/regular", "<p>Bonjour.</p>"), 1000);
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(receive(reply("https://farm.example/users/n" + std::to_string(i), "<p>Super.</p>"), 10000 + i)->state,
                  "approved");
    EXPECT_EQ(receive(reply("https://farm.example/users/regular", "<p>Re.</p>"), 10010)->state, "approved");
    auto fourth = receive(reply("https://farm.example/users/n3", "<p>Super.</p>"), 10020);
    EXPECT_EQ(fourth->state, "held");
    EXPECT_EQ(fourth->held_reason, "newcomer burst (farm.example): more than 3 first-time commenters in an hour");
    // Someone who commented already is not a newcomer; another server is not affected.
    EXPECT_EQ(receive(reply("https://farm.example/users/n0", "<p>Encore.</p>"), 10030)->state, "approved");
    EXPECT_EQ(receive(reply("https://elsewhere.example/users/w", "<p>Super.</p>"), 10040)->state, "approved");
    // An hour after the newcomers came, the burst is over.
    EXPECT_EQ(receive(reply("https://farm.example/users/n4", "<p>Super.</p>"), 10020 + 3601)->state, "approved");
}

TEST_F(CommentPolicyTest, LinksOnlyRepliesAreHeld) {
    const std::string alice = "https://m.example/users/alice";
    follows(alice);
    auto spam = receive(reply(alice, mentions(1, "blog.example") + R"(<a href="https://spam.example/buy">https://spam.example/buy</a>)"));
    EXPECT_EQ(spam->state, "held");
    EXPECT_EQ(spam->held_reason, "links only: no text besides links and mentions");
    auto worded = receive(reply(alice, R"(<p>Voir aussi <a href="https://wiki.example/velo">ce guide</a>.</p>)"));
    EXPECT_EQ(worded->state, "approved");
    policy.hold_links_only = false;
    EXPECT_EQ(receive(reply(alice, R"(<a href="https://x.example/">https://x.example/</a>)"))->state, "approved");
}

TEST_F(CommentPolicyTest, RepliesMentioningManyPeopleAreHeld) {
    const std::string alice = "https://m.example/users/alice";
    follows(alice);
    // Five others and the blog itself: a lively thread, not spam.
    Json five = mention_tags(5);
    five.push_back({{"type", "Mention"}, {"href", ids.actor()}});
    EXPECT_EQ(receive(reply(alice, mentions(5) + "<p>Qu'en pensez-vous ?</p>", {{"tag", five}}))->state, "approved");
    auto six = receive(reply(alice, mentions(6) + "<p>Regardez !</p>", {{"tag", mention_tags(6)}}));
    EXPECT_EQ(six->state, "held");
    EXPECT_EQ(six->held_reason, "mentions 6 accounts (limit 5)");
    // A server that sends no tags: the mention links count.
    auto untagged = receive(reply("https://m.example/users/alice", mentions(7) + "<p>Hop.</p>"));
    EXPECT_EQ(untagged->held_reason, "mentions 7 accounts (limit 5)");
}

TEST_F(CommentPolicyTest, EmojiAndNonLatinScriptsAreNeverASignal) {
    policy.mode = CommentPolicy::Mode::open;
    const std::vector<std::string> contents = {
        "<p>🎉🎉🎉</p>", "<p>👍</p>", "<p>ありがとうございます！</p>", "<p>شكرا جزيلا</p>", "<p>Спасибо, отлично!</p>",
        "<p>谢谢 🙏</p>", "<p>" + mentions(1, "blog.example") + " ❤️</p>", "<p>:blobcat_heart: :flag_fr:</p>"};
    int n = 0;
    for (const auto& content : contents) {
        // Display names live in the actor document, which moderation never reads; tags with emoji names too.
        Json emoji_tag = Json::array({{{"type", "Emoji"}, {"name", ":blobcat_heart:"},
                                       {"icon", {{"type", "Image"}, {"url", "https://m.example/emoji/1.png"}}}}});
        auto comment = receive(reply("https://m.example/users/user" + std::to_string(n++), content, {{"tag", emoji_tag}}));
        ASSERT_TRUE(comment);
        EXPECT_EQ(comment->state, "approved") << content << ": " << comment->held_reason;
    }
}

TEST_F(CommentPolicyTest, OversizedRepliesAreRefusedAndNothingIsStored) {
    policy.max_bytes = 1024;
    follows("https://m.example/users/alice");
    auto create = reply("https://m.example/users/alice", "<p>" + std::string(2000, 'a') + "</p>");
    EXPECT_FALSE(receive(create));
    EXPECT_EQ(last.status, 422u);
    EXPECT_EQ(last.result, "comment_too_large");
    EXPECT_NE(last.detail.find("over this blog's limit of 1024"), std::string::npos) << last.detail;
    // An edit cannot grow a comment past the limit either.
    auto fine = reply("https://m.example/users/alice", "<p>Court.</p>");
    ASSERT_TRUE(receive(fine));
    Json edited = fine.object();
    edited["content"] = "<p>" + std::string(2000, 'b') + "</p>";
    edited["updated"] = "2030-01-01T00:00:00Z";
    auto update = activity({{"id", fine.object_id + "/edit"}, {"type", "Update"}, {"actor", fine.actor}, {"object", edited}});
    auto outcome = receive_reply_update(db, update, 20000, policy);
    EXPECT_EQ(outcome.status, 422u);
    EXPECT_EQ(store::Comments(db).find_by_object_id(fine.object_id)->content_html, "<p>Court.</p>");
}

TEST_F(CommentPolicyTest, SettingsMakeThePolicy) {
    Settings settings;
    settings.comments_moderation = "all_held";
    settings.comment_max_bytes = 2048;
    settings.comments_actor_rate = 0;
    settings.comments_hold_links_only = false;
    auto made = CommentPolicy::from(settings);
    EXPECT_EQ(made.mode, CommentPolicy::Mode::all_held);
    EXPECT_EQ(made.max_bytes, 2048u);
    EXPECT_EQ(made.actor_rate, 0);
    EXPECT_FALSE(made.hold_links_only);
    EXPECT_EQ(CommentPolicy::from(Settings{}).mode, CommentPolicy::Mode::trusted);
}

}  // namespace
