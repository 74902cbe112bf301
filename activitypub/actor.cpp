#include "activitypub/actor.hpp"

#include "activitypub/context.hpp"
#include "activitypub/html_text.hpp"
#include "activitypub/media.hpp"
#include "common/time.hpp"

namespace fedblog::activitypub {

namespace {

// The profile field linking back to the blog. rel="me" lets Mastodon verify it (green check) when the
// blog's pages link to the profile with rel="me".
Json website_field(const Ids& ids) {
    std::string link = "<a href=\"" + escape_html(ids.home()) +
                       "\" rel=\"me nofollow noopener noreferrer\" target=\"_blank\">" +
                       escape_html(ids.authority()) + "</a>";
    return {{"type", "PropertyValue"}, {"name", "Blog"}, {"value", std::move(link)}};
}

}  // namespace

Json actor_document(const Settings& settings, const Ids& ids, std::string_view public_key_pem,
                    store::Timestamp published) {
    Json actor = {
        {"id", ids.actor()},
        {"type", "Person"},
        {"preferredUsername", ids.handle()},
        {"name", settings.blog_name},
        {"summary", plain_text_to_html(settings.blog_summary)},
        {"url", ids.profile()},
    };
    if (auto icon = image_object(settings.blog_icon, ids)) actor["icon"] = std::move(*icon);
    if (auto header = image_object(settings.blog_header, ids)) actor["image"] = std::move(*header);
    actor["published"] = format_rfc3339(published);
    actor["inbox"] = ids.inbox();
    actor["outbox"] = ids.outbox();
    actor["followers"] = ids.followers();
    actor["following"] = ids.following();
    actor["endpoints"] = {{"sharedInbox", ids.shared_inbox()}};
    actor["publicKey"] = {{"id", ids.key_id()}, {"owner", ids.actor()}, {"publicKeyPem", public_key_pem}};
    actor["manuallyApprovesFollowers"] = settings.manually_approves_followers;
    actor["discoverable"] = true;
    actor["indexable"] = true;
    // Lets Mastodon credit this account on link previews of pages carrying
    // <meta name="fediverse:creator" content="@handle@host">.
    actor["attributionDomains"] = Json::array({ids.host()});
    actor["webfinger"] = ids.handle() + "@" + ids.authority();
    actor["attachment"] = Json::array({website_field(ids)});
    actor["tag"] = Json::array();
    return with_context(std::move(actor));
}

}  // namespace fedblog::activitypub
