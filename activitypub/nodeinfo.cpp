#include "activitypub/nodeinfo.hpp"

#include "common/version.hpp"

namespace fedblog::activitypub {

Json nodeinfo_links(const Ids& ids) {
    return {{"links", Json::array({{{"rel", nodeinfo_schema_2_1}, {"href", ids.nodeinfo()}}})}};
}

Json nodeinfo_2_1(const Settings& settings, const NodeUsage& usage) {
    return {
        {"version", "2.1"},
        {"software",
         {{"name", software_name}, {"version", version}, {"repository", homepage}, {"homepage", homepage}}},
        {"protocols", Json::array({"activitypub"})},
        // The Atom feed is how the blog publishes outside ActivityPub.
        {"services", {{"inbound", Json::array()}, {"outbound", Json::array({"atom1.0"})}}},
        {"openRegistrations", false},
        {"usage",
         {{"users", {{"total", 1}, {"activeMonth", 1}, {"activeHalfyear", 1}}},
          {"localPosts", usage.local_posts},
          {"localComments", usage.local_comments}}},
        {"metadata", {{"nodeName", settings.blog_name}, {"nodeDescription", settings.blog_summary}}},
    };
}

}  // namespace fedblog::activitypub
