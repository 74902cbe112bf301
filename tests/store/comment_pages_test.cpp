// A thread a page at a time on a real SQLite file: whole top-level threads per page, a thread larger than
// the page cut and carried on, both directions covering every comment once, what readers may not see left
// out, bad cursors refused, and the walk reading through the thread index rather than scanning.
#include "store/comment_pages.hpp"

#include <gtest/gtest.h>

#include "store/posts.hpp"
#include "tests/support/temp_dir.hpp"

using namespace fedblog::store;

namespace {

class CommentPagesTest : public ::testing::Test {
protected:
    CommentPagesTest() : db(dir / "db"), comments(db), pages(db) {
        post_id = insert_post("bonjour");
        other_post = insert_post("autre");
    }

    std::int64_t insert_post(const std::string& slug) {
        Post post;
        post.slug = slug;
        post.source_path = slug + ".md";
        post.source_hash = "h";
        post.title = slug;
        post.summary_html = "<p>x</p>";
        post.content_html = "<p>x</p>";
        post.language = "fr";
        post.published = 1000;
        return Posts(db).insert(post);
    }

    // Comments are published one second apart in the order they are added.
    std::int64_t add(std::optional<std::int64_t> parent, std::string state = "approved", std::string visibility = "public",
                     bool deleted = false, std::int64_t post = 0) {
        Comment c;
        ++clock;
        c.object_id = "https://m.example/statuses/" + std::to_string(clock);
        c.post_id = post ? post : post_id;
        c.parent_id = parent;
        c.actor_id = "https://m.example/users/alice";
        c.content_html = "<p>" + std::to_string(clock) + "</p>";
        c.state = std::move(state);
        c.visibility = std::move(visibility);
        if (deleted) c.deleted = clock;
        c.published = clock;
        c.received_at = clock;
        return *comments.insert(c);
    }

    static std::vector<std::int64_t> ids(const CommentPage& page) {
        std::vector<std::int64_t> out;
        for (const auto& c : page.comments) out.push_back(c.id);
        return out;
    }

    // Every page from the first, following `next`.
    std::vector<std::vector<std::int64_t>> forward(std::size_t cap) {
        std::vector<std::vector<std::int64_t>> all;
        std::optional<std::int64_t> from;
        while (true) {
            auto page = pages.starting_at(post_id, from, cap);
            EXPECT_TRUE(page);
            if (!page) break;
            EXPECT_LE(page->comments.size(), cap);
            all.push_back(ids(*page));
            if (!page->next) break;
            from = page->next;
        }
        return all;
    }

    fedblog::testing::TempDir dir;
    Database db;
    Comments comments;
    CommentPages pages;
    std::int64_t post_id = 0, other_post = 0;
    std::int64_t clock = 2000;
};

TEST_F(CommentPagesTest, AnEmptyThreadIsOneEmptyPage) {
    auto page = pages.starting_at(post_id, std::nullopt, 10);
    ASSERT_TRUE(page);
    EXPECT_TRUE(page->comments.empty());
    EXPECT_FALSE(page->next);
    EXPECT_FALSE(page->earlier);
    EXPECT_EQ(pages.shown_count(post_id), 0);
}

TEST_F(CommentPagesTest, PagesHoldWholeTopLevelThreadsInThreadOrder) {
    // a (b (c), d), e, f (g, h), i
    auto a = add({}), b = add(a), c = add(b), d = add(a), e = add({}), f = add({}), g = add(f), h = add(f), i = add({});
    add({}, "approved", "public", false, other_post);  // another post's comment never appears
    using V = std::vector<std::int64_t>;
    auto all = forward(5);
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0], (V{a, b, c, d, e}));  // a's thread (4) and e (1) fit in 5
    EXPECT_EQ(all[1], (V{f, g, h, i}));
    ASSERT_EQ(forward(100).size(), 1u);
    EXPECT_EQ(forward(100)[0], (V{a, b, c, d, e, f, g, h, i}));
    // The next page of the first starts with f, and says comments come before it.
    auto second = pages.starting_at(post_id, f, 5);
    ASSERT_TRUE(second);
    EXPECT_EQ(second->earlier, f);
    EXPECT_FALSE(second->next);
    EXPECT_EQ(second->more_in_thread, 0u);
    EXPECT_EQ(pages.shown_count(post_id), 9);
}

TEST_F(CommentPagesTest, AThreadLargerThanAPageIsCutAndCarriedOn) {
    auto a = add({});
    auto b = add({});  // b's thread: 7 answers, nested three deep
    auto b1 = add(b), b2 = add(b1), b3 = add(b2), b4 = add(b1), b5 = add(b), b6 = add(b5), b7 = add(b);
    auto c = add({});
    using V = std::vector<std::int64_t>;
    auto all = forward(4);
    ASSERT_EQ(all.size(), 4u);
    EXPECT_EQ(all[0], (V{a}));  // b's thread does not fit beside a: it opens the next page
    EXPECT_EQ(all[1], (V{b, b1, b2, b3}));
    EXPECT_EQ(all[2], (V{b4, b5, b6, b7}));  // carried on inside b's thread, at b1's answer
    EXPECT_EQ(all[3], (V{c}));

    auto cut = pages.starting_at(post_id, b, 4);
    ASSERT_TRUE(cut);
    EXPECT_EQ(cut->next, b4);
    EXPECT_EQ(cut->more_in_thread, 4u);  // b4, b5, b6, b7
    EXPECT_FALSE(cut->more_in_thread_bounded);
    auto carried = pages.starting_at(post_id, b4, 4);
    ASSERT_TRUE(carried);
    EXPECT_EQ(carried->earlier, b4);  // mid-thread: something always comes before
    EXPECT_EQ(carried->next, c);
    EXPECT_EQ(carried->more_in_thread, 0u);  // c is a new thread
}

TEST_F(CommentPagesTest, GoingBackwardCoversTheSameCommentsOnce) {
    std::vector<std::int64_t> order;
    for (int t = 0; t < 6; ++t) {
        auto top = add({});
        order.push_back(top);
        for (int r = 0; r < t; ++r) {  // thread t has t answers, the last nested under the first
            auto answer = add(r == 2 ? std::optional(order[order.size() - 2]) : std::optional(top));
            order.push_back(answer);
        }
    }
    // Reference: the forward walk with a page big enough for everything.
    auto whole = forward(1000);
    ASSERT_EQ(whole.size(), 1u);
    for (std::size_t cap : {1u, 2u, 3u, 4u, 7u, 30u}) {
        SCOPED_TRACE("cap " + std::to_string(cap));
        std::vector<std::int64_t> forward_seen;
        for (const auto& page : forward(cap)) forward_seen.insert(forward_seen.end(), page.begin(), page.end());
        EXPECT_EQ(forward_seen, whole[0]);

        // From the end back to the start with `before`: the last page of a forward walk has no next, so start
        // backward from its last comment's page and prepend.
        auto last = pages.starting_at(post_id, whole[0].back(), cap);
        ASSERT_TRUE(last);
        std::vector<std::int64_t> backward_seen = ids(*last);
        std::optional<std::int64_t> before = last->earlier;
        while (before) {
            auto page = pages.ending_before(post_id, *before, cap);
            ASSERT_TRUE(page);
            EXPECT_LE(page->comments.size(), cap);
            EXPECT_EQ(page->next, before);
            auto got = ids(*page);
            backward_seen.insert(backward_seen.begin(), got.begin(), got.end());
            before = page->earlier;
        }
        EXPECT_EQ(backward_seen, whole[0]);
    }
}

TEST_F(CommentPagesTest, WhatReadersMayNotSeeTakesNoPlace) {
    auto a = add({});
    auto held = add({}, "held");
    add(held);                                      // under a held comment: not shown
    auto hidden = add(a, "hidden");
    add(hidden);                                    // under a hidden one: not shown
    add(a, "approved", "private");                  // followers-only
    auto gone_alone = add({}, "approved", "public", true);  // deleted, nothing below: no placeholder
    add(gone_alone, "held");
    auto gone = add({}, "approved", "public", true);  // deleted, an answer below through another deleted one
    auto gone2 = add(gone, "approved", "public", true);
    auto kept = add(gone2);
    auto b = add({});
    using V = std::vector<std::int64_t>;
    EXPECT_EQ(forward(100)[0], (V{a, gone, gone2, kept, b}));
    EXPECT_EQ(pages.shown_count(post_id), 3);  // placeholders are not counted
    // Cursors at comments readers do not see are refused, as are those of other posts and unknown ids.
    EXPECT_FALSE(pages.starting_at(post_id, held, 10));
    EXPECT_FALSE(pages.starting_at(post_id, hidden + 1, 10));
    EXPECT_FALSE(pages.starting_at(post_id, gone_alone, 10));
    EXPECT_FALSE(pages.starting_at(post_id, 999999, 10));
    EXPECT_FALSE(pages.ending_before(post_id, held, 10));
    auto foreign = add({}, "approved", "public", false, other_post);
    EXPECT_FALSE(pages.starting_at(post_id, foreign, 10));
    EXPECT_FALSE(pages.ending_before(post_id, foreign, 10));
    // Nothing comes before the first comment.
    EXPECT_FALSE(pages.ending_before(post_id, a, 10));
    EXPECT_TRUE(pages.starting_at(post_id, kept, 10));
}

TEST_F(CommentPagesTest, ADeepChainIsWalkedWithoutRecursionInCpp) {
    std::optional<std::int64_t> parent;
    std::int64_t first = 0;
    for (int i = 0; i < 3000; ++i) {
        parent = add(parent);
        if (i == 0) first = *parent;
    }
    auto tail = add({});
    auto page = pages.starting_at(post_id, std::nullopt, 100);
    ASSERT_TRUE(page);
    EXPECT_EQ(page->comments.size(), 100u);
    EXPECT_EQ(page->comments.front().id, first);
    EXPECT_EQ(page->more_in_thread, more_replies_bound);  // 2,900 more: counted up to the bound
    EXPECT_TRUE(page->more_in_thread_bounded);
    auto last = pages.starting_at(post_id, *parent, 100);  // the bottom of the chain climbs back to `tail`
    ASSERT_TRUE(last);
    EXPECT_EQ(ids(*last), (std::vector<std::int64_t>{*parent, tail}));
    EXPECT_EQ(pages.ancestors(*parent, 5).size(), 5u);
    EXPECT_EQ(pages.ancestors(*parent, 5).front().id, *parent - 1);
    EXPECT_EQ(pages.shown_count(post_id), 3001);
}

TEST_F(CommentPagesTest, TheStatementsSeekAndNeverScanTheCommentsTable) {
    // A scan of `comments` is what would grow with the thread: every read is a seek (by id or in an index).
    for (const char* statement : CommentPages::statements()) {
        SQLite::Statement plan(db.sqlite(), std::string("EXPLAIN QUERY PLAN ") + statement);
        std::string steps;
        bool thread_index = false;
        while (plan.executeStep()) {
            std::string step = plan.getColumn(3).getString();
            steps += step + "\n";
            if (step.find("comments_thread") != std::string::npos) thread_index = true;
            if (step.starts_with("SCAN ")) {
                std::string name = step.substr(5, step.find(' ', 5) - 5);
                EXPECT_TRUE(name == "walk" || name == "w" || name == "gone" || name == "g" || name == "up" ||
                            name == "t" || name == "CONSTANT")
                    << step << " in\n" << statement;
            }
        }
        if (std::string_view(statement).find("k.parent_id") != std::string_view::npos) {
            EXPECT_TRUE(thread_index) << steps;
        }
    }
}

}  // namespace
