// A busy post's thread a page at a time over real HTTP: 1,000 comments in a real SQLite file, nested, some held,
// hidden, private or deleted; the post page, the comments API and the embed each serve at most
// comments_per_page of them, and following their links reaches every comment readers see exactly once, in
// thread order, with every answer after what it answers. Bad page parameters get 400 or 404.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <regex>
#include <set>

#include "activitypub/delivery/owner_answers.hpp"
#include "store/comments.hpp"
#include "store/transaction.hpp"
#include "tests/server/server_fixture.hpp"
#include "web/thread.hpp"

using namespace fedblog;
using namespace fedblog::testing;
using nlohmann::json;

namespace {

constexpr unsigned cap = 40;

class ThreadPages : public ServerFixture {
protected:
    void SetUp() override {
        settings.comments_per_page = cap;
        write_post("bonjour.md", "title: Bonjour\ndate: 2026-11-01\n", "Premier billet.\n");
        write_post("grand-fil.md", "title: Grand fil\ndate: 2026-11-02\n", "Un seul fil, très long.\n");
        start();
    }

    std::int64_t post_id(const std::string& slug) { return site->current()->catalog.find(slug)->id; }

    std::int64_t add(store::Comments& comments, const std::string& slug, std::optional<std::int64_t> parent,
                     const std::string& state = "approved", const std::string& visibility = "public", bool deleted = false) {
        ++clock;
        store::Comment c;
        c.object_id = "https://m.example/statuses/" + std::to_string(clock);
        c.post_id = post_id(slug);
        c.parent_id = parent;
        c.actor_id = "https://m.example/users/u" + std::to_string(clock % 17);
        c.url = "https://m.example/@u/" + std::to_string(clock);
        c.content_html = "<p>Réponse " + std::to_string(clock) + "</p>";
        c.state = state;
        c.visibility = visibility;
        if (deleted) c.deleted = clock;
        c.published = clock;
        c.received_at = clock;
        return *comments.insert(c);
    }

    // 1,000 comments: new threads and answers to random earlier comments, some of them not for readers.
    void busy_thread() {
        auto& db = app->database();
        store::WriteTransaction transaction(db);
        store::Comments comments(db);
        std::mt19937 random(7);
        std::vector<std::int64_t> ids;
        for (int i = 0; i < 1000; ++i) {
            std::optional<std::int64_t> parent;
            if (!ids.empty() && random() % 4 != 0) parent = ids[random() % ids.size()];
            int roll = static_cast<int>(random() % 40);
            std::string state = roll == 0 ? "held" : roll == 1 ? "hidden" : "approved";
            std::string visibility = roll == 2 ? "private" : "public";
            ids.push_back(add(comments, "bonjour", parent, state, visibility, roll == 3 || roll == 4));
        }
        transaction.commit();
    }

    // What readers see, in thread order: the unbounded reference (the whole thread and visible_entries).
    std::vector<std::string> reference(const std::string& slug, std::map<std::string, std::string>* parents = nullptr) {
        web::SiteView view{site->current()->settings, site->current()->ids, site->current()->catalog};
        auto thread = web::load_thread(app->database(), view, post_id(slug));
        std::map<std::int64_t, std::string> object_ids;
        for (const auto& e : thread) object_ids[e.comment.id] = e.comment.object_id;
        std::vector<std::string> order;
        for (const web::ThreadEntry* e : web::visible_entries(thread)) {
            order.push_back(e->comment.object_id);
            if (parents && e->comment.parent_id) (*parents)[e->comment.object_id] = object_ids[*e->comment.parent_id];
        }
        return order;
    }

    // Follows `next` from the first page of the API, checking each page's size.
    std::vector<json> api_pages(const std::string& slug) {
        std::vector<json> pages;
        std::string target = "/api/posts/" + slug + "/comments";
        for (int guard = 0; guard < 1000; ++guard) {
            auto reply = client().get(target);
            EXPECT_EQ(reply.result_int(), 200) << target << ": " << reply.body();
            if (reply.result_int() != 200) break;
            pages.push_back(json::parse(reply.body()));
            EXPECT_LE(pages.back()["comments"].size(), cap);
            if (pages.back()["next"].is_null()) break;
            std::string next = pages.back()["next"];
            EXPECT_TRUE(next.starts_with(url("/api/posts/" + slug + "/comments?from="))) << next;
            target = next.substr(settings.public_url.size());
        }
        return pages;
    }

    std::int64_t clock = 1'800'000'000;
};

TEST_F(ThreadPages, TheApiReachesEveryCommentOnceInThreadOrderAcrossPages) {
    busy_thread();
    std::map<std::string, std::string> parents;
    const auto expected = reference("bonjour", &parents);
    ASSERT_GT(expected.size(), 500u);  // what held, hidden and private comments take with them is gone

    auto pages = api_pages("bonjour");
    ASSERT_GT(pages.size(), expected.size() / cap);
    std::vector<std::string> seen;
    std::set<std::string> before;
    std::size_t shown = 0;
    for (const auto& page : pages) {
        EXPECT_EQ(page["counts"]["comments"], pages[0]["counts"]["comments"]);  // the whole thread's, on every page
        for (const auto& c : page["comments"]) {
            // The parent is named even when it is on an earlier page, and always came before.
            if (parents.contains(c["id"])) {
                EXPECT_EQ(c["parent"], parents[c["id"]]);
                EXPECT_TRUE(before.contains(c["parent"])) << c["id"];
            } else {
                EXPECT_TRUE(c["parent"].is_null());
            }
            if (!c["deleted"].get<bool>()) ++shown;
            before.insert(c["id"]);
            seen.push_back(c["id"]);
        }
    }
    EXPECT_EQ(seen, expected);
    EXPECT_EQ(pages[0]["counts"]["comments"], shown);
    EXPECT_TRUE(pages[0]["prev"].is_null());

    // Backward from the last page with `prev`: the same comments, once each.
    std::vector<std::string> backward;
    json page = pages.back();
    for (int guard = 0; guard < 1000; ++guard) {
        std::vector<std::string> here;
        for (const auto& c : page["comments"]) here.push_back(c["id"]);
        backward.insert(backward.begin(), here.begin(), here.end());
        if (page["prev"].is_null()) break;
        auto reply = client().get(page["prev"].get<std::string>().substr(settings.public_url.size()));
        ASSERT_EQ(reply.result_int(), 200);
        page = json::parse(reply.body());
        EXPECT_LE(page["comments"].size(), cap);
        EXPECT_FALSE(page["next"].is_null());
    }
    EXPECT_EQ(backward, expected);
}

TEST_F(ThreadPages, ThePostPageLinksItsPagesAndNeverShowsMoreThanAPage) {
    busy_thread();
    const auto expected = reference("bonjour");
    std::map<std::string, std::int64_t> row_of;  // object id → row id, to read the page's anchors
    for (const auto& c : store::Comments(app->database()).for_post(post_id("bonjour"))) row_of[c.object_id] = c.id;

    const std::regex anchor(R"re(<article class="comment[^"]*" id="commentaire-(\d+)")re");
    const std::regex next_link(R"re(<a rel="next" href="([^"]*)">)re");
    std::vector<std::int64_t> seen;
    std::string target = "/posts/bonjour";
    int pages = 0;
    for (; pages < 1000; ++pages) {
        auto reply = client().get(target);
        ASSERT_EQ(reply.result_int(), 200) << target;
        const std::string& body = reply.body();
        std::size_t here = 0;
        for (auto it = std::sregex_iterator(body.begin(), body.end(), anchor); it != std::sregex_iterator(); ++it, ++here)
            seen.push_back(std::stoll((*it)[1]));
        EXPECT_LE(here, cap);
        if (pages > 0) {
            EXPECT_NE(body.find(R"(<a rel="prev" href="?before=)"), std::string::npos) << target;
        }
        std::smatch next;
        if (!std::regex_search(body, next, next_link)) break;
        std::string href = next[1];
        EXPECT_TRUE(href.starts_with("?from=") && href.ends_with("#commentaires")) << href;
        target = "/posts/bonjour" + href.substr(0, href.find('#'));
    }
    EXPECT_GT(pages, 10);
    std::vector<std::int64_t> want;
    for (const auto& id : expected) want.push_back(row_of.at(id));
    EXPECT_EQ(seen, want);
}

TEST_F(ThreadPages, AThreadLargerThanAPageIsCutWithALinkToTheRest) {
    auto& db = app->database();
    std::int64_t first_cut = 0;
    {
        store::WriteTransaction transaction(db);
        store::Comments comments(db);
        auto top = add(comments, "grand-fil", {});
        // 99 answers: a flat list under the top comment, with the tenth answered in turn.
        std::int64_t tenth = 0;
        for (int i = 0; i < 99; ++i) {
            auto id = add(comments, "grand-fil", i >= 50 && i < 60 ? std::optional(tenth) : std::optional(top));
            if (i == 9) tenth = id;
        }
        transaction.commit();
    }
    auto first = client().get("/posts/grand-fil");
    ASSERT_EQ(first.result_int(), 200);
    const std::string& body = first.body();
    // 40 on the page, 60 carried on: "60 autres réponses dans ce fil →" links to where it goes on.
    EXPECT_NE(body.find("60 autres réponses dans ce fil"), std::string::npos) << body;
    std::smatch more;
    ASSERT_TRUE(std::regex_search(body, more, std::regex(R"re(<p class="more-replies"><a href="\?from=(\d+)#commentaire-(\d+)">)re")));
    EXPECT_EQ(more[1], more[2]);
    first_cut = std::stoll(more[1]);

    // The next page opens inside the thread: its first answers sit under a reminder of what they answer,
    // which links back and holds no anchor of its own.
    auto carried = client().get("/posts/grand-fil?from=" + std::to_string(first_cut));
    ASSERT_EQ(carried.result_int(), 200);
    EXPECT_NE(carried.body().find(R"(<article class="comment context">)"), std::string::npos);
    EXPECT_NE(carried.body().find("plus haut dans le fil"), std::string::npos);
    EXPECT_LT(carried.body().find(R"(<article class="comment context">)"),
              carried.body().find("id=\"commentaire-" + std::to_string(first_cut) + "\""));

    auto api = api_pages("grand-fil");
    ASSERT_EQ(api.size(), 3u);  // 100 comments: 40, 40, 20
    EXPECT_EQ(api[0]["counts"]["comments"], 100);
    EXPECT_EQ(api[1]["comments"][0]["parent"].is_null(), false);  // carried on: parents from the earlier page
}

TEST_F(ThreadPages, BadPageParametersAreRefusedClearly) {
    std::int64_t held = 0, shown = 0;
    {
        auto& db = app->database();
        store::WriteTransaction transaction(db);
        store::Comments comments(db);
        shown = add(comments, "bonjour", {});
        held = add(comments, "bonjour", {}, "held");
        transaction.commit();
    }
    for (std::string base : {"/posts/bonjour", "/api/posts/bonjour/comments", "/embed/bonjour"}) {
        SCOPED_TRACE(base);
        for (std::string query : {"?from=abc", "?from=0", "?from=-3", "?from=%2B3", "?from=", "?before=1x",
                                  "?from=99999999999999999999", "?from=1&from=2", "?from=1&before=2"})
            EXPECT_EQ(client().get(base + query).result_int(), 400) << query;
        // Well-formed, but no comment readers see: not found.
        for (std::string query : {std::string("?from=") + std::to_string(held), "?before=" + std::to_string(held), std::string("?from=987654"),
                                  "?before=" + std::to_string(shown)})  // nothing comes before the first
            EXPECT_EQ(client().get(base + query).result_int(), 404) << query;
        EXPECT_EQ(client().get(base + "?from=" + std::to_string(shown)).result_int(), 200);
        EXPECT_EQ(client().get(base + "?utm_source=x").result_int(), 200);  // other parameters are left alone
    }
    auto error = client().get("/api/posts/bonjour/comments?from=abc");
    EXPECT_EQ(json::parse(error.body())["error"], "from must be one comment id (a positive whole number)");
}

TEST_F(ThreadPages, TheEmbedPagesStayInTheFrame) {
    busy_thread();
    auto page = client().get("/embed/bonjour");
    ASSERT_EQ(page.result_int(), 200);
    std::smatch next;
    const std::string& body = page.body();
    ASSERT_TRUE(std::regex_search(body, next, std::regex(R"re(<a rel="next" href="(\?from=\d+)" target="_self">)re")))
        << body;
    std::size_t anchors = 0;
    for (std::size_t at = body.find("id=\"commentaire-"); at != std::string::npos; at = body.find("id=\"commentaire-", at + 1))
        ++anchors;
    EXPECT_LE(anchors, cap);
    auto second = client().get("/embed/bonjour" + std::string(next[1]));
    EXPECT_EQ(second.result_int(), 200);
    EXPECT_NE(second.body().find(R"(<a rel="prev" href="?before=)"), std::string::npos);
}

// The owner's answers have ids of their own (/comments/<n>); a browser following one lands on the page where
// the answer sits today, which in a long thread is not the first.
TEST_F(ThreadPages, AnAnswersOwnAddressLeadsBrowsersToThePageItIsOn) {
    std::vector<std::int64_t> threads;
    {
        auto& db = app->database();
        store::WriteTransaction transaction(db);
        store::Comments comments(db);
        for (unsigned i = 0; i < 2 * cap; ++i) threads.push_back(add(comments, "grand-fil", std::nullopt));
        transaction.commit();
    }
    const auto& current = *site->current();
    auto answer = [&](std::int64_t comment) {
        auto outcome = activitypub::delivery::answer_comment(app->database(), current.settings, current.ids, comment,
                                                             "<p>Merci !</p>", ++clock);
        EXPECT_TRUE(outcome.answer) << outcome.error;
        return outcome.answer ? outcome.answer->id : 0;
    };
    const std::int64_t early = answer(threads[1]);
    const std::int64_t late = answer(threads[2 * cap - 2]);

    auto location = [&](std::int64_t n) {
        auto response = client().get("/comments/" + std::to_string(n));
        EXPECT_EQ(response.result_int(), 302);
        return std::string(response[boost::beast::http::field::location]);
    };
    EXPECT_EQ(location(early), url("/posts/grand-fil#commentaire-" + std::to_string(early)));
    const std::string to_late = location(late);
    EXPECT_EQ(to_late, url("/posts/grand-fil?from=" + std::to_string(late) + "#commentaire-" + std::to_string(late)));
    auto page = client().get(to_late.substr(url("").size(), to_late.find('#') - url("").size()));
    ASSERT_EQ(page.result_int(), 200);
    EXPECT_NE(page.body().find("id=\"commentaire-" + std::to_string(late) + "\""), std::string::npos);
}

}  // namespace
