#include "activitypub/delivery/fanout.hpp"

#include <algorithm>
#include <boost/url/parse.hpp>

#include "common/domains.hpp"
#include "store/blocks.hpp"
#include "store/followers.hpp"

namespace fedblog::activitypub::delivery {

std::optional<std::string> inbox_host(std::string_view inbox_url) {
    auto url = boost::urls::parse_absolute_uri(inbox_url);
    if (!url || (url->scheme() != "https" && url->scheme() != "http") || url->encoded_host().empty())
        return std::nullopt;
    std::string host(url->encoded_host_and_port());
    for (char& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return host;
}

std::vector<store::DeliveryTarget> delivery_targets(const std::vector<std::string>& inboxes) {
    std::vector<store::DeliveryTarget> targets;
    targets.reserve(inboxes.size());
    for (const auto& inbox : inboxes)
        if (auto host = inbox_host(inbox)) targets.push_back({inbox, std::move(*host)});
    return targets;
}

int enqueue_to_followers(store::Database& db, const Json& activity, store::Timestamp now) {
    auto targets = delivery_targets(store::Followers(db).delivery_inboxes());
    // A blocked domain's followers are removed when it is blocked; an inbox there (a follower whose shared
    // inbox sits on another host) still gets nothing.
    const auto blocked = store::Blocks(db).domains();
    std::erase_if(targets, [&blocked](const store::DeliveryTarget& target) {
        return std::any_of(blocked.begin(), blocked.end(),
                           [&target](const std::string& domain) { return within_domain(target.host, domain); });
    });
    if (targets.empty()) return 0;
    return store::Deliveries::enqueue_locked(db, activity.value("id", std::string()), serialize(activity), targets, now);
}

int enqueue_to_inbox(store::Database& db, const Json& activity, const std::string& inbox, store::Timestamp now) {
    auto targets = delivery_targets({inbox});
    if (targets.empty()) return 0;
    return store::Deliveries::enqueue_locked(db, activity.value("id", std::string()), serialize(activity), targets, now);
}

}  // namespace fedblog::activitypub::delivery
