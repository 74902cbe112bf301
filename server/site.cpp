#include "server/site.hpp"

#include "activitypub/activities.hpp"
#include "activitypub/actor.hpp"
#include "activitypub/article.hpp"
#include "activitypub/collections.hpp"
#include "activitypub/json.hpp"
#include "activitypub/webfinger.hpp"

namespace fedblog::server {

std::shared_ptr<const Site> build_site(Settings settings, store::Catalog catalog, std::string public_key_pem,
                                       store::Timestamp actor_published) {
    namespace ap = activitypub;
    activitypub::Ids ids(settings.public_url, settings.handle);
    auto site = std::make_shared<Site>(Site{.settings = std::move(settings),
                                            .ids = std::move(ids),
                                            .catalog = std::move(catalog),
                                            .public_key_pem = std::move(public_key_pem),
                                            .actor_published = actor_published,
                                            .actor_json = {},
                                            .webfinger_json = {},
                                            .outbox_json = {},
                                            .outbox_pages_json = {},
                                            .following_json = {},
                                            .tombstone_json = {},
                                            .create_json = {}});
    const Settings& s = site->settings;
    site->actor_json = ap::serialize(ap::actor_document(s, site->ids, site->public_key_pem, actor_published));
    site->webfinger_json = ap::serialize(ap::webfinger_jrd(site->ids));
    const auto& published = site->catalog.published();
    site->outbox_json = ap::serialize(ap::outbox(published.size(), site->ids));
    for (long page = 1;; ++page) {
        auto document = ap::outbox_page(published, page, s, site->ids);
        if (!document) break;
        site->outbox_pages_json.push_back(ap::serialize(*document));
    }
    site->following_json = ap::serialize(ap::following(site->ids));
    for (const store::Post* post : published) {
        site->create_json.emplace(post->slug, ap::serialize(ap::create_activity(*post, s, site->ids)));
    }
    for (const store::Post& post : site->catalog.all())
        if (post.is_deleted()) site->tombstone_json.emplace(post.slug, ap::serialize(ap::tombstone(post, s, site->ids)));
    return site;
}

}  // namespace fedblog::server
