// The whole conversation, over real sockets: a loopback TLS "remote instance" serves notes, actors and paged
// collections; replies whose parents the blog lacks pull their ancestors in, and replies never delivered are
// found through `replies` collections and FEP-7888 contexts, within bounds, believed only from their origins.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

#include "server/federation.hpp"
#include "store/comments.hpp"
#include "store/posts.hpp"
#include "store/remote_actors.hpp"
#include "tests/server/server_fixture.hpp"
#include "tests/support/fake_instance.hpp"

using namespace fedblog;
using fedblog::testing::FakeInstance;
using nlohmann::json;

namespace {

class ConversationTest : public fedblog::testing::ServerFixture {
protected:
    ConversationTest() : remote(ca, {"remote.test", "other.test"}) {
        auto tuning = fedblog::testing::loopback_federation(ca.certificate_pem(), remote.hosts());
        tuning.backfill_every = std::chrono::seconds(0);  // only when a test asks
        federation_tuning = tuning;
        write_post("bonjour.md", "title: Bonjour\ndate: 2026-11-01\n", "Premier billet.\n");
    }

    void start_blog() {
        start();
        remote.trust_blog_key(url("/users/blog") + "#main-key", app->key().public_pem());
        post = url("/posts/bonjour");
    }

    // The Create of a note served by the remote instance, signed by its author.
    fedblog::testing::Reply deliver(const std::string& note_id) {
        json note = remote.document_at(note_id);
        json create = {{"@context", "https://www.w3.org/ns/activitystreams"},
                       {"id", note_id + "/activity"},
                       {"type", "Create"},
                       {"actor", note["attributedTo"]},
                       {"object", note}};
        return remote.post_signed(port, "/inbox", create, note["attributedTo"].get<std::string>() + "#main-key");
    }

    // object id → the object id of its parent comment ("" for a reply to the post), for one post.
    std::map<std::string, std::string> thread(const std::string& slug = "bonjour") {
        auto found = store::Posts(app->database()).find_by_slug(slug);
        std::map<std::int64_t, std::string> by_id;
        auto comments = store::Comments(app->database()).for_post(found->id);
        for (const auto& comment : comments) by_id[comment.id] = comment.object_id;
        std::map<std::string, std::string> parents;
        for (const auto& comment : comments) parents[comment.object_id] = comment.parent_id ? by_id[*comment.parent_id] : "";
        return parents;
    }

    // A chain of `depth` notes by distinct actors, each answering the one before, the first our `post_url`.
    std::vector<std::string> chain(const std::string& post_url, int depth, const std::string& prefix) {
        std::vector<std::string> ids;
        for (int i = 1; i <= depth; ++i) {
            std::string author = remote.add_actor(prefix + std::to_string(i));
            ids.push_back(remote.add_note(author, "1", ids.empty() ? post_url : ids.back(),
                                          "<p>Niveau " + std::to_string(i) + "</p>"));
        }
        return ids;
    }

    void expect_nested(const std::vector<std::string>& ids, const std::string& slug = "bonjour") {
        auto parents = thread(slug);
        ASSERT_EQ(parents.size(), ids.size());
        for (std::size_t i = 0; i < ids.size(); ++i) {
            ASSERT_TRUE(parents.contains(ids[i])) << ids[i] << " is missing";
            EXPECT_EQ(parents[ids[i]], i == 0 ? "" : ids[i - 1]) << ids[i];
        }
    }

    fedblog::testing::TestCa ca;
    FakeInstance remote;
    std::string post;
};

TEST_F(ConversationTest, ADeepReplyArrivingFirstBringsItsWholeChain) {
    start_blog();
    auto ids = chain(post, 5, "deep");
    auto answer = deliver(ids.back());
    EXPECT_EQ(answer.result_int(), 202) << answer.body();
    EXPECT_NE(answer.body().find("comment_"), std::string::npos) << answer.body();
    expect_nested(ids);
    // Each ancestor's author is cached for the thread (name and avatar), though none of them signed anything.
    auto author = store::RemoteActors(app->database()).find(remote.actor_id("deep1"));
    ASSERT_TRUE(author);
    EXPECT_EQ(author->display_name, "Display deep1");
    // The rest of the thread, delivered late, is already there.
    for (auto it = ids.rbegin() + 1; it != ids.rend(); ++it)
        EXPECT_NE(deliver(*it).body().find("duplicate_object"), std::string::npos);
    expect_nested(ids);
    EXPECT_EQ(remote.fetch_count(ids[0]), 1u) << "each ancestor is fetched once";
}

TEST_F(ConversationTest, AThreadDeliveredInAnyOrderEndsUpCompleteAndNested) {
    write_post("deux.md", "title: Deux\ndate: 2026-11-02\n", "Deuxième.\n");
    write_post("trois.md", "title: Trois\ndate: 2026-11-03\n", "Troisième.\n");
    start_blog();
    int seed = 0;
    for (const std::string slug : {"bonjour", "deux", "trois"}) {
        auto ids = chain(url("/posts/" + slug), 5, slug + "-");
        std::vector<std::string> order = ids;
        std::shuffle(order.begin(), order.end(), std::mt19937(++seed));
        for (const auto& id : order) {
            auto answer = deliver(id);
            ASSERT_EQ(answer.result_int(), 202) << answer.body();
            EXPECT_EQ(answer.body().find("ignored"), std::string::npos) << id << ": " << answer.body();
        }
        expect_nested(ids, slug);
    }
}

TEST_F(ConversationTest, AChainLongerThanTheBoundsIsNotStored) {
    start_blog();
    auto ids = chain(post, 10, "far");  // nine ancestors to fetch: one more than the depth bound
    auto answer = deliver(ids.back());
    EXPECT_EQ(answer.result_int(), 202);
    EXPECT_NE(answer.body().find("ignored"), std::string::npos) << answer.body();
    EXPECT_TRUE(thread().empty());
    EXPECT_EQ(remote.fetch_count(ids[0]), 0u) << "the walk stopped before the top";
    EXPECT_EQ(remote.fetch_count(ids[1]), 1u) << "eight ancestors were fetched";
}

TEST_F(ConversationTest, AnAncestorIsBelievedOnlyAsItsOwnOriginServesIt) {
    start_blog();
    std::string mallory = remote.add_actor("mallory", "other.test");
    std::string bob = remote.add_actor("bob");
    // other.test serves, at a URL of its own, a note that claims to be alice's on remote.test.
    const std::string forged_url = remote.origin("other.test") + "/notes/1";
    remote.set_document_at(forged_url, FakeInstance::note(remote.actor_id("alice"), remote.actor_id("alice"), post,
                                                          "<p>Forged words for alice</p>"));
    std::string reply = remote.add_note(bob, "1", forged_url, "<p>Answer to a forgery</p>");
    EXPECT_NE(deliver(reply).body().find("ignored"), std::string::npos);
    // Same id as the URL this time, but the author is on another origin.
    const std::string borrowed_url = remote.origin("other.test") + "/notes/2";
    remote.set_document_at(borrowed_url, FakeInstance::note(borrowed_url, remote.actor_id("alice"), post, "<p>Borrowed</p>"));
    std::string second = remote.add_note(bob, "2", borrowed_url, "<p>Answer to a borrowed author</p>");
    EXPECT_NE(deliver(second).body().find("ignored"), std::string::npos);
    EXPECT_TRUE(thread().empty());
    // A genuine one from that origin goes through.
    std::string genuine = remote.add_note(mallory, "3", post, "<p>Genuine</p>");
    std::string third = remote.add_note(bob, "3", genuine, "<p>Answer</p>");
    EXPECT_NE(deliver(third).body().find("comment_"), std::string::npos);
    expect_nested({genuine, third});
}

TEST_F(ConversationTest, AnAncestorWhoseServerFailsNowAsksTheSenderToRetry) {
    start_blog();
    std::string bob = remote.add_actor("bob");
    // Nothing listens on port 1: the connection is refused, which may pass.
    std::string reply = remote.add_note(bob, "1", "https://remote.test:1/notes/1", "<p>Answer</p>");
    auto answer = deliver(reply);
    EXPECT_EQ(answer.result_int(), 503) << answer.body();
    EXPECT_NE(answer.body().find("ancestors_unavailable"), std::string::npos) << answer.body();
    EXPECT_TRUE(thread().empty());
}

// alice's comment is delivered; carol's answer to it, dave's and erin's answers to carol's never are.
TEST_F(ConversationTest, BackfillFindsRepliesNeverDeliveredThroughRepliesCollections) {
    start_blog();
    std::string alice = remote.add_actor("alice");
    std::string carol = remote.add_actor("carol");
    std::string dave = remote.add_actor("dave");
    std::string erin = remote.add_actor("erin", "other.test");
    std::string frank = remote.add_actor("frank", "other.test");
    std::string first = remote.add_note(alice, "1", post, "<p>Bravo</p>", {{"replies", alice + "/statuses/1/replies"}});
    ASSERT_NE(deliver(first).body().find("comment_"), std::string::npos);

    std::string answer = remote.add_note(carol, "2", first, "<p>Oui</p>");
    remote.add_collection(first + "/replies", {answer, alice + "/statuses/404"});
    // dave's note is embedded in carol's replies (same origin: believed as served); erin's, on other.test, is
    // listed on page 2 by id; frank's is embedded by remote.test with words other.test never served.
    json daves = FakeInstance::note(dave + "/statuses/3", dave, answer, "<p>Dave, embedded</p>");
    std::string erins = remote.add_note(erin, "4", answer, "<p>Erin, by id</p>");
    std::string franks = remote.add_note(frank, "5", answer, "<p>Frank, as written</p>");
    json forged_frank = FakeInstance::note(franks, frank, answer, "<p>Frank, forged by remote.test</p>");
    json off_topic = FakeInstance::note(dave + "/statuses/9", dave, post, "<p>Not an answer to carol</p>");
    // An author whose actor its server does not serve: the reply is left out.
    json ghosts = FakeInstance::note(remote.actor_id("ghost") + "/statuses/6", remote.actor_id("ghost"), answer,
                                     "<p>Nobody</p>");
    remote.add_collection(answer + "/replies", {daves, off_topic, erins, forged_frank, ghosts}, 2);
    json carols = remote.document_at(answer);
    carols["replies"] = answer + "/replies";
    remote.set_document_at(answer, carols);

    auto report = federation->backfill("bonjour");
    ASSERT_TRUE(report);
    EXPECT_EQ(report->comments, 1);
    EXPECT_EQ(report->added + report->held, 4) << server::format_backfill_report(*report);
    EXPECT_TRUE(report->bounds.empty()) << report->bounds;
    EXPECT_EQ(report->left_out, 1) << "the ghost's reply";
    auto parents = thread();
    EXPECT_EQ(parents[answer], first);
    EXPECT_EQ(parents[dave + "/statuses/3"], answer);
    EXPECT_EQ(parents[erins], answer);
    EXPECT_EQ(parents[franks], answer);
    EXPECT_FALSE(parents.contains(dave + "/statuses/9")) << "a replies collection vouches only for answers to its object";
    auto frank_comment = store::Comments(app->database()).find_by_object_id(franks);
    ASSERT_TRUE(frank_comment);
    EXPECT_NE(frank_comment->content_html.find("Frank, as written"), std::string::npos) << frank_comment->content_html;
    EXPECT_EQ(remote.fetch_count(dave + "/statuses/3"), 0u) << "embedded on its own origin: not fetched again";
    EXPECT_TRUE(store::RemoteActors(app->database()).find(erin)) << "authors are cached";

    // A second run finds nothing new and changes nothing.
    auto again = federation->backfill("bonjour");
    ASSERT_TRUE(again);
    EXPECT_EQ(again->added + again->held, 0);
    EXPECT_EQ(thread().size(), 5u);
    EXPECT_FALSE(federation->backfill("no-such-post"));
}

TEST_F(ConversationTest, BackfillReadsAFep7888ContextInsteadOfWalkingReplies) {
    start_blog();
    std::string alice = remote.add_actor("alice");
    std::string carol = remote.add_actor("carol");
    std::string dave = remote.add_actor("dave");
    const std::string context = remote.origin() + "/contexts/42";
    std::string first = remote.add_note(alice, "1", post, "<p>Bravo</p>",
                                        {{"context", context}, {"replies", alice + "/statuses/1/replies"}});
    ASSERT_NE(deliver(first).body().find("comment_"), std::string::npos);
    std::string answer = remote.add_note(carol, "2", first, "<p>Oui</p>", {{"context", context}});
    json daves = FakeInstance::note(dave + "/statuses/3", dave, answer, "<p>Dave</p>", {{"context", context}});
    // Chronological, as FEP-f228 has it: our post first (skipped: it is ours), then the thread.
    remote.add_collection(context, {post, first, answer, daves}, 2, true);

    auto report = federation->backfill("bonjour");
    ASSERT_TRUE(report);
    EXPECT_EQ(report->added + report->held, 2) << server::format_backfill_report(*report);
    auto parents = thread();
    EXPECT_EQ(parents[answer], first);
    EXPECT_EQ(parents[dave + "/statuses/3"], answer);
    EXPECT_EQ(remote.fetch_count(alice + "/statuses/1/replies"), 0u) << "the context covered the thread";
}

TEST_F(ConversationTest, BackfillStopsAtItsBoundsOnEndlessAndCyclicCollections) {
    federation_tuning->backfill_limits.max_pages = 3;
    start_blog();
    std::string alice = remote.add_actor("alice");
    std::string bob = remote.add_actor("bob");
    std::string first = remote.add_note(alice, "1", post, "<p>Bravo</p>", {{"replies", alice + "/statuses/1/replies"}});
    std::string second = remote.add_note(bob, "1", post, "<p>Moi aussi</p>", {{"replies", bob + "/statuses/1/replies"}});
    ASSERT_NE(deliver(first).body().find("comment_"), std::string::npos);
    ASSERT_NE(deliver(second).body().find("comment_"), std::string::npos);
    // alice's replies go on for 50 pages of nothing; bob's first page names itself as next.
    std::vector<json> nothing(50, json(remote.origin() + "/gone"));
    remote.add_collection(first + "/replies", nothing, 1);
    const std::string loop = second + "/replies?page=1";
    remote.set_document_at(second + "/replies", {{"id", second + "/replies"}, {"type", "Collection"}, {"first", loop}});
    remote.set_document_at(loop, {{"id", loop}, {"type", "CollectionPage"}, {"items", json::array()}, {"next", loop}});

    auto report = federation->backfill("bonjour");
    ASSERT_TRUE(report);
    EXPECT_NE(report->bounds.find("pages"), std::string::npos) << report->bounds;
    EXPECT_EQ(remote.fetch_count(first + "/replies?page=3"), 1u);
    EXPECT_EQ(remote.fetch_count(first + "/replies?page=4"), 0u) << "three pages per collection";
    EXPECT_EQ(remote.fetch_count(loop), 1u) << "a page is read once";
    EXPECT_EQ(thread().size(), 2u);
}

TEST_F(ConversationTest, BackfillStopsAtTheFetchBoundOnAnEndlessThread) {
    federation_tuning->backfill_limits.max_fetches = 12;
    start_blog();
    std::string alice = remote.add_actor("alice");
    std::string first = remote.add_note(alice, "0", post, "<p>Racine</p>", {{"replies", alice + "/statuses/0/replies"}});
    ASSERT_NE(deliver(first).body().find("comment_"), std::string::npos);
    // Each note answers the previous one, and each names its replies: deeper than any bound.
    std::string parent = first;
    for (int i = 1; i <= 40; ++i) {
        std::string id = alice + "/statuses/" + std::to_string(i);
        remote.add_collection(parent + "/replies", {id});
        remote.add_note(alice, std::to_string(i), parent, "<p>Encore</p>", {{"replies", id + "/replies"}});
        parent = id;
    }
    auto report = federation->backfill("bonjour");
    ASSERT_TRUE(report);
    EXPECT_EQ(report->fetches, 12);
    EXPECT_NE(report->bounds.find("fetches"), std::string::npos) << report->bounds;
    EXPECT_GT(report->added + report->held, 0);
    EXPECT_LT(thread().size(), 10u);
}

TEST_F(ConversationTest, RecentPostsAreBackfilledPeriodically) {
    write_post("recent.md", "title: Récent\ndate: " + format_rfc3339(now_seconds() - 86400).substr(0, 10) + "\n", "Frais.\n");
    federation_tuning->backfill_every = std::chrono::seconds(1);
    start_blog();
    std::string alice = remote.add_actor("alice");
    std::string carol = remote.add_actor("carol");
    std::string first = remote.add_note(alice, "1", url("/posts/recent"), "<p>Bravo</p>",
                                        {{"replies", alice + "/statuses/1/replies"}});
    std::string answer = remote.add_note(carol, "2", first, "<p>Oui</p>");
    remote.add_collection(first + "/replies", {answer});
    ASSERT_NE(deliver(first).body().find("comment_"), std::string::npos);
    EXPECT_TRUE(FakeInstance::wait_for([&] { return thread("recent").contains(answer); }))
        << "the housekeeping's backfill did not import the answer";
    EXPECT_EQ(thread("recent")[answer], first);
}

}  // namespace
