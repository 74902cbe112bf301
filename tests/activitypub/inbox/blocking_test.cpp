// Blocks as the inbox reads them and as `fedblog block add` applies them: on a real SQLite file, with the
// follows, comments and deliveries a block touches.
#include "activitypub/inbox/blocking.hpp"

#include "activitypub/delivery/fanout.hpp"
#include "activitypub/inbox/replies.hpp"
#include "store/comments.hpp"
#include "store/deliveries.hpp"
#include "store/followers.hpp"
#include "store/reactions.hpp"
#include "store/remote_actors.hpp"
#include "store/transaction.hpp"
#include "tests/activitypub/inbox/support.hpp"

using namespace fedblog;
using namespace fedblog::activitypub;
using namespace fedblog::activitypub::inbox;

namespace {

class BlockingTest : public inbox::testing::InboxStoreTest {
protected:
    store::Block block(const std::string& kind, const std::string& target) {
        store::Blocks blocks(db);
        blocks.add(kind, target, "", 5000);
        return *blocks.find(target);
    }

    BlockEffects apply(const store::Block& added) {
        store::WriteTransaction transaction(db);
        auto effects = apply_block(db, ids, added, 5000);
        transaction.commit();
        return effects;
    }

    std::vector<store::DeliveryJob> pending() { return store::Deliveries(db).list("pending", "", 100); }

    CommentPolicy open_policy{.mode = CommentPolicy::Mode::open};
};

TEST_F(BlockingTest, TheSettingAndTheStoreAreBothConsulted) {
    const std::vector<std::string> configured = {"configured.example"};
    EXPECT_EQ(find_block(db, configured, "https://a.configured.example/users/x")->target, "configured.example");
    EXPECT_TRUE(find_block(db, configured, "https://a.configured.example/users/x")->configured);
    EXPECT_FALSE(find_block(db, configured, "https://m.example/users/troll"));

    block("actor", "https://m.example/users/troll");
    block("domain", "spam.example");
    auto actor = find_block(db, configured, "https://m.example/users/troll");
    ASSERT_TRUE(actor);
    EXPECT_EQ(actor->kind, "actor");
    EXPECT_FALSE(actor->configured);
    EXPECT_FALSE(find_block(db, configured, "https://m.example/users/trolls"));
    EXPECT_FALSE(find_block(db, configured, "https://m.example/users/alice"));
    EXPECT_EQ(find_block(db, configured, "https://deep.sub.spam.example:8443/users/x")->target, "spam.example");
    EXPECT_EQ(find_block(db, configured, "https://SPAM.example/users/x")->target, "spam.example");
    EXPECT_FALSE(find_block(db, configured, "https://notspam.example/users/x"));
    EXPECT_FALSE(find_block(db, configured, "not a url"));
}

TEST_F(BlockingTest, TheCacheSeesEveryCommittedChangeAtOnceAndAnswersAsTheQueryDoes) {
    // The inbox's cache reads through a connection of its own; `db` stands for the writer and for
    // `fedblog block` alike (another connection either way).
    store::Database reader(dir / "db");
    BlockCache cache(reader);
    const std::string actor = "https://m.example/users/alice";
    EXPECT_FALSE(cache.find({}, actor));
    auto domain = block("domain", "example");
    auto found = cache.find({}, actor);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->target, "example");
    // An actor's block wins over its domain's, as in find_block.
    block("actor", actor);
    EXPECT_EQ(cache.find({}, actor)->kind, "actor");
    EXPECT_EQ(find_block(db, {}, actor)->kind, "actor");
    EXPECT_EQ(cache.find({}, "https://other.m.example/users/bob")->target, "example");
    // The setting is read first; a lifted block is gone at once.
    EXPECT_TRUE(cache.find({"m.example"}, actor)->configured);
    store::Blocks(db).remove(domain.id);
    EXPECT_FALSE(cache.find({}, "https://other.m.example/users/bob"));
    // Unrelated writes (any commit moves the version) read the blocks again and change nothing.
    store::SeenActivities(db).first_sighting("https://m.example/x", 1);
    EXPECT_EQ(cache.find({}, actor)->kind, "actor");
    EXPECT_FALSE(cache.find({}, "https://elsewhere.example.org/users/carol"));
}

TEST_F(BlockingTest, BlockingAnActorHidesItsCommentsAndEndsItsFollowWithAReject) {
    const std::string troll = "https://m.example/users/troll";
    const std::string alice = "https://m.example/users/alice";
    follows(troll);
    follows(alice);
    store::RemoteActor cached;
    cached.id = troll;
    cached.inbox = troll + "/inbox";
    cached.fetched_at = 100;
    store::RemoteActors(db).save(cached);
    receive_reply(db, ids, reply(troll, "<p>Bof.</p>"), 1000, open_policy);
    receive_reply(db, ids, reply(troll, "<p>Re-bof.</p>"), 1001, open_policy);
    receive_reply(db, ids, reply(alice, "<p>Bien.</p>"), 1002, open_policy);
    // An Accept still waiting for the troll, and a post on its way to the shared inbox of m.example.
    delivery::enqueue_to_inbox(db, Json{{"id", "https://blog.example/accept/1"}, {"type", "Accept"}}, troll + "/inbox", 900);
    delivery::enqueue_to_followers(db, Json{{"id", "https://blog.example/posts/x/activity"}, {"type", "Create"}}, 900);

    store::Reactions reactions(db);
    reactions.add(post_id, troll, store::ReactionKind::like, troll + "/likes/1", 1003);
    reactions.add(post_id, alice, store::ReactionKind::like, alice + "/likes/1", 1004);

    auto effects = apply(block("actor", troll));
    EXPECT_EQ(effects.comments_hidden, 2);
    EXPECT_EQ(effects.reactions_removed, 1);
    EXPECT_EQ(reactions.counts(post_id).likes, 1);
    EXPECT_EQ(effects.followers_removed, 1);
    EXPECT_EQ(effects.deliveries_abandoned, 1);
    EXPECT_FALSE(store::Followers(db).find(troll));
    EXPECT_TRUE(store::Followers(db).find(alice));
    auto jobs = pending();
    ASSERT_EQ(jobs.size(), 2u);  // the shared inbox still gets the post; the troll gets only the Reject
    for (const auto& job : jobs) {
        if (job.inbox == troll + "/inbox") EXPECT_NE(job.body.find("\"Reject\""), std::string::npos);
        else EXPECT_EQ(job.inbox, "https://m.example/inbox");
    }
    auto held = store::Comments(db).recent("", 10);
    for (const auto& comment : held) EXPECT_EQ(comment.state, comment.actor_id == troll ? "hidden" : "approved");
}

TEST_F(BlockingTest, BlockingADomainCoversItsSubdomainsAndLiftingItRestoresTheComments) {
    follows("https://a.spam.example/users/one");
    follows("https://spam.example/users/two");
    follows("https://fine.example/users/three");
    receive_reply(db, ids, reply("https://a.spam.example/users/one", "<p>Un.</p>"), 1000, open_policy);
    receive_reply(db, ids, reply("https://spam.example/users/two", "<p>Deux.</p>"), 1001,
                  {.mode = CommentPolicy::Mode::all_held});
    receive_reply(db, ids, reply("https://fine.example/users/three", "<p>Trois.</p>"), 1002, open_policy);
    delivery::enqueue_to_followers(db, Json{{"id", "https://blog.example/posts/x/activity"}, {"type", "Create"}}, 900);
    ASSERT_EQ(pending().size(), 3u);

    store::Reactions reactions(db);
    reactions.add(post_id, "https://a.spam.example/users/one", store::ReactionKind::announce, "https://a.spam.example/b/1", 1003);
    reactions.add(post_id, "https://notspam.example/users/four", store::ReactionKind::announce, "https://notspam.example/b/1", 1004);

    auto added = block("domain", "spam.example");
    auto effects = apply(added);
    EXPECT_EQ(effects.comments_hidden, 2);
    EXPECT_EQ(effects.reactions_removed, 1);
    EXPECT_EQ(reactions.counts(post_id).shares, 1);
    EXPECT_EQ(effects.followers_removed, 2);
    EXPECT_EQ(effects.deliveries_abandoned, 2);
    int rejects = 0;
    for (const auto& job : pending()) {
        if (job.host == "fine.example") continue;
        EXPECT_NE(job.body.find("\"Reject\""), std::string::npos) << job.inbox;
        ++rejects;
    }
    EXPECT_EQ(rejects, 2);

    // From now on the fan-out leaves the domain out, even for a follower row that slipped in.
    follows("https://b.spam.example/users/late");
    EXPECT_EQ(delivery::enqueue_to_followers(db, Json{{"id", "https://blog.example/posts/y/activity"}}, 6000), 1);

    store::WriteTransaction transaction(db);
    EXPECT_EQ(lift_block(db, added), 2);
    transaction.commit();
    EXPECT_FALSE(store::Blocks(db).find("spam.example"));
    std::map<std::string, std::string> states;
    for (const auto& comment : store::Comments(db).recent("", 10)) states[comment.actor_id] = comment.state;
    EXPECT_EQ(states["https://a.spam.example/users/one"], "approved");
    EXPECT_EQ(states["https://spam.example/users/two"], "held");
    EXPECT_EQ(states["https://fine.example/users/three"], "approved");
}

}  // namespace
