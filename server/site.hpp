#pragma once
// An immutable snapshot of everything the public pages are made of: settings, posts, and the
// ActivityPub documents that depend only on them, serialized once. A sync builds a new snapshot and
// swaps it in; requests in flight keep the one they started with.
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "activitypub/ids.hpp"
#include "common/settings.hpp"
#include "store/catalog.hpp"

namespace fedblog::server {

struct Site {
    Settings settings;
    activitypub::Ids ids;
    store::Catalog catalog;
    std::string public_key_pem;
    store::Timestamp actor_published = 0;

    std::string actor_json;
    std::string webfinger_json;  // the whole JRD (no rel filter): what Mastodon asks for
    std::string outbox_json;
    std::vector<std::string> outbox_pages_json;  // [0] is page 1
    std::string following_json;
    // slug → Tombstone of a deleted post. A live post's Article is built per request (its replies change).
    std::unordered_map<std::string, std::string> tombstone_json;
    std::unordered_map<std::string, std::string> create_json;  // slug → its Create (published posts only)
};

std::shared_ptr<const Site> build_site(Settings settings, store::Catalog catalog, std::string public_key_pem,
                                       store::Timestamp actor_published);

class SiteHolder {
public:
    explicit SiteHolder(std::shared_ptr<const Site> site) : site_(std::move(site)) {}
    std::shared_ptr<const Site> current() const {
        std::lock_guard lock(mutex_);
        return site_;
    }
    void replace(std::shared_ptr<const Site> site) {
        std::lock_guard lock(mutex_);
        site_ = std::move(site);
    }

private:
    mutable std::mutex mutex_;
    std::shared_ptr<const Site> site_;
};

}  // namespace fedblog::server
