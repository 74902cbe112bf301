// The blocked_domains setting mirrored into the store's blocks, on a real SQLite file: applied as a
// `fedblog block add` would be, once, and lifted only when the setting lets the domain go.
#include "activitypub/inbox/configured_blocks.hpp"

#include "activitypub/delivery/fanout.hpp"
#include "activitypub/inbox/replies.hpp"
#include "store/blocks.hpp"
#include "store/comments.hpp"
#include "store/deliveries.hpp"
#include "store/followers.hpp"
#include "store/transaction.hpp"
#include "tests/activitypub/inbox/support.hpp"

using namespace fedblog;
using namespace fedblog::activitypub;
using namespace fedblog::activitypub::inbox;

namespace {

class ConfiguredBlocksTest : public inbox::testing::InboxStoreTest {
protected:
    std::map<std::string, std::string> states() {
        std::map<std::string, std::string> found;
        for (const auto& comment : store::Comments(db).recent("", 10)) found[comment.actor_id] = comment.state;
        return found;
    }
    std::size_t rejects_pending() {
        std::size_t count = 0;
        for (const auto& job : store::Deliveries(db).list("pending", "", 100))
            count += job.body.find("\"Reject\"") != std::string::npos;
        return count;
    }

    CommentPolicy open_policy{.mode = CommentPolicy::Mode::open};
    const std::string spammer = "https://a.spam.example/users/one";
    const std::string friendly = "https://fine.example/users/two";
};

TEST_F(ConfiguredBlocksTest, ADomainOfTheSettingHidesItsCommentsEndsItsFollowsAndLeavesTheFanOut) {
    follows(spammer);
    follows(friendly);
    receive_reply(db, ids, reply(spammer, "<p>Achetez.</p>"), 1000, open_policy);
    receive_reply(db, ids, reply(friendly, "<p>Merci.</p>"), 1001, open_policy);

    auto sync = sync_configured_blocks(db, ids, {"spam.example"}, 5000);
    EXPECT_EQ(sync.applied, std::vector<std::string>{"spam.example"});
    EXPECT_TRUE(sync.lifted.empty());
    EXPECT_EQ(sync.effects.comments_hidden, 1);
    EXPECT_EQ(sync.effects.followers_removed, 1);
    EXPECT_EQ(states()[spammer], "hidden");
    EXPECT_EQ(states()[friendly], "approved");
    EXPECT_FALSE(store::Followers(db).find(spammer));
    EXPECT_EQ(rejects_pending(), 1u);
    auto block = store::Blocks(db).find("spam.example");
    ASSERT_TRUE(block);
    EXPECT_TRUE(block->configured);

    // The fan-out leaves the domain out, even for a follower row that slipped in.
    follows("https://b.spam.example/users/late");
    EXPECT_EQ(delivery::enqueue_to_followers(db, Json{{"id", "https://blog.example/posts/y/activity"}}, 6000), 1);

    // Every start and reload syncs again: nothing more happens while the setting stays.
    auto again = sync_configured_blocks(db, ids, {"spam.example"}, 7000);
    EXPECT_FALSE(again.changed());
    EXPECT_EQ(rejects_pending(), 1u);
}

TEST_F(ConfiguredBlocksTest, TakenOutOfTheSettingTheDomainIsLiftedAndItsCommentsComeBack) {
    receive_reply(db, ids, reply(spammer, "<p>Un.</p>"), 1000, open_policy);
    receive_reply(db, ids, reply("https://spam.example/users/held", "<p>Deux.</p>"), 1001,
                  {.mode = CommentPolicy::Mode::all_held});
    sync_configured_blocks(db, ids, {"spam.example", "other.example"}, 5000);
    EXPECT_EQ(states()[spammer], "hidden");

    auto sync = sync_configured_blocks(db, ids, {"other.example"}, 6000);
    EXPECT_EQ(sync.lifted, std::vector<std::string>{"spam.example"});
    EXPECT_EQ(sync.comments_restored, 2);
    EXPECT_EQ(states()[spammer], "approved");
    EXPECT_EQ(states()["https://spam.example/users/held"], "held");
    EXPECT_FALSE(store::Blocks(db).find("spam.example"));
    EXPECT_TRUE(store::Blocks(db).find("other.example"));
}

TEST_F(ConfiguredBlocksTest, ABlockTheOwnerAddedStaysTheirsWhateverTheSettingSays) {
    receive_reply(db, ids, reply(spammer, "<p>Un.</p>"), 1000, open_policy);
    {
        store::Blocks blocks(db);
        store::WriteTransaction transaction(db);
        blocks.add("domain", "spam.example", "by hand", 4000);
        apply_block(db, ids, *blocks.find("spam.example"), 4000);
        transaction.commit();
    }
    EXPECT_FALSE(sync_configured_blocks(db, ids, {"spam.example"}, 5000).changed());
    EXPECT_FALSE(sync_configured_blocks(db, ids, {}, 6000).changed());
    auto block = store::Blocks(db).find("spam.example");
    ASSERT_TRUE(block);
    EXPECT_FALSE(block->configured);
    EXPECT_EQ(block->reason, "by hand");
    EXPECT_EQ(states()[spammer], "hidden");
}

}  // namespace
