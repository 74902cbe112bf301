// `fedblog block` and `fedblog reports` on a real data folder, and the held reason in `fedblog comments list`:
// what the operator reads and what the commands change.
#include "server/moderation_commands.hpp"

#include <gtest/gtest.h>

#include <iostream>
#include <sstream>

#include "server/admin_commands.hpp"
#include "store/blocks.hpp"
#include "store/comments.hpp"
#include "store/deliveries.hpp"
#include "store/followers.hpp"
#include "store/posts.hpp"
#include "store/remote_actors.hpp"
#include "store/reports.hpp"
#include "tests/support/temp_dir.hpp"

using namespace fedblog;

namespace {

class ModerationCommandsTest : public ::testing::Test {
protected:
    ModerationCommandsTest() {
        settings.data_dir = (dir / "data").string();
        settings.content_dir = (dir / "content").string();
        settings.public_url = "https://blog.example";
        settings.blocked_domains = {"configured.example"};
        app = std::make_unique<server::App>(settings);
        store::Post post;
        post.slug = "bonjour";
        post.source_path = "bonjour.md";
        post.source_hash = "h";
        post.title = "Bonjour";
        post.summary_html = post.content_html = "<p>Bonjour</p>";
        post.language = "fr";
        post.published = 1000;
        post_id = store::Posts(app->database()).insert(post);
    }

    struct Output {
        std::string out, err;
    };
    Output run(int (*command)(server::App&, const std::vector<std::string>&), std::vector<std::string> words,
               int expected_status = 0) {
        std::ostringstream out, err;
        auto* previous_out = std::cout.rdbuf(out.rdbuf());
        auto* previous_err = std::cerr.rdbuf(err.rdbuf());
        int status = command(*app, words);
        std::cout.rdbuf(previous_out);
        std::cerr.rdbuf(previous_err);
        EXPECT_EQ(status, expected_status) << out.str() << err.str();
        return {out.str(), err.str()};
    }

    // bob@m.example: cached, following, with an approved comment.
    std::int64_t meet_bob() {
        store::RemoteActor bob;
        bob.id = "https://m.example/users/bob";
        bob.inbox = bob.id + "/inbox";
        bob.handle = "bob@m.example";
        bob.profile_url = "https://m.example/@bob";
        bob.fetched_at = 100;
        store::RemoteActors(app->database()).save(bob);
        store::Follower follower;
        follower.actor_id = bob.id;
        follower.inbox = bob.inbox;
        follower.shared_inbox = "https://m.example/inbox";
        follower.handle = bob.handle;
        follower.follow_activity_id = "https://m.example/follows/bob";
        follower.accepted = true;
        follower.created_at = 100;
        store::Followers(app->database()).save(follower);
        return comment(bob.id, "<p>Achetez ici</p>", "approved");
    }

    std::int64_t comment(const std::string& actor, const std::string& html, const std::string& state,
                         const std::string& held_reason = "") {
        store::Comment c;
        c.object_id = actor + "/statuses/" + std::to_string(++serial);
        c.post_id = post_id;
        c.actor_id = actor;
        c.content_html = html;
        c.state = state;
        c.held_reason = held_reason;
        c.published = c.received_at = 2000;
        return *store::Comments(app->database()).insert(c);
    }

    fedblog::testing::TempDir dir;
    Settings settings;
    std::unique_ptr<server::App> app;
    std::int64_t post_id = 0;
    int serial = 0;
};

TEST_F(ModerationCommandsTest, BlockingAnActorByHandleHidesItsCommentsUntilTheBlockIsLifted) {
    std::int64_t id = meet_bob();
    auto added = run(server::block_command, {"add", "@bob@m.example", "sells", "bikes"});
    EXPECT_NE(added.out.find("Blocked actor https://m.example/users/bob: 1 comment hidden, 1 follower removed (a Reject "
                             "is on its way to each), 0 pending deliveries abandoned, 0 likes and boosts no longer "
                             "counted."),
              std::string::npos)
        << added.out;
    store::Comments comments(app->database());
    EXPECT_EQ(comments.find(id)->state, "hidden");
    EXPECT_FALSE(store::Followers(app->database()).find("https://m.example/users/bob"));
    auto jobs = store::Deliveries(app->database()).list("pending", "", 10);
    ASSERT_EQ(jobs.size(), 1u);
    EXPECT_NE(jobs[0].body.find("\"Reject\""), std::string::npos);

    auto listed = run(server::block_command, {"list"}).out;
    EXPECT_NE(listed.find("configured.example"), std::string::npos) << listed;
    EXPECT_NE(listed.find("(blocked_domains setting: applied when fedblog serve starts or reloads)"), std::string::npos)
        << listed;
    EXPECT_NE(listed.find("https://m.example/users/bob"), std::string::npos);
    EXPECT_NE(listed.find("sells bikes"), std::string::npos);
    EXPECT_NE(run(server::block_command, {"add", "https://m.example/@bob"}, 1).err.find("blocked already"),
              std::string::npos);

    auto removed = run(server::block_command, {"remove", "bob@m.example"});
    EXPECT_NE(removed.out.find("1 comment back as before the block"), std::string::npos) << removed.out;
    EXPECT_EQ(comments.find(id)->state, "approved");
    EXPECT_TRUE(store::Blocks(app->database()).list().empty());
}

TEST_F(ModerationCommandsTest, TheBlockedDomainsSettingBlocksLikeTheCommandAndOnlyTheSettingLiftsIt) {
    std::int64_t id = comment("https://a.configured.example/users/x", "<p>Hop</p>", "approved");
    auto applied = app->apply_configured_blocks();
    EXPECT_EQ(applied.applied, std::vector<std::string>{"configured.example"});
    store::Comments comments(app->database());
    EXPECT_EQ(comments.find(id)->state, "hidden");

    auto listed = run(server::block_command, {"list"}).out;
    EXPECT_NE(listed.find("(blocked_domains setting)\n"), std::string::npos) << listed;
    EXPECT_EQ(listed.find("applied when"), std::string::npos) << listed;
    EXPECT_NE(run(server::block_command, {"remove", "configured.example"}, 1).err.find("remove it there"),
              std::string::npos);
    EXPECT_NE(run(server::block_command, {"add", "configured.example"}, 1).err.find("blocked already"),
              std::string::npos);
    EXPECT_EQ(comments.find(id)->state, "hidden");

    Settings without = app->settings();
    without.blocked_domains.clear();
    app->replace_settings(without);
    EXPECT_EQ(app->apply_configured_blocks().lifted, std::vector<std::string>{"configured.example"});
    EXPECT_EQ(comments.find(id)->state, "approved");
    EXPECT_EQ(run(server::block_command, {"list"}).out, "(nothing blocked)\n");
}

TEST_F(ModerationCommandsTest, TargetsAreCheckedAndExplained) {
    auto unknown = run(server::block_command, {"add", "carol@x.example"}, 1);
    EXPECT_NE(unknown.err.find("no actor known here as carol@x.example"), std::string::npos) << unknown.err;
    EXPECT_NE(unknown.err.find("https://x.example/users/carol"), std::string::npos);
    EXPECT_NE(run(server::block_command, {"add", "bücher.example"}, 1).err.find("xn--"), std::string::npos);
    EXPECT_NE(run(server::block_command, {"add", "ftp://x.example/u"}, 1).err.find("not an http(s) URL"), std::string::npos);
    run(server::block_command, {"add"}, 2);
    run(server::block_command, {"remove", "a.example", "extra"}, 2);

    // A domain is written one way whatever the spelling; an actor nobody met is stored with a warning.
    auto domain = run(server::block_command, {"add", "*.Spam.Example."});
    EXPECT_NE(domain.out.find("Blocked domain spam.example"), std::string::npos) << domain.out;
    auto stranger = run(server::block_command, {"add", "https://x.example/users/carol"});
    EXPECT_NE(stranger.out.find("not an actor this blog has seen"), std::string::npos) << stranger.out;
    EXPECT_NE(run(server::block_command, {"remove", "configured.example"}, 1).err.find("remove it there"),
              std::string::npos);
    EXPECT_NE(run(server::block_command, {"remove", "other.example"}, 1).err.find("is not blocked"), std::string::npos);
    EXPECT_EQ(store::Blocks(app->database()).list().size(), 2u);
}

TEST_F(ModerationCommandsTest, ReportsShowWhatTheyPointAtAndAreResolved) {
    std::int64_t id = meet_bob();
    store::Report report;
    report.activity_id = "https://m.example/reports/1";
    report.actor_id = "https://m.example/actor";
    report.objects = {"https://blog.example/users/blog", "https://blog.example/posts/bonjour",
                      "https://m.example/users/bob/statuses/1", "https://elsewhere.example/x"};
    report.content = "Spam\x1b[31m rouge \xC2\x9B ✉️";
    report.received_at = 3000;
    auto report_id = *store::Reports(app->database()).insert(report);

    auto listed = run(server::reports_command, {}).out;
    EXPECT_NE(listed.find(std::to_string(report_id) + "  open  "), std::string::npos) << listed;
    EXPECT_NE(listed.find("from https://m.example/actor"), std::string::npos);
    EXPECT_NE(listed.find("\"Spam"), std::string::npos);
    EXPECT_NE(listed.find("rouge"), std::string::npos);
    EXPECT_NE(listed.find("✉️\""), std::string::npos);
    EXPECT_EQ(listed.find('\x1b'), std::string::npos) << "control characters never reach the terminal";
    EXPECT_EQ(listed.find("\xC2\x9B"), std::string::npos);
    EXPECT_NE(listed.find("-> the blog's account"), std::string::npos);
    EXPECT_NE(listed.find("-> post bonjour"), std::string::npos);
    EXPECT_NE(listed.find("-> comment " + std::to_string(id) + " (approved) on bonjour by @bob@m.example: Achetez ici"),
              std::string::npos);
    EXPECT_NE(listed.find("-> https://elsewhere.example/x (not held here)"), std::string::npos);

    run(server::reports_command, {"resolve", std::to_string(report_id)});
    EXPECT_NE(run(server::reports_command, {}).out.find("(no open reports)"), std::string::npos);
    EXPECT_NE(run(server::reports_command, {"list", "resolved"}).out.find("resolved"), std::string::npos);
    run(server::reports_command, {"resolve", std::to_string(report_id)}, 1);
    run(server::reports_command, {"resolve", "x"}, 2);
    run(server::reports_command, {"list", "closed"}, 2);
}

TEST_F(ModerationCommandsTest, CommentsListSaysWhyACommentIsHeld) {
    comment("https://x.example/users/dan", "<p>Regardez</p>", "held", "links only: no text besides links and mentions");
    auto listed = run(server::comments_command, {"list", "held"}).out;
    EXPECT_NE(listed.find("held: links only: no text besides links and mentions"), std::string::npos) << listed;
}

}  // namespace
