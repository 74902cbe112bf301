#include "activitypub/article.hpp"

#include "activitypub/collections.hpp"
#include "activitypub/context.hpp"
#include "activitypub/html_text.hpp"
#include "activitypub/media.hpp"
#include "common/time.hpp"

namespace fedblog::activitypub {

namespace {

Json hashtag(std::string_view tag, const Ids& ids) {
    if (!tag.empty() && tag.front() == '#') tag.remove_prefix(1);
    return {{"type", "Hashtag"}, {"href", ids.tag(tag)}, {"name", "#" + std::string(tag)}};
}

// GoToSocial's interactionPolicy: anyone may like and share; anyone may reply while comments are open,
// only the blog itself once they are closed. Nothing asks for approval: fedblog's moderation holds replies
// on its side and sends no ReplyAuthorization, so "manual" would leave GoToSocial users' replies pending.
Json interaction_policy(const Ids& ids, bool accepts_replies) {
    auto rule = [](Json who) {
        return Json{{"automaticApproval", who}, {"manualApproval", Json::array()},
                    {"always", who}, {"approvalRequired", Json::array()}};
    };
    const Json everyone = Json::array({public_collection});
    return {{"canLike", rule(everyone)},
            {"canReply", rule(accepts_replies ? everyone : Json::array({ids.actor()}))},
            {"canAnnounce", rule(everyone)}};
}

}  // namespace

std::string object_type_name(const Settings& settings) {
    return settings.object_type == ObjectType::note ? "Note" : "Article";
}

Json article_object(const store::Post& post, const Settings& settings, const Ids& ids,
                    const Interactions& interactions) {
    const bool note = settings.object_type == ObjectType::note;
    const std::string& language = post.language.empty() ? settings.language : post.language;
    const std::string url = ids.post(post.slug);

    // Mastodon shows an Article as <h2>name</h2> + summary + a link, never its content. A Note has no
    // title of its own, so the title leads the text in tags Mastodon keeps (no <h2>); and no summary,
    // which on a Note would hide the text behind a content warning.
    const std::string content =
        note ? "<p><strong>" + escape_html(post.title) + "</strong></p>" + post.content_html : post.content_html;
    const std::string summary = note ? std::string() : as_paragraphs(post.summary_html, post.title);

    Json object = {{"id", url}, {"type", object_type_name(settings)}, {"attributedTo", ids.actor()}};
    if (!note) {
        object["name"] = post.title;
        object["summary"] = summary;
    }
    object["content"] = content;
    object["mediaType"] = "text/html";
    object["url"] = url;
    object["published"] = format_rfc3339(post.published);
    if (post.updated) object["updated"] = format_rfc3339(*post.updated);
    object["to"] = Json::array({public_collection});
    object["cc"] = Json::array({ids.followers()});
    object["sensitive"] = false;
    object["contentMap"] = {{language, content}};
    if (!note) {
        object["nameMap"] = {{language, post.title}};
        object["summaryMap"] = {{language, summary}};
    }

    Json tags = Json::array();
    for (const std::string& tag : post.tags) tags.push_back(hashtag(tag, ids));
    object["tag"] = std::move(tags);

    Json attachments = Json::array();
    if (auto image = image_object(post.image_path, ids, post.image_alt)) attachments.push_back(std::move(*image));
    object["attachment"] = std::move(attachments);

    object["replies"] = embedded(replies_collection(post.slug, interactions.reply_ids, ids));
    object["likes"] = embedded(counted_collection(ids.post_likes(post.slug), interactions.likes));
    object["shares"] = embedded(counted_collection(ids.post_shares(post.slug), interactions.shares));
    object["interactionPolicy"] = interaction_policy(ids, interactions.accepts_replies && !post.comments_closed);
    return with_context(std::move(object));
}

Json tombstone(const store::Post& post, const Settings& settings, const Ids& ids) {
    Json object = {
        {"id", ids.post(post.slug)},
        {"type", "Tombstone"},
        {"formerType", object_type_name(settings)},
    };
    if (post.deleted) object["deleted"] = format_rfc3339(*post.deleted);
    return with_context(std::move(object));
}

}  // namespace fedblog::activitypub
