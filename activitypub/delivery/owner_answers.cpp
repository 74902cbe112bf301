#include "activitypub/delivery/owner_answers.hpp"

#include <algorithm>
#include <variant>
#include <vector>

#include "activitypub/delivery/fanout.hpp"
#include "common/log.hpp"
#include "store/deliveries.hpp"
#include "store/followers.hpp"
#include "store/posts.hpp"
#include "store/remote_actors.hpp"
#include "store/transaction.hpp"

namespace fedblog::activitypub::delivery {

namespace {

AnswerOutcome refused(std::string why) { return {std::nullopt, std::move(why), 0}; }

std::optional<Mentioned> mentioned_author(store::Database& db, const Ids& ids, const store::Comment& parent) {
    if (parent.local || parent.actor_id == ids.actor()) return std::nullopt;  // the blog answering itself
    Mentioned mentioned{parent.actor_id, parent.actor_id, ""};
    if (auto actor = store::RemoteActors(db).find(parent.actor_id)) {
        if (!actor->profile_url.empty()) mentioned.profile_url = actor->profile_url;
        mentioned.handle = actor->handle;
    }
    return mentioned;
}

// The commenter's inbox (shared when advertised: a Create goes there) and each follower's, once each.
std::vector<std::string> audience_inboxes(store::Database& db, const AnswerContext& context) {
    std::vector<std::string> inboxes = store::Followers(db).delivery_inboxes();
    if (context.mentioned) {
        auto actor = store::RemoteActors(db).find(context.mentioned->actor_id);
        if (actor && !actor->deleted) {
            const std::string& inbox = actor->shared_inbox.empty() ? actor->inbox : actor->shared_inbox;
            if (!inbox.empty() && std::find(inboxes.begin(), inboxes.end(), inbox) == inboxes.end())
                inboxes.push_back(inbox);
        } else {
            log::warn("answer: the commenter's inbox is unknown; only the followers are told",
                      {{"actor", context.mentioned->actor_id}});
        }
    }
    return inboxes;
}

// Queues `activity` for the answer's audience; the caller's transaction commits it with the change.
int queue(store::Database& db, const Json& activity, const AnswerContext& context, store::Timestamp now) {
    auto targets = delivery_targets(audience_inboxes(db, context));
    if (targets.empty()) return 0;
    return store::Deliveries::enqueue_locked(db, activity.value("id", std::string()), serialize(activity), targets,
                                             now);
}

// One of the owner's answers, alive, with its context: or why not.
std::variant<std::pair<store::Comment, AnswerContext>, std::string> own_answer(store::Database& db,
                                                                                const Settings& settings,
                                                                                const Ids& ids, std::int64_t id) {
    auto answer = store::Comments(db).find(id);
    if (!answer) return "no comment " + std::to_string(id);
    if (!answer->local)
        return "comment " + std::to_string(id) + " was written by " + answer->actor_id +
               "; only the blog's own answers can be changed here";
    if (answer->deleted) return "answer " + std::to_string(id) + " is deleted already";
    auto context = answer_context(db, settings, ids, *answer);
    if (!context) return "answer " + std::to_string(id) + " no longer has a thread to belong to";
    return std::pair{std::move(*answer), std::move(*context)};
}

}  // namespace

std::optional<AnswerContext> answer_context(store::Database& db, const Settings& settings, const Ids& ids,
                                            const store::Comment& answer) {
    store::Comments comments(db);
    auto parent = answer.parent_id ? comments.find(*answer.parent_id) : std::nullopt;
    auto post = store::Posts(db).find_by_id(answer.post_id);
    if (!parent || !post) return std::nullopt;
    AnswerContext context;
    context.in_reply_to = parent->object_id;
    context.post_slug = post->slug;
    context.language = post->language.empty() ? settings.language : post->language;
    context.mentioned = mentioned_author(db, ids, *parent);
    for (const auto& reply : comments.answers_to(answer.id))
        if (reply.shown()) context.reply_ids.push_back(reply.object_id);
    return context;
}

AnswerOutcome answer_comment(store::Database& db, const Settings& settings, const Ids& ids, std::int64_t comment_id,
                             std::string_view body_html, store::Timestamp now) {
    store::WriteTransaction transaction(db);
    store::Comments comments(db);
    auto parent = comments.find(comment_id);
    const std::string which = "comment " + std::to_string(comment_id);
    if (!parent) return refused("no " + which);
    if (parent->deleted) return refused(which + " is deleted");
    // A public answer would show what was said privately, and a held or hidden comment is not on the blog.
    if (parent->visibility == "private")
        return refused(which + " is a private message: a public answer would reveal it");
    if (parent->state != "approved")
        return refused(which + " is " + parent->state + ": approve it first (fedblog comments approve " +
                       std::to_string(comment_id) + ")");
    auto post = store::Posts(db).find_by_id(parent->post_id);
    if (!post || post->is_deleted()) return refused(which + " is under a deleted post");

    auto mentioned = mentioned_author(db, ids, *parent);
    store::Comment answer;
    answer.post_id = parent->post_id;
    answer.parent_id = parent->id;
    answer.actor_id = ids.actor();
    answer.content_html = mentioned ? with_mention(body_html, *mentioned) : std::string(body_html);
    answer.language = post->language.empty() ? settings.language : post->language;
    answer.visibility = "public";
    answer.state = "approved";
    answer.local = true;
    answer.published = answer.received_at = now;
    answer.id = comments.insert_local(answer, [&ids](std::int64_t id) { return ids.comment(id); });
    answer.object_id = ids.comment(answer.id);

    auto context = answer_context(db, settings, ids, answer);
    if (!context) return refused(which + " lost its thread while answering");  // cannot happen in one transaction
    int jobs = queue(db, answer_create(answer, *context, ids), *context, now);
    transaction.commit();
    log::info("answer published",
              {{"answer", answer.object_id}, {"in_reply_to", parent->object_id}, {"inboxes", jobs}});
    return {std::move(answer), "", jobs};
}

AnswerOutcome edit_answer(store::Database& db, const Settings& settings, const Ids& ids, std::int64_t answer_id,
                          std::string_view body_html, store::Timestamp now) {
    store::WriteTransaction transaction(db);
    auto found = own_answer(db, settings, ids, answer_id);
    if (auto* error = std::get_if<std::string>(&found)) return refused(*error);
    auto& [answer, context] = std::get<0>(found);
    answer.content_html = context.mentioned ? with_mention(body_html, *context.mentioned) : std::string(body_html);
    // Strictly later than what receivers hold, even for two edits within a second: Mastodon ignores an Update
    // that is not newer, and each revision needs an Update id of its own.
    answer.updated = std::max(now, answer.updated.value_or(answer.published) + 1);
    if (!store::Comments(db).update_content(answer.object_id, answer))
        return refused("answer " + std::to_string(answer_id) + " could not be edited");
    int jobs = queue(db, answer_update(answer, context, ids), context, now);
    transaction.commit();
    log::info("answer edited", {{"answer", answer.object_id}, {"inboxes", jobs}});
    return {std::move(answer), "", jobs};
}

AnswerOutcome delete_answer(store::Database& db, const Settings& settings, const Ids& ids, std::int64_t answer_id,
                            store::Timestamp now) {
    store::WriteTransaction transaction(db);
    auto found = own_answer(db, settings, ids, answer_id);
    if (auto* error = std::get_if<std::string>(&found)) return refused(*error);
    auto& [answer, context] = std::get<0>(found);
    store::Comments(db).mark_deleted(answer.object_id, now);
    answer.deleted = now;
    answer.content_html.clear();
    int jobs = queue(db, answer_delete(answer, context, ids), context, now);
    transaction.commit();
    log::info("answer deleted", {{"answer", answer.object_id}, {"inboxes", jobs}});
    return {std::move(answer), "", jobs};
}

}  // namespace fedblog::activitypub::delivery
