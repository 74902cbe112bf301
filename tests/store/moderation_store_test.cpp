// Blocks, reports and comment rates on a real SQLite file: what the moderation code above reads and writes.
#include <algorithm>
#include <gtest/gtest.h>

#include "store/blocks.hpp"
#include "store/comment_rates.hpp"
#include "store/comments.hpp"
#include "store/counts.hpp"
#include "store/deliveries.hpp"
#include "store/posts.hpp"
#include "store/reports.hpp"
#include "tests/support/temp_dir.hpp"

using namespace fedblog::store;

namespace {

class ModerationStoreTest : public ::testing::Test {
protected:
    ModerationStoreTest() : db(dir / "db") {
        Post post;
        post.slug = "bonjour";
        post.source_path = "bonjour.md";
        post.source_hash = "h";
        post.title = "Bonjour";
        post.summary_html = post.content_html = "<p>Bonjour</p>";
        post.language = "fr";
        post.published = 1000;
        post_id = Posts(db).insert(post);
    }

    std::int64_t comment(const std::string& actor, Timestamp received, const std::string& state = "approved") {
        Comment c;
        c.object_id = actor + "/statuses/" + std::to_string(++serial);
        c.post_id = post_id;
        c.actor_id = actor;
        c.content_html = "<p>Réponse</p>";
        c.state = state;
        c.published = c.received_at = received;
        if (state == "held") c.held_reason = "new commenter";
        return *Comments(db).insert(c);
    }

    fedblog::testing::TempDir dir;
    Database db;
    std::int64_t post_id = 0;
    int serial = 0;
};

TEST_F(ModerationStoreTest, BlocksAreUniqueAndFoundByAnyOfSeveralTargets) {
    Blocks blocks(db);
    auto domain = blocks.add("domain", "spam.example", "spam farm", 100);
    ASSERT_TRUE(domain);
    EXPECT_FALSE(blocks.add("domain", "spam.example", "again", 200));
    auto actor = blocks.add("actor", "https://m.example/users/troll", "", 300);
    ASSERT_TRUE(actor);

    auto found = blocks.first_of({"https://a.spam.example/users/x", "a.spam.example", "spam.example", "example"});
    ASSERT_TRUE(found);
    EXPECT_EQ(found->id, *domain);
    EXPECT_EQ(found->reason, "spam farm");
    // An actor's own block comes first when its domain is blocked too.
    blocks.add("domain", "m.example", "", 400);
    EXPECT_EQ(blocks.first_of({"https://m.example/users/troll", "m.example", "example"})->kind, "actor");
    EXPECT_FALSE(blocks.first_of({"https://fine.example/users/a", "fine.example", "example"}));
    EXPECT_FALSE(blocks.first_of({}));
    EXPECT_EQ(blocks.domains(), (std::vector<std::string>{"m.example", "spam.example"}));

    ASSERT_EQ(blocks.list().size(), 3u);
    EXPECT_EQ(blocks.list()[0].target, "spam.example");
    EXPECT_TRUE(blocks.remove(*domain));
    EXPECT_FALSE(blocks.remove(*domain));
    EXPECT_FALSE(blocks.find("spam.example"));
}

TEST_F(ModerationStoreTest, ABlockHidesCommentsAndRestoresOnlyThoseItHid) {
    const std::string troll = "https://m.example/users/troll";
    auto approved = comment(troll, 2000);
    auto held = comment(troll, 2100, "held");
    auto hidden_by_owner = comment(troll, 2200, "hidden");
    auto other = comment("https://other.example/users/ok", 2300);
    Blocks blocks(db);
    Comments comments(db);
    auto block = *blocks.add("actor", troll, "", 3000);
    EXPECT_EQ(blocks.hide_comments_of_actor(block, troll), 2);
    EXPECT_EQ(comments.find(approved)->state, "hidden");
    EXPECT_EQ(comments.find(held)->state, "hidden");
    EXPECT_EQ(comments.find(other)->state, "approved");
    EXPECT_EQ(counts(db).comments, 1);

    // The owner decides about one of them meanwhile: that decision stands when the block goes.
    comments.set_state(held, "approved");
    EXPECT_EQ(blocks.restore_comments(block), 1);
    EXPECT_EQ(comments.find(approved)->state, "approved");
    EXPECT_EQ(comments.find(held)->state, "approved");
    EXPECT_EQ(comments.find(hidden_by_owner)->state, "hidden");  // hidden before the block: stays hidden
    EXPECT_EQ(comments.find(held)->held_reason, "new commenter");
    EXPECT_EQ(blocks.restore_comments(block), 0);
}

TEST_F(ModerationStoreTest, CommentsAreHiddenByHostWhateverThePort) {
    comment("https://Spam.Example/users/a", 2000);
    comment("https://spam.example:8443/users/b", 2000, "held");
    comment("https://sub.spam.example/users/c", 2000);
    comment("https://fine.example/users/d", 2000);
    Blocks blocks(db);
    auto hosts = blocks.comment_hosts();
    std::sort(hosts.begin(), hosts.end());
    EXPECT_EQ(hosts, (std::vector<std::string>{"fine.example", "spam.example", "spam.example:8443", "sub.spam.example"}));
    auto block = *blocks.add("domain", "spam.example", "", 3000);
    EXPECT_EQ(blocks.hide_comments_of_host(block, "spam.example"), 1);
    EXPECT_EQ(blocks.hide_comments_of_host(block, "spam.example:8443"), 1);
    EXPECT_EQ(blocks.restore_comments(block), 2);
    auto held = Comments(db).recent("held", 10);
    ASSERT_EQ(held.size(), 1u);
    EXPECT_EQ(held[0].actor_id, "https://spam.example:8443/users/b");
}

TEST_F(ModerationStoreTest, RatesCountWithinTheWindowUpToTheCap) {
    const std::string alice = "https://m.example/users/alice";
    for (int i = 0; i < 4; ++i) comment(alice, 1000 + i * 100);  // 1000..1300
    comment("https://m.example/users/bob", 1250);
    CommentRates rates(db);
    EXPECT_EQ(rates.from_actor(alice, 1100, 10), 3);
    EXPECT_EQ(rates.from_actor(alice, 1100, 2), 2);
    EXPECT_EQ(rates.from_actor(alice, 5000, 10), 0);
    EXPECT_EQ(rates.from_host("m.example", 1100, 10), 4);
    EXPECT_EQ(rates.from_host("other.example", 0, 10), 0);
    // Bob's first comment is in the window, alice's is not: one newcomer.
    EXPECT_EQ(rates.new_commenters_from_host("m.example", 1100, 10), 1);
    EXPECT_EQ(rates.new_commenters_from_host("m.example", 900, 10), 2);
    EXPECT_TRUE(rates.has_commented(alice));
    EXPECT_FALSE(rates.has_commented("https://m.example/users/carol"));
}

TEST_F(ModerationStoreTest, ReportsAreKeptOnceAndResolved) {
    Reports reports(db);
    Report report;
    report.activity_id = "https://m.example/reports/1";
    report.actor_id = "https://m.example/actor";
    report.objects = {"https://blog.example/users/blog", "https://blog.example/posts/bonjour"};
    report.content = "Spam ✉️";
    report.received_at = 5000;
    auto id = reports.insert(report);
    ASSERT_TRUE(id);
    EXPECT_FALSE(reports.insert(report));
    auto stored = reports.find(*id);
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->objects, report.objects);
    EXPECT_EQ(stored->content, "Spam ✉️");
    EXPECT_EQ(stored->state, "open");
    EXPECT_EQ(reports.list("open", 10).size(), 1u);
    EXPECT_TRUE(reports.resolve(*id, 6000));
    EXPECT_FALSE(reports.resolve(*id, 6001));
    EXPECT_EQ(reports.find(*id)->resolved_at, 6000);
    EXPECT_TRUE(reports.list("open", 10).empty());
    EXPECT_EQ(reports.list("", 10).size(), 1u);
}

TEST_F(ModerationStoreTest, PendingDeliveriesToAHostAreAbandoned) {
    Deliveries deliveries(db);
    deliveries.enqueue("https://blog.example/a1", "{}",
                       {{"https://spam.example/inbox", "spam.example"}, {"https://fine.example/inbox", "fine.example"}},
                       100);
    auto hosts = deliveries.pending_hosts();
    std::sort(hosts.begin(), hosts.end());
    EXPECT_EQ(hosts, (std::vector<std::string>{"fine.example", "spam.example"}));
    EXPECT_EQ(deliveries.abandon_host("spam.example", 200, "blocked: spam.example"), 1);
    EXPECT_EQ(deliveries.pending_hosts(), std::vector<std::string>{"fine.example"});
    auto dead = deliveries.list("dead", "spam.example", 10);
    ASSERT_EQ(dead.size(), 1u);
    EXPECT_EQ(dead[0].last_error, "blocked: spam.example");
}

}  // namespace
