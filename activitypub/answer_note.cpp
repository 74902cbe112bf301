#include "activitypub/answer_note.hpp"

#include "activitypub/collections.hpp"
#include "activitypub/context.hpp"
#include "activitypub/html_text.hpp"
#include "common/time.hpp"

namespace fedblog::activitypub {

namespace {

// Public, and the followers and the mentioned author in cc: what Mastodon calls a public reply.
void address(Json& document, const AnswerContext& context, const Ids& ids) {
    Json cc = Json::array({ids.followers()});
    if (context.mentioned) cc.push_back(context.mentioned->actor_id);
    document["to"] = Json::array({public_collection});
    document["cc"] = std::move(cc);
}

// "alice" from "alice@m.example"; the handle as it is when it has no host part.
std::string user_part(std::string_view handle) { return std::string(handle.substr(0, handle.find('@'))); }

Json activity(std::string id, std::string_view type, store::Timestamp published, const AnswerContext& context,
              const Ids& ids, Json object) {
    Json document = {
        {"id", std::move(id)}, {"type", type}, {"actor", ids.actor()}, {"published", format_rfc3339(published)}};
    address(document, context, ids);
    document["object"] = embedded(std::move(object));
    return with_context(std::move(document));
}

}  // namespace

std::string mention_html(const Mentioned& mentioned) {
    // The profile URL comes from a remote document and this HTML is shown on our pages unsanitized: only an
    // http(s) link is written (a javascript: URL would run on the blog), else the actor id, else no link.
    auto is_http = [](const std::string& url) { return url.starts_with("https://") || url.starts_with("http://"); };
    const std::string& href = is_http(mentioned.profile_url) ? mentioned.profile_url : mentioned.actor_id;
    const std::string user = mentioned.handle.empty() ? mentioned.actor_id : user_part(mentioned.handle);
    const std::string name = "@<span>" + escape_html(user) + "</span>";
    if (!is_http(href)) return "<span class=\"h-card\" translate=\"no\">" + name + "</span>";
    return "<span class=\"h-card\" translate=\"no\"><a href=\"" + escape_html(href) + "\" class=\"u-url mention\">" +
           name + "</a></span>";
}

std::string with_mention(std::string_view html, const Mentioned& mentioned) {
    if (html.starts_with("<p>")) return "<p>" + mention_html(mentioned) + " " + std::string(html.substr(3));
    return "<p>" + mention_html(mentioned) + "</p>" + std::string(html);
}

Json answer_note(const store::Comment& answer, const AnswerContext& context, const Ids& ids) {
    Json note = {
        {"id", ids.comment(answer.id)},
        {"type", "Note"},
        {"attributedTo", ids.actor()},
        {"inReplyTo", context.in_reply_to},
        {"content", answer.content_html},
        {"contentMap", {{context.language, answer.content_html}}},
        // The id itself: browsers are sent on to the page of the thread the answer is on today, which moves
        // as a long thread grows (a fixed post#anchor would point at the first page only).
        {"url", ids.comment(answer.id)},
        {"published", format_rfc3339(answer.published)},
    };
    if (answer.updated) note["updated"] = format_rfc3339(*answer.updated);
    address(note, context, ids);
    note["sensitive"] = false;
    Json tags = Json::array();
    if (context.mentioned) {
        const Mentioned& m = *context.mentioned;
        Json mention = {{"type", "Mention"}, {"href", m.actor_id}};
        if (!m.handle.empty()) mention["name"] = "@" + m.handle;
        tags.push_back(std::move(mention));
    }
    note["tag"] = std::move(tags);
    note["replies"] = embedded(replies_collection_at(ids.comment_replies(answer.id), context.reply_ids));
    return with_context(std::move(note));
}

Json answer_create(const store::Comment& answer, const AnswerContext& context, const Ids& ids) {
    return activity(ids.comment_create(answer.id), "Create", answer.published, context, ids,
                    answer_note(answer, context, ids));
}

Json answer_update(const store::Comment& answer, const AnswerContext& context, const Ids& ids) {
    const store::Timestamp revision = answer.updated.value_or(answer.published);
    return activity(ids.comment_update(answer.id, revision), "Update", revision, context, ids,
                    answer_note(answer, context, ids));
}

Json answer_tombstone(const store::Comment& answer, const Ids& ids) {
    Json tombstone = {{"id", ids.comment(answer.id)}, {"type", "Tombstone"}, {"formerType", "Note"}};
    if (answer.deleted) tombstone["deleted"] = format_rfc3339(*answer.deleted);
    return with_context(std::move(tombstone));
}

Json answer_delete(const store::Comment& answer, const AnswerContext& context, const Ids& ids) {
    const store::Timestamp when = answer.deleted.value_or(answer.updated.value_or(answer.published));
    return activity(ids.comment_delete(answer.id), "Delete", when, context, ids, answer_tombstone(answer, ids));
}

}  // namespace fedblog::activitypub
