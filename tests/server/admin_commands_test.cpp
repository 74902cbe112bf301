// `fedblog followers` and `fedblog deliveries` on a real data folder: what the operator reads and what the
// commands change.
#include "server/admin_commands.hpp"

#include <gtest/gtest.h>

#include <iostream>
#include <sstream>

#include "common/time.hpp"
#include "store/comments.hpp"
#include "store/deliveries.hpp"
#include "store/posts.hpp"
#include "store/followers.hpp"
#include "store/hosts.hpp"
#include "tests/support/temp_dir.hpp"

using namespace fedblog;

namespace {

class AdminCommandsTest : public ::testing::Test {
protected:
    AdminCommandsTest() {
        settings.data_dir = (dir / "data").string();
        settings.content_dir = (dir / "content").string();
        app = std::make_unique<server::App>(settings);
    }

    // Runs a command and returns what it printed on stdout.
    std::string run(int (*command)(server::App&, const std::vector<std::string>&), std::vector<std::string> words,
                    int expected_status = 0) {
        std::ostringstream captured;
        auto* previous = std::cout.rdbuf(captured.rdbuf());
        int status = command(*app, words);
        std::cout.rdbuf(previous);
        EXPECT_EQ(status, expected_status) << captured.str();
        return captured.str();
    }

    store::Follower follower(const std::string& name, bool accepted) {
        store::Follower row;
        row.actor_id = "https://m.example/users/" + name;
        row.inbox = row.actor_id + "/inbox";
        row.shared_inbox = "https://m.example/inbox";
        row.handle = name + "@m.example";
        row.follow_activity_id = "https://m.example/follows/" + name;
        row.accepted = accepted;
        row.created_at = 1790000000;
        return row;
    }

    fedblog::testing::TempDir dir;
    Settings settings;
    std::unique_ptr<server::App> app;
};

TEST_F(AdminCommandsTest, FollowersListsAcceptedAndPending) {
    store::Followers followers(app->database());
    followers.save(follower("alice", true));
    followers.save(follower("bob", false));
    std::string out = run(server::followers_command, {});
    EXPECT_NE(out.find("Followers (1)"), std::string::npos) << out;
    EXPECT_NE(out.find("@alice@m.example"), std::string::npos);
    EXPECT_NE(out.find("Waiting for approval (1)"), std::string::npos);
    EXPECT_NE(out.find("@bob@m.example"), std::string::npos);
}

TEST_F(AdminCommandsTest, RemovingAFollowerByHandleQueuesAReject) {
    store::Followers(app->database()).save(follower("alice", true));
    run(server::followers_command, {"remove", "@alice@m.example"});
    EXPECT_FALSE(store::Followers(app->database()).find("https://m.example/users/alice"));
    auto jobs = store::Deliveries(app->database()).list("pending", "", 10);
    ASSERT_EQ(jobs.size(), 1u);
    EXPECT_EQ(jobs[0].inbox, "https://m.example/users/alice/inbox");
    EXPECT_NE(jobs[0].body.find("\"Reject\""), std::string::npos);
    run(server::followers_command, {"remove", "alice@m.example"}, 1);  // gone already
}

TEST_F(AdminCommandsTest, DeliveriesShowsEachHostAndRetriesDeadJobs) {
    store::Deliveries deliveries(app->database());
    deliveries.enqueue("https://blog/a1", "{}", {{"https://m.example/inbox", "m.example"},
                                                  {"https://x.example/inbox", "x.example"}}, now_seconds());
    auto jobs = deliveries.list("", "x.example", 10);
    ASSERT_EQ(jobs.size(), 1u);
    deliveries.mark_dead(jobs[0].id, now_seconds(), "HTTP 404");

    std::string summary = run(server::deliveries_command, {});
    EXPECT_NE(summary.find("m.example"), std::string::npos) << summary;
    EXPECT_NE(summary.find("x.example"), std::string::npos);
    EXPECT_NE(summary.find("HTTP 404"), std::string::npos);

    std::string listed = run(server::deliveries_command, {"list", "x.example"});
    EXPECT_NE(listed.find("dead"), std::string::npos) << listed;
    EXPECT_EQ(listed.find("m.example"), std::string::npos);

    run(server::deliveries_command, {"retry", std::to_string(jobs[0].id)});
    EXPECT_EQ(deliveries.find(jobs[0].id)->state, "pending");
    run(server::deliveries_command, {"retry", "999999"}, 1);
    run(server::deliveries_command, {"bogus"}, 2);
}

TEST_F(AdminCommandsTest, CommentsAreListedApprovedHiddenAndDeleted) {
    store::Post post;
    post.slug = "bonjour";
    post.source_path = "bonjour.md";
    post.source_hash = "h";
    post.title = "Bonjour";
    post.summary_html = post.content_html = "<p>Bonjour</p>";
    post.language = "fr";
    post.published = 1000;
    std::int64_t post_id = store::Posts(app->database()).insert(post);
    store::Comment comment;
    comment.object_id = "https://m.example/users/bob/statuses/1";
    comment.post_id = post_id;
    comment.actor_id = "https://m.example/users/bob";
    comment.content_html = "<p>Un avis <b>tranché</b></p>";
    comment.state = "held";
    comment.published = comment.received_at = 2000;
    store::Comments comments(app->database());
    std::int64_t id = *comments.insert(comment);

    std::string held = run(server::comments_command, {"list", "held"});
    EXPECT_NE(held.find(std::to_string(id) + "  held  bonjour"), std::string::npos) << held;
    EXPECT_NE(held.find("Un avis tranché"), std::string::npos);
    run(server::comments_command, {"approve", std::to_string(id)});
    EXPECT_EQ(comments.find(id)->state, "approved");
    run(server::comments_command, {"hide", std::to_string(id)});
    EXPECT_EQ(comments.find(id)->state, "hidden");
    run(server::comments_command, {"delete", std::to_string(id)});
    EXPECT_TRUE(comments.find(id)->deleted);
    EXPECT_EQ(comments.find(id)->content_html, "");
    run(server::comments_command, {"approve", "424242"}, 1);
    run(server::comments_command, {"list", "spam"}, 2);
}

TEST_F(AdminCommandsTest, RetryingAHostTakesItOffTheUnavailableList) {
    store::Hosts hosts(app->database());
    for (int day = 0; day < store::Hosts::default_unavailable_after_days; ++day)
        hosts.record_failure("down.example", 1790000000 + day * 86400);
    ASSERT_TRUE(hosts.is_unavailable("down.example"));
    run(server::deliveries_command, {"retry", "down.example"});
    EXPECT_FALSE(hosts.is_unavailable("down.example"));
}

}  // namespace
