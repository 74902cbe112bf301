#include "activitypub/nodeinfo.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "common/version.hpp"
#include "support.hpp"

namespace fedblog::activitypub {
namespace {

using namespace testing;

std::set<std::string> keys(const Json& object) {
    std::set<std::string> result;
    for (auto it = object.begin(); it != object.end(); ++it) result.insert(it.key());
    return result;
}

TEST(Nodeinfo, LinksDocumentPointsAtTheSchema21Document) {
    EXPECT_EQ(serialize(nodeinfo_links(blog_ids())),
              R"({"links":[{"rel":"http://nodeinfo.diaspora.software/ns/schema/2.1",)"
              R"("href":"https://blog.example/nodeinfo/2.1"}]})");
}

TEST(Nodeinfo, FollowsTheClosed21Schema) {
    Json document = nodeinfo_2_1(blog_settings(), NodeUsage{.local_posts = 3, .local_comments = 0});
    // additionalProperties is false everywhere but metadata.
    EXPECT_EQ(keys(document), (std::set<std::string>{"version", "software", "protocols", "services",
                                                      "openRegistrations", "usage", "metadata"}));
    EXPECT_EQ(keys(document["software"]), (std::set<std::string>{"name", "version", "repository", "homepage"}));
    EXPECT_EQ(keys(document["services"]), (std::set<std::string>{"inbound", "outbound"}));
    EXPECT_EQ(keys(document["usage"]), (std::set<std::string>{"users", "localPosts", "localComments"}));
    EXPECT_EQ(keys(document["usage"]["users"]), (std::set<std::string>{"total", "activeMonth", "activeHalfyear"}));
    EXPECT_EQ(document["version"], "2.1");
    EXPECT_TRUE(std::regex_match(document["software"]["name"].get<std::string>(), std::regex("[a-z0-9-]+")));
    EXPECT_EQ(document["software"]["version"], fedblog::version);
    EXPECT_EQ(document["protocols"], Json::array({"activitypub"}));
    EXPECT_EQ(document["openRegistrations"], false);
}

TEST(Nodeinfo, UsageAndMetadataComeFromTheBlog) {
    Json document = nodeinfo_2_1(blog_settings(), NodeUsage{.local_posts = 12, .local_comments = 4});
    EXPECT_EQ(document["usage"]["localPosts"], 12);
    EXPECT_EQ(document["usage"]["localComments"], 4);
    EXPECT_EQ(document["usage"]["users"]["total"], 1);
    EXPECT_EQ(document["metadata"]["nodeName"], "Le carnet de Léa");
}

}  // namespace
}  // namespace fedblog::activitypub
