#include "activitypub/webfinger.hpp"

#include <gtest/gtest.h>
#include <vector>

#include "support.hpp"

namespace fedblog::activitypub {
namespace {

using namespace testing;

struct QueryCase {
    const char* origin;
    const char* raw_query;
    LookupStatus expected;
};

class WebfingerQuery : public ::testing::TestWithParam<QueryCase> {};

TEST_P(WebfingerQuery, Answers) {
    const QueryCase& c = GetParam();
    WebfingerAnswer answer = webfinger(c.raw_query, Ids(c.origin, "blog"));
    EXPECT_EQ(answer.status, c.expected) << c.raw_query;
    if (c.expected == LookupStatus::ok)
        EXPECT_EQ(answer.jrd["subject"], Ids(c.origin, "blog").acct());
    else
        EXPECT_TRUE(answer.jrd.is_null());
}

constexpr const char* blog = "https://blog.example";
constexpr const char* local = "http://localhost:8080";

INSTANTIATE_TEST_SUITE_P(
    Resources, WebfingerQuery,
    ::testing::Values(
        QueryCase{blog, "resource=acct:blog@blog.example", LookupStatus::ok},
        QueryCase{blog, "resource=acct%3Ablog%40blog.example", LookupStatus::ok},
        QueryCase{blog, "?resource=acct:blog@blog.example", LookupStatus::ok},
        QueryCase{blog, "resource=acct:BLOG@Blog.EXAMPLE", LookupStatus::ok},
        QueryCase{blog, "resource=ACCT:blog@blog.example", LookupStatus::ok},
        QueryCase{blog, "resource=blog@blog.example", LookupStatus::ok},
        QueryCase{blog, "resource=%40blog%40blog.example", LookupStatus::ok},
        QueryCase{blog, "resource=https://blog.example/users/blog", LookupStatus::ok},
        QueryCase{blog, "resource=https%3A%2F%2Fblog.example%2Fusers%2Fblog", LookupStatus::ok},
        QueryCase{blog, "resource=HTTPS://BLOG.example/users/blog", LookupStatus::ok},
        QueryCase{blog, "resource=https://blog.example/@blog", LookupStatus::ok},
        QueryCase{blog, "resource=https://blog.example/%40blog", LookupStatus::ok},
        QueryCase{blog, "rel=self&resource=acct:blog@blog.example", LookupStatus::ok},
        QueryCase{local, "resource=acct:blog@localhost:8080", LookupStatus::ok},
        QueryCase{local, "resource=acct%3Ablog%40localhost%3A8080", LookupStatus::ok},
        QueryCase{local, "resource=http://localhost:8080/users/blog", LookupStatus::ok},
        // Well-formed, but not ours.
        QueryCase{blog, "resource=acct:blog@other.example", LookupStatus::not_found},
        QueryCase{blog, "resource=acct:alice@blog.example", LookupStatus::not_found},
        QueryCase{local, "resource=acct:blog@localhost", LookupStatus::not_found},
        QueryCase{blog, "resource=https://other.example/users/blog", LookupStatus::not_found},
        QueryCase{blog, "resource=http://blog.example/users/blog", LookupStatus::not_found},
        QueryCase{blog, "resource=https://blog.example/users/blog/", LookupStatus::not_found},
        QueryCase{blog, "resource=https://blog.example/users/alice", LookupStatus::not_found},
        QueryCase{blog, "resource=https://blog.example/users/blog?x=1", LookupStatus::not_found},
        // Malformed.
        QueryCase{blog, "", LookupStatus::bad_request},
        QueryCase{blog, "resource=", LookupStatus::bad_request},
        QueryCase{blog, "resource", LookupStatus::bad_request},
        QueryCase{blog, "rel=self", LookupStatus::bad_request},
        QueryCase{blog, "resource=blog", LookupStatus::bad_request},
        QueryCase{blog, "resource=acct:blog", LookupStatus::bad_request},
        QueryCase{blog, "resource=acct:@blog.example", LookupStatus::bad_request},
        QueryCase{blog, "resource=acct:blog@", LookupStatus::bad_request},
        QueryCase{blog, "resource=%zz", LookupStatus::bad_request},
        QueryCase{blog, "resource=https://[::1", LookupStatus::bad_request},
        QueryCase{blog, "resource=acct:blog@blog.example&resource=acct:blog@blog.example",
                  LookupStatus::bad_request}),
    // Stable test names (ctest discovers them at build time): the row number.
    [](const ::testing::TestParamInfo<QueryCase>& info) { return "row" + std::to_string(info.index); });

TEST(Webfinger, JrdSelfLinkIsTheActorId) {
    Ids ids = blog_ids();
    Json jrd = webfinger_jrd(ids);
    EXPECT_EQ(jrd["subject"], "acct:blog@blog.example");
    EXPECT_EQ(jrd["aliases"], Json::array({"https://blog.example/users/blog", "https://blog.example/@blog"}));
    ASSERT_EQ(jrd["links"].size(), 3u);
    EXPECT_EQ(jrd["links"][0],
              Json({{"rel", "self"}, {"type", "application/activity+json"}, {"href", ids.actor()}}));
    EXPECT_EQ(jrd["links"][1], Json({{"rel", "http://webfinger.net/rel/profile-page"},
                                     {"type", "text/html"},
                                     {"href", "https://blog.example/@blog"}}));
    EXPECT_EQ(jrd["links"][2], Json({{"rel", "http://ostatus.org/schema/1.0/subscribe"},
                                     {"template", "https://blog.example/authorize_interaction?uri={uri}"}}));
}

TEST(Webfinger, RelParametersFilterLinks) {
    WebfingerAnswer answer = webfinger("resource=acct:blog@blog.example&rel=self", blog_ids());
    ASSERT_EQ(answer.status, LookupStatus::ok);
    ASSERT_EQ(answer.jrd["links"].size(), 1u);
    EXPECT_EQ(answer.jrd["links"][0]["rel"], "self");
    EXPECT_EQ(answer.jrd["subject"], "acct:blog@blog.example");

    answer = webfinger("resource=acct:blog@blog.example&rel=http%3A%2F%2Fwebfinger.net%2Frel%2Fprofile-page&rel=self",
                       blog_ids());
    EXPECT_EQ(answer.jrd["links"].size(), 2u);
}

TEST(Webfinger, SubjectIsCanonicalWhateverTheQueryCase) {
    EXPECT_EQ(webfinger("resource=acct:BLOG@BLOG.EXAMPLE", blog_ids()).jrd["subject"], "acct:blog@blog.example");
}

// Found by fuzz/webfinger_fuzz: Boost.URL 1.81's parse_query measures its input again with strlen, reading the
// bytes after the view up to some NUL: past the end of a buffer that has none (AddressSanitizer reports it in
// `./dev.sh sanitize`), and into the last parameter's value.
TEST(Webfinger, TheQueryIsReadUpToItsEndAndNoFurther) {
    const std::vector<char> unterminated{'?'};
    EXPECT_EQ(webfinger(std::string_view(unterminated.data(), 1), blog_ids()).status, LookupStatus::bad_request);
    EXPECT_EQ(webfinger(std::string_view(unterminated.data() + 1, 0), blog_ids()).status, LookupStatus::bad_request);
    const std::string buffer = "resource=acct:blog@blog.example.evil";
    EXPECT_EQ(webfinger(std::string_view(buffer).substr(0, buffer.size() - 5), blog_ids()).status, LookupStatus::ok);
}

TEST(HostMeta, XmlPointsAtWebfinger) {
    EXPECT_EQ(host_meta_xml(blog_ids()),
              "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
              "<XRD xmlns=\"http://docs.oasis-open.org/ns/xri/xrd-1.0\">\n"
              "  <Link rel=\"lrdd\" template=\"https://blog.example/.well-known/webfinger?resource={uri}\"/>\n"
              "</XRD>\n");
}

TEST(HostMeta, JsonPointsAtWebfinger) {
    EXPECT_EQ(serialize(host_meta_json(blog_ids())),
              R"({"links":[{"rel":"lrdd","template":"https://blog.example/.well-known/webfinger?resource={uri}"}]})");
}

}  // namespace
}  // namespace fedblog::activitypub
