// What the blog's own changes queue for its followers, read back from a real SQLite file.
#include "activitypub/delivery/publication.hpp"

#include <gtest/gtest.h>

#include <map>

#include "store/deliveries.hpp"
#include "store/followers.hpp"
#include "store/posts.hpp"
#include "tests/support/temp_dir.hpp"

namespace fedblog::activitypub::delivery {
namespace {

constexpr store::Timestamp day = 86400;
constexpr store::Timestamp start = 1'780'000'000;

class ClosingByAge : public ::testing::Test {
protected:
    ClosingByAge() : db(dir.path() / "fedblog.db"), ids("https://blog.example", "blog") {
        settings.public_url = "https://blog.example";
        settings.comments_close_after_days = 30;
        store::Follower alice;
        alice.actor_id = "https://m.example/users/alice";
        alice.inbox = "https://m.example/users/alice/inbox";
        alice.shared_inbox = "https://m.example/inbox";
        alice.follow_activity_id = "https://m.example/follows/1";
        alice.accepted = true;
        alice.created_at = start;
        store::Followers(db).save(alice);
    }

    void post(const std::string& slug, store::Timestamp published, bool closed = false, bool deleted = false) {
        store::Post p;
        p.slug = slug;
        p.source_path = slug + ".md";
        p.source_hash = "h";
        p.title = slug;
        p.summary_html = "<p>s</p>";
        p.content_html = "<p>c</p>";
        p.language = "fr";
        p.published = published;
        p.comments_closed = closed;
        store::Posts posts(db);
        const std::int64_t id = posts.insert(p);
        if (deleted) posts.mark_deleted(id, published + 1);
    }

    // The Updates queued so far: object id → its canReply rule.
    std::map<std::string, Json> closings() {
        std::map<std::string, Json> found;
        for (const auto& job : store::Deliveries(db).list("", "", 100)) {
            Json activity = Json::parse(job.body);
            if (activity["type"] == "Update")
                found[activity["object"]["id"]] = activity["object"]["interactionPolicy"]["canReply"];
        }
        return found;
    }

    testing::TempDir dir;
    store::Database db;
    Ids ids;
    Settings settings;
};

TEST_F(ClosingByAge, TheFirstLookOnlyRecordsWhereItStands) {
    post("long-ago", start - 400 * day);
    EXPECT_EQ(announce_comments_closed_by_age(db, settings, ids, start), 0);
    EXPECT_TRUE(closings().empty());
}

TEST_F(ClosingByAge, PostsCrossingTheLimitAreAnnouncedOnceWithOnlyTheBlogAbleToReply) {
    post("long-ago", start - 400 * day);
    post("ageing", start - 29 * day);
    post("young", start - 2 * day);
    post("closed-by-hand", start - 29 * day, true);
    post("deleted", start - 29 * day, false, true);
    ASSERT_EQ(announce_comments_closed_by_age(db, settings, ids, start), 0);

    EXPECT_EQ(announce_comments_closed_by_age(db, settings, ids, start + 2 * day), 1);
    auto updates = closings();
    ASSERT_EQ(updates.size(), 1u);
    EXPECT_EQ(updates.begin()->first, "https://blog.example/posts/ageing");
    EXPECT_EQ(updates.begin()->second["automaticApproval"], Json::array({"https://blog.example/users/blog"}));
    // An hour later nothing new has aged past the limit; 29 days later the young post has.
    EXPECT_EQ(announce_comments_closed_by_age(db, settings, ids, start + 2 * day + 3600), 0);
    EXPECT_EQ(announce_comments_closed_by_age(db, settings, ids, start + 29 * day), 1);
    EXPECT_EQ(closings().size(), 2u);
}

TEST_F(ClosingByAge, NothingHappensWhenPostsNeverClose) {
    settings.comments_close_after_days = 0;
    post("ageing", start - 29 * day);
    EXPECT_EQ(announce_comments_closed_by_age(db, settings, ids, start), 0);
    EXPECT_EQ(announce_comments_closed_by_age(db, settings, ids, start + 100 * day), 0);
    EXPECT_TRUE(closings().empty());
}

}  // namespace
}  // namespace fedblog::activitypub::delivery
