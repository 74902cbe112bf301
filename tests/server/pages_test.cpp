// What a person reads, over real HTTP: the same URLs give HTML to browsers.
#include <chrono>
#include <future>

#include "store/transaction.hpp"
#include "tests/server/server_fixture.hpp"

using namespace fedblog::testing;
namespace beast_http = boost::beast::http;

namespace {

constexpr const char* browser_accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

// A 1x1 PNG.
const std::string tiny_png = [] {
    const unsigned char bytes[] = {0x89, 'P',  'N',  'G',  '\r', '\n', 0x1a, '\n', 0,    0,    0,    '\r', 'I',  'H',
                                   'D',  'R',  0,    0,    0,    1,    0,    0,    0,    1,    8,    6,    0,    0,
                                   0,    0x1f, 0x15, 0xc4, 0x89, 0,    0,    0,    '\r', 'I',  'D',  'A',  'T',  'x',
                                   0x9c, 'c',  0xf8, 0x0f, 0,    1,    1,    1,    0,    0x18, 0xdd, 0x8d, 0xb4, 0,
                                   0,    0,    0,    'I',  'E',  'N',  'D',  0xae, 'B',  0x60, 0x82};
    return std::string(reinterpret_cast<const char*>(bytes), sizeof bytes);
}();

class Pages : public ServerFixture {
protected:
    void SetUp() override {
        write_file(dir / "content" / "images" / "velo.png", tiny_png);
        write_file(dir / "content" / "secret.txt", "not an image");
        write_post("images/velo.md",
                   "title: Le vélo du mois\ndate: 2026-04-01\ntags: [vélo]\nimage: velo.png\nimage_alt: Un vélo rouge\n",
                   "Un beau vélo.\n");
        start();
    }

    fedblog::testing::Reply page(const std::string& path) { return client().get(path, {{"Accept", browser_accept}}); }
};

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

}  // namespace

// Pages and documents are read on a connection of their own: a write in progress (the delivery engine's commit, a
// publish queueing its jobs, here one held open by this thread) does not hold them up.
TEST_F(Pages, PagesAnswerWhileAWriteIsInProgress) {
    std::optional<fedblog::store::WriteTransaction> writing;
    writing.emplace(app->database());
    auto answered = std::async(std::launch::async, [this] {
        auto post = page("/posts/velo");
        auto followers = client().get_activity("/users/blog/followers");
        return std::pair{post.result_int(), followers.result_int()};
    });
    const bool in_time = answered.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
    writing.reset();  // rolled back: lets a stuck request go, so the test ends either way
    EXPECT_TRUE(in_time) << "GETs waited for the write in progress";
    auto [post_status, followers_status] = answered.get();
    EXPECT_EQ(post_status, 200u);
    EXPECT_EQ(followers_status, 200u);
}

TEST_F(Pages, PostPageIsHtmlWithDiscoveryLinksAndOpenGraph) {
    auto reply = page("/posts/velo");
    ASSERT_EQ(reply.result(), beast_http::status::ok);
    EXPECT_EQ(reply[beast_http::field::content_type], "text/html; charset=utf-8");
    EXPECT_EQ(reply[beast_http::field::vary], "Accept");
    const std::string& html = reply.body();
    EXPECT_TRUE(contains(html, "<link rel=\"alternate\" type=\"application/activity+json\" href=\"" + url("/posts/velo") + "\""))
        << html;
    EXPECT_TRUE(contains(html, "<meta name=\"fediverse:creator\" content=\"@blog@localhost:" + std::to_string(port) + "\""));
    EXPECT_TRUE(contains(html, "property=\"og:title\" content=\"Le vélo du mois\""));
    EXPECT_TRUE(contains(html, "property=\"og:image\" content=\"" + url("/media/images/velo.png") + "\""));
    EXPECT_TRUE(contains(html, "Un vélo rouge"));
    EXPECT_TRUE(contains(html, "id=\"commentaires\""));
}

TEST_F(Pages, IndexProfileTagFeedAndStylesheet) {
    auto index = page("/");
    ASSERT_EQ(index.result(), beast_http::status::ok);
    EXPECT_TRUE(contains(index.body(), "Le vélo du mois"));
    EXPECT_TRUE(contains(index.body(), "type=\"application/activity+json\" href=\"" + url("/users/blog") + "\""));
    auto profile = page("/@blog");
    ASSERT_EQ(profile.result(), beast_http::status::ok);
    EXPECT_TRUE(contains(profile.body(), "@blog@localhost:" + std::to_string(port)));
    EXPECT_EQ(page("/users/blog").body(), profile.body());  // the actor URL shows browsers the profile
    auto tag = page("/tags/v%C3%A9lo");
    ASSERT_EQ(tag.result(), beast_http::status::ok);
    EXPECT_TRUE(contains(tag.body(), "Le vélo du mois"));
    EXPECT_EQ(page("/tags/inconnu").result(), beast_http::status::not_found);
    auto feed = client().get("/feed.xml");
    ASSERT_EQ(feed.result(), beast_http::status::ok);
    EXPECT_EQ(feed[beast_http::field::content_type], "application/atom+xml; charset=utf-8");
    EXPECT_TRUE(contains(feed.body(), "<id>" + url("/posts/velo") + "</id>"));
    auto css = client().get("/style.css");
    ASSERT_EQ(css.result(), beast_http::status::ok);
    EXPECT_EQ(css[beast_http::field::content_type], "text/css; charset=utf-8");
    EXPECT_FALSE(css.body().empty());
}

TEST_F(Pages, ServersAskingTheProfileAddressAreSentToTheActor) {
    auto reply = client().get_activity("/@blog");
    EXPECT_EQ(reply.result(), beast_http::status::found);
    EXPECT_EQ(reply[beast_http::field::location], url("/users/blog"));
}

TEST_F(Pages, ImagesBesideThePostsAreServedAndNothingElse) {
    auto image = client().get("/media/images/velo.png");
    ASSERT_EQ(image.result(), beast_http::status::ok);
    EXPECT_EQ(image[beast_http::field::content_type], "image/png");
    EXPECT_EQ(image.body(), tiny_png);
    EXPECT_EQ(client().get("/media/secret.txt").result(), beast_http::status::not_found);
    EXPECT_EQ(client().get("/media/images/velo.md").result(), beast_http::status::not_found);
    EXPECT_EQ(client().get("/media/../content/images/velo.png").result(), beast_http::status::not_found);
    EXPECT_EQ(client().get("/media/images/%2e%2e/images/velo.png").result(), beast_http::status::not_found);
}

TEST_F(Pages, HeadGivesGetHeadersWithoutBody) {
    auto get = page("/posts/velo");
    auto head = client().request(beast_http::verb::head, "/posts/velo", {{"Accept", browser_accept}});
    EXPECT_EQ(head.result(), beast_http::status::ok);
    EXPECT_EQ(head[beast_http::field::content_length], std::to_string(get.body().size()));
    EXPECT_TRUE(head.body().empty());
}

TEST_F(Pages, OtherMethodsAre405WithAllow) {
    auto reply = client().request(beast_http::verb::delete_, "/posts/velo");
    EXPECT_EQ(reply.result(), beast_http::status::method_not_allowed);
    EXPECT_EQ(reply[beast_http::field::allow], "GET, HEAD");
}

TEST_F(Pages, TrailingSlashRedirectsToTheCanonicalUrl) {
    auto reply = client().get("/posts/velo/");
    EXPECT_EQ(reply.result(), beast_http::status::permanent_redirect);
    EXPECT_EQ(reply[beast_http::field::location], "/posts/velo");
}

TEST_F(Pages, HealthzAnswersOk) {
    auto reply = client().get("/healthz");
    EXPECT_EQ(reply.result(), beast_http::status::ok);
    EXPECT_EQ(reply.body(), "ok\n");
}

TEST_F(Pages, RemoteInteractionTemplateLeadsToOurPostsOrExplains) {
    auto ours = client().get("/authorize_interaction?uri=" + url("/posts/velo"));
    EXPECT_EQ(ours.result(), beast_http::status::found);
    EXPECT_EQ(ours[beast_http::field::location], url("/posts/velo"));
    auto remote = page("/authorize_interaction?uri=https%3A%2F%2Fm.example%2F%40alice");
    ASSERT_EQ(remote.result(), beast_http::status::ok);
    EXPECT_TRUE(contains(remote.body(), "href=\"https://m.example/@alice\""));
    auto hostile = page("/authorize_interaction?uri=javascript:alert(1)");
    ASSERT_EQ(hostile.result(), beast_http::status::ok);
    EXPECT_FALSE(contains(hostile.body(), "javascript:"));
}

TEST_F(Pages, EveryPageLinksTheProfileWithRelMe) {
    EXPECT_TRUE(contains(page("/").body(), "<link rel=\"me\" href=\"" + url("/@blog") + "\">"));
}
