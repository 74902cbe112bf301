#pragma once
// Turning an activity into delivery jobs: who receives it, at which inbox, grouped by host. Called inside
// the transaction of the change that causes the activity (store::WriteTransaction), so the jobs and the
// change commit together or not at all.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "activitypub/json.hpp"
#include "store/database.hpp"
#include "store/deliveries.hpp"

namespace fedblog::activitypub::delivery {

// The host an inbox is on, as the per-host limits and health count it: the URL's authority, lower-cased
// ("m.example", "m.example:8443"). Nothing for a URL that is not absolute http(s).
std::optional<std::string> inbox_host(std::string_view inbox_url);

// Inboxes as delivery targets; URLs without a host are dropped (they cannot be delivered to).
std::vector<store::DeliveryTarget> delivery_targets(const std::vector<std::string>& inboxes);

// One job per accepted follower's inbox (each shared inbox once), none on a blocked domain. Returns the number
// of jobs added.
int enqueue_to_followers(store::Database& db, const Json& activity, store::Timestamp now);
// One job for one inbox (Accept, Reject: they go to the follower's personal inbox).
int enqueue_to_inbox(store::Database& db, const Json& activity, const std::string& inbox, store::Timestamp now);

}  // namespace fedblog::activitypub::delivery
