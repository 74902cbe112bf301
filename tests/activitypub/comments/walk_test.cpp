// The bounds every conversation walk runs within, and the rule that decides which origin vouches for a reply.
#include "activitypub/comments/fetched_reply.hpp"

#include <gtest/gtest.h>

using namespace fedblog::activitypub::comments;
using nlohmann::json;

namespace {

struct FakeClock {
    std::chrono::steady_clock::time_point now{};
    WalkBudget::Clock clock() {
        return [this] { return now; };
    }
};

TEST(WalkBudget, CountsFetchesUpToTheLimit) {
    FakeClock time;
    WalkBudget budget(WalkLimits{.max_depth = 8, .max_fetches = 3, .max_replies = 10, .max_pages = 2,
                                 .time_budget = std::chrono::seconds(10)},
                      time.clock());
    EXPECT_TRUE(budget.take_fetch());
    EXPECT_TRUE(budget.take_fetch());
    EXPECT_TRUE(budget.take_fetch());
    EXPECT_EQ(budget.exhausted(), "");
    EXPECT_FALSE(budget.take_fetch());
    EXPECT_FALSE(budget.take_fetch());
    EXPECT_EQ(budget.fetches(), 3);
    EXPECT_EQ(budget.exhausted(), "fetches");
    EXPECT_TRUE(budget.spent());
}

TEST(WalkBudget, StopsWhenTheTimeIsUpWhateverIsLeft) {
    FakeClock time;
    WalkBudget budget(WalkLimits{.max_depth = 8, .max_fetches = 100, .max_replies = 10, .max_pages = 2,
                                 .time_budget = std::chrono::seconds(10)},
                      time.clock());
    EXPECT_TRUE(budget.take_fetch());
    time.now += std::chrono::milliseconds(9999);
    EXPECT_FALSE(budget.spent());
    time.now += std::chrono::milliseconds(1);
    EXPECT_TRUE(budget.spent());
    EXPECT_FALSE(budget.take_fetch());
    EXPECT_EQ(budget.fetches(), 1);
    EXPECT_EQ(budget.exhausted(), "time");
}

TEST(WalkBudget, NamesEachBoundReachedOnceInOrder) {
    FakeClock time;
    WalkBudget budget(WalkLimits{.max_depth = 8, .max_fetches = 1, .max_replies = 10, .max_pages = 2,
                                 .time_budget = std::chrono::seconds(10)},
                      time.clock());
    budget.exhaust("depth");
    budget.exhaust("pages");
    budget.exhaust("depth");
    EXPECT_TRUE(budget.take_fetch());
    EXPECT_FALSE(budget.take_fetch());
    EXPECT_EQ(budget.exhausted(), "depth, pages, fetches");
}

json note(const std::string& id, const std::string& author) {
    return {{"id", id}, {"type", "Note"}, {"attributedTo", author}, {"inReplyTo", "https://blog.example/posts/a"},
            {"content", "<p>x</p>"}};
}

TEST(ReadReply, BelievesAReplyOnlyFromTheOriginOfItsIdAndAuthor) {
    const std::string page = "https://m.example/users/a/statuses/1/replies?page=1";
    auto read = read_reply(note("https://m.example/users/b/statuses/2", "https://m.example/users/b"), page);
    ASSERT_TRUE(std::holds_alternative<FetchedReply>(read));
    const auto& reply = std::get<FetchedReply>(read);
    EXPECT_EQ(reply.id, "https://m.example/users/b/statuses/2");
    EXPECT_EQ(reply.author, "https://m.example/users/b");
    EXPECT_EQ(reply.in_reply_to, "https://blog.example/posts/a");

    // Another host, another port, another scheme: another origin.
    for (const char* id : {"https://evil.example/notes/2", "https://m.example:8443/notes/2", "http://m.example/notes/2"}) {
        auto refused = read_reply(note(id, "https://m.example/users/b"), page);
        ASSERT_TRUE(std::holds_alternative<ReplyRefused>(refused)) << id;
        EXPECT_FALSE(std::get<ReplyRefused>(refused).unavailable);
    }
    EXPECT_TRUE(std::holds_alternative<ReplyRefused>(
        read_reply(note("https://m.example/notes/2", "https://evil.example/users/b"), page)));
    // The author given as an object counts by its id.
    json embedded_author = note("https://m.example/notes/2", "");
    embedded_author["attributedTo"] = {{"id", "https://m.example/users/b"}, {"type", "Person"}};
    EXPECT_TRUE(std::holds_alternative<FetchedReply>(read_reply(embedded_author, page)));
}

TEST(ReadReply, RefusesWhatIsNotAPost) {
    const std::string page = "https://m.example/c";
    json person = note("https://m.example/users/b", "https://m.example/users/b");
    person["type"] = "Person";
    EXPECT_TRUE(std::holds_alternative<ReplyRefused>(read_reply(person, page)));
    EXPECT_TRUE(std::holds_alternative<ReplyRefused>(read_reply(json("https://m.example/notes/2"), page)));
    json untyped = note("https://m.example/notes/2", "https://m.example/users/b");
    untyped.erase("type");
    EXPECT_TRUE(std::holds_alternative<ReplyRefused>(read_reply(untyped, page)));
    json no_author = note("https://m.example/notes/2", "https://m.example/users/b");
    no_author.erase("attributedTo");
    EXPECT_TRUE(std::holds_alternative<ReplyRefused>(read_reply(no_author, page)));
}

}  // namespace
