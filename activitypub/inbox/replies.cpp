#include "activitypub/inbox/replies.hpp"

#include "activitypub/comments/sanitizer.hpp"
#include "activitypub/inbox/attachments.hpp"
#include "activitypub/remote/actor_document.hpp"
#include "common/log.hpp"
#include "common/time.hpp"
#include "store/comment_attachments.hpp"
#include "store/comments.hpp"
#include "store/followers.hpp"
#include "store/posts.hpp"
#include "store/reactions.hpp"

namespace fedblog::activitypub::inbox {

namespace {

std::string string_of(const Json& node, std::string_view key) {
    auto found = node.find(key);
    return found != node.end() && found->is_string() ? found->get<std::string>() : std::string();
}

// Every id in an addressing field given as one value or an array.
std::vector<std::string> audience(const Json& object, std::string_view key) {
    std::vector<std::string> ids;
    auto found = object.find(key);
    if (found == object.end()) return ids;
    if (found->is_array()) {
        for (const auto& item : *found)
            if (auto id = id_of(item); !id.empty()) ids.push_back(id);
    } else if (auto id = id_of(*found); !id.empty()) {
        ids.push_back(id);
    }
    return ids;
}

bool names_public(const std::vector<std::string>& ids) {
    for (const auto& id : ids)
        if (id == "https://www.w3.org/ns/activitystreams#Public" || id == "as:Public" || id == "Public") return true;
    return false;
}

// Public in `to`: public; in `cc`: unlisted; neither: followers-only or direct, a private message to the blog.
std::string visibility_of(const Json& object) {
    if (names_public(audience(object, "to"))) return "public";
    if (names_public(audience(object, "cc"))) return "unlisted";
    return "private";
}

// The reply's own page: `url` as a string, a Link, or a list of those (the text/html one preferred).
std::string url_of(const Json& object) {
    auto found = object.find("url");
    if (found == object.end()) return {};
    auto href = [](const Json& node) -> std::string {
        if (node.is_string()) return node.get<std::string>();
        if (node.is_object()) return string_of(node, "href");
        return {};
    };
    if (!found->is_array()) return href(*found);
    for (const auto& item : *found)
        if (item.is_object() && string_of(item, "mediaType") == "text/html") return href(item);
    return found->empty() ? std::string() : href(found->front());
}

// `content` (a string, or in an array the first string: JSON-LD may list it), else the first entry of
// `contentMap` (whose key is then the language).
std::pair<std::string, std::string> content_of(const Json& object) {
    std::string content = string_of(object, "content");
    if (auto found = object.find("content"); found != object.end() && found->is_array())
        for (const auto& item : *found)
            if (item.is_string()) {
                content = item.get<std::string>();
                break;
            }
    std::string language;
    if (auto map = object.find("contentMap"); map != object.end() && map->is_object() && !map->empty()) {
        language = map->begin().key();
        if (content.empty() && map->begin()->is_string()) content = map->begin()->get<std::string>();
    }
    return {content, language};
}

store::Timestamp time_of(const Json& object, std::string_view key, store::Timestamp fallback) {
    return parse_date_time(string_of(object, key)).value_or(fallback);
}

// Our post's slug when `url` is one of our post addresses.
std::optional<std::string> our_post_slug(const std::string& url, const Ids& ids) {
    const std::string prefix = ids.origin() + std::string(Ids::post_prefix);
    if (!url.starts_with(prefix)) return std::nullopt;
    std::string slug = url.substr(prefix.size());
    if (slug.empty() || slug.find_first_of("/?#") != std::string::npos) return std::nullopt;
    return slug;
}

store::Comment comment_fields(const Json& object, store::Timestamp now, const PreparedContent& prepared) {
    store::Comment comment;
    comment.content_html = prepared.html;
    comment.summary = prepared.summary;
    const std::string language = content_of(object).second;
    // Read by type: nlohmann's value() throws when a hostile note sends "sensitive": "yes".
    const auto sensitive = object.find("sensitive");
    comment.sensitive = (sensitive != object.end() && sensitive->is_boolean() && sensitive->get<bool>()) ||
                        !comment.summary.empty();
    comment.language = language;
    comment.published = time_of(object, "published", now);
    return comment;
}

// A reply over the limit is refused whole rather than cut: a cut comment says something its author did not.
std::optional<ReplyOutcome> refuse_oversized(const Json& object, const std::string& actor, const CommentPolicy& policy) {
    const std::size_t size = content_of(object).first.size();
    if (size <= policy.max_bytes) return std::nullopt;
    log::warn("comment refused", {{"reason", "comment_too_large"},
                                  {"object", id_of(object.value("id", Json()))},
                                  {"actor", actor},
                                  {"bytes", size},
                                  {"limit", policy.max_bytes}});
    return ReplyOutcome{"comment_too_large",
                        "the reply's content is " + std::to_string(size) + " bytes, over this blog's limit of " +
                            std::to_string(policy.max_bytes),
                        422};
}

}  // namespace

PreparedContent prepare_content(const Json& object) {
    PreparedContent prepared;
    prepared.html = comments::sanitize_html(content_of(object).first, {}, &prepared.shape);
    prepared.summary = comments::html_to_text(string_of(object, "summary"));
    return prepared;
}

std::optional<PreparedContent> prepare_reply(const IncomingActivity& create, const CommentPolicy& policy) {
    const Json& object = create.object();
    if (!object.is_object() || !is_reply_type(create.object_type) ||
        id_of(object.value("attributedTo", Json())) != create.actor || content_of(object).first.size() > policy.max_bytes)
        return std::nullopt;
    return prepare_content(object);
}

bool is_reply_type(std::string_view type) {
    return type == "Note" || type == "Article" || type == "Question" || type == "Page";
}

std::optional<ThreadPlace> find_thread_place(store::Database& db, const Ids& ids, const std::string& in_reply_to) {
    if (auto slug = our_post_slug(in_reply_to, ids)) {
        if (auto post = store::Posts(db).find_head_by_slug(*slug)) return ThreadPlace{std::move(*post), std::nullopt};
    } else if (auto answered = store::Comments(db).find_place(in_reply_to)) {
        if (auto post = store::Posts(db).find_head_by_id(answered->post_id)) return ThreadPlace{std::move(*post), answered->id};
    }
    return std::nullopt;
}

ReplyOutcome receive_reply(store::Database& db, const Ids& ids, const IncomingActivity& create, store::Timestamp now,
                           const CommentPolicy& policy, const PreparedContent* prepared) {
    const Json& object = create.object();
    if (!object.is_object() || !is_reply_type(create.object_type))
        return {"ignored", "a Create of something other than an embedded note"};
    if (id_of(object.value("attributedTo", Json())) != create.actor)
        return {"ignored", "the note's author is not the activity's actor"};
    return import_reply(db, ids, object, now, policy, prepared);
}

ReplyOutcome import_reply(store::Database& db, const Ids& ids, const Json& object, store::Timestamp now,
                          const CommentPolicy& policy, const PreparedContent* prepared) {
    const std::string object_id = id_of(object.value("id", Json()));
    const std::string author = id_of(object.value("attributedTo", Json()));
    if (!is_reply_type(string_of(object, "type")) || object_id.empty() || author.empty())
        return {"ignored", "not a note with an id and an author"};
    const std::string in_reply_to = id_of(object.value("inReplyTo", Json()));
    if (in_reply_to.empty()) return {"ignored", "not a reply"};
    // Ids on our origin are ours to give (the owner's answers live at /comments/<n>): none is taken from outside.
    if (remote::origin_of(object_id) == ids.origin()) return {"ignored", "the object's id is on this blog"};

    store::Comments comments(db);
    auto place = find_thread_place(db, ids, in_reply_to);
    if (!place) return {"ignored", "a reply to something this blog does not hold"};
    const store::Post& post = place->post;
    if (post.is_deleted()) return {"ignored", "a reply to a deleted post"};
    if (auto refused = refuse_oversized(object, author, policy)) return *refused;

    const PreparedContent content = prepared ? PreparedContent{} : prepare_content(object);
    store::Comment comment = comment_fields(object, now, prepared ? *prepared : content);
    comment.object_id = object_id;
    comment.post_id = post.id;
    comment.parent_id = place->parent_id;
    comment.actor_id = author;
    comment.url = url_of(object);
    comment.visibility = visibility_of(object);
    comment.received_at = now;
    // Trusted voices are published at once: followers and those with an approved comment already.
    auto follower = store::Followers(db).find(author);
    bool trusted = (follower && follower->accepted) || comments.has_approved_from(author);
    auto verdict = moderate(db, ids, policy, author, object, (prepared ? *prepared : content).shape, trusted,
                            !post.accepts_replies(policy.close_after_days, now), now);
    comment.state = verdict.state;
    comment.held_reason = verdict.held_reason;
    if (!comments.insert(comment)) return {"duplicate_object", "this reply is already a comment"};
    if (auto media = attachments_of(object); !media.empty())
        store::CommentAttachments(db).replace(comment.object_id, media);
    if (log::enabled(log::Level::info))  // on the group writer's thread: its fields are copies, made only if written
        log::info("comment received", {{"post", post.slug},
                                       {"object", comment.object_id},
                                       {"actor", comment.actor_id},
                                       {"visibility", comment.visibility},
                                       {"state", comment.state},
                                       {"held_reason", comment.held_reason}});
    if (comment.visibility == "private") return {"private_message", "kept for the owner, never shown"};
    return {comment.state == "approved" ? "comment_added" : "comment_held",
            comment.state == "approved" ? "the reply is a comment" : "the reply waits for the owner's approval"};
}

ReplyOutcome receive_reply_update(store::Database& db, const IncomingActivity& update, store::Timestamp now,
                                  const CommentPolicy& policy) {
    const Json& object = update.object();
    store::Comments comments(db);
    auto held = comments.find_by_object_id(update.object_id);
    if (!held) return {"ignored", "an Update of something this blog does not hold"};
    if (held->actor_id != update.actor || id_of(object.value("attributedTo", Json())) != update.actor)
        return {"ignored", "only the author edits a comment"};
    if (auto refused = refuse_oversized(object, update.actor, policy)) return *refused;
    store::Comment edited = comment_fields(object, now, prepare_content(object));
    edited.updated = time_of(object, "updated", now);
    if (!comments.update_content(update.object_id, edited))
        return {"ignored", "the comment is deleted, or this edit is not newer than the one held"};
    store::CommentAttachments(db).replace(update.object_id, attachments_of(object));  // an edit may change the media
    log::info("comment edited", {{"object", update.object_id}});
    return {"comment_edited", "the comment was updated"};
}

ReplyOutcome receive_reply_delete(store::Database& db, const IncomingActivity& removal, store::Timestamp now) {
    store::Comments comments(db);
    auto held = comments.find_by_object_id(removal.object_id);
    if (!held) return {"ignored", "a Delete of something this blog does not hold"};
    if (held->actor_id != removal.actor) return {"ignored", "only the author deletes a comment"};
    comments.mark_deleted(removal.object_id, now);
    log::info("comment deleted", {{"object", removal.object_id}});
    return {"comment_deleted", "the comment was removed"};
}

ReplyOutcome receive_reaction(store::Database& db, const Ids& ids, const IncomingActivity& reaction, store::Timestamp now) {
    auto slug = our_post_slug(reaction.object_id, ids);
    auto post = slug ? store::Posts(db).find_by_slug(*slug) : std::nullopt;
    if (!post || post->is_deleted()) return {"ignored", "a " + reaction.type + " of something this blog does not hold"};
    auto kind = reaction.type == "Like" ? store::ReactionKind::like : store::ReactionKind::announce;
    if (!store::Reactions(db).add(post->id, reaction.actor, kind, reaction.id, now))
        return {"ignored", "already counted"};
    return {reaction.type == "Like" ? "liked" : "shared", "counted"};
}

ReplyOutcome undo_reaction(store::Database& db, const Ids& ids, const IncomingActivity& undo) {
    store::Reactions reactions(db);
    // The Undo's object names the Like or Announce by id...
    if (reactions.remove_by_activity(undo.object_id, undo.actor)) return {"reaction_undone", "no longer counted"};
    // ...or embeds it: then who reacted how to which post decides.
    const Json& object = undo.object();
    if (object.is_object()) {
        auto slug = our_post_slug(id_of(object.value("object", Json())), ids);
        auto post = slug ? store::Posts(db).find_by_slug(*slug) : std::nullopt;
        auto kind = undo.object_type == "Like" ? store::ReactionKind::like : store::ReactionKind::announce;
        if (post && reactions.remove(post->id, undo.actor, kind)) return {"reaction_undone", "no longer counted"};
    }
    return {"ignored", "not a reaction this blog counts"};
}

}  // namespace fedblog::activitypub::inbox
