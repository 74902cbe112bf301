#pragma once
// Replies from the fediverse kept as comments under a post, threaded by parent. A comment is identified by
// its remote object id; a Create for an id already held never overwrites it (only an Update by its author
// does), and a deleted comment stays as a placeholder so its replies keep their place in the thread.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/database.hpp"
#include "store/post.hpp"

namespace fedblog::store {

struct Comment {
    std::int64_t id = 0;
    std::string object_id;  // the remote Note's id, exactly as published
    std::int64_t post_id = 0;
    std::optional<std::int64_t> parent_id;  // the comment it answers; none for a reply to the post itself
    std::string actor_id;
    std::string url;           // the reply's page on its instance, when given
    std::string content_html;  // sanitized
    std::string summary;       // content warning, plain text; empty when none
    bool sensitive = false;
    std::string language;
    std::string visibility = "public";  // public | unlisted | private (followers-only or direct: never shown)
    std::string state = "approved";     // approved | held | hidden
    bool local = false;                 // written by the blog's owner
    Timestamp published = 0;
    std::optional<Timestamp> updated;
    std::optional<Timestamp> deleted;
    Timestamp received_at = 0;
    std::string held_reason;  // why moderation held it ("new commenter", "links only", ...); empty when not held

    bool shown() const { return state == "approved" && visibility != "private" && !deleted; }
};

class Comments {
public:
    explicit Comments(Database& db) : db_(db) {}

    // Stores a new comment; returns its id, or nothing when a comment with this object id exists already
    // (which is left untouched).
    std::optional<std::int64_t> insert(const Comment& comment);
    std::optional<Comment> find_by_object_id(std::string_view object_id);
    // The comment's id and its post's, without its content: where a reply to it joins.
    struct Place {
        std::int64_t id = 0;
        std::int64_t post_id = 0;
    };
    std::optional<Place> find_place(std::string_view object_id);
    // An edit by the author: content, warning, sensitivity, language and `updated`. Only when `updated` is
    // newer than what is held (a late, older Update changes nothing). True when it changed.
    bool update_content(std::string_view object_id, const Comment& edited);
    // The author deleted it: true when there was a live comment.
    bool mark_deleted(std::string_view object_id, Timestamp when);
    // The author's account is gone: all of their comments are deleted. Returns how many.
    int delete_by_actor(std::string_view actor_id, Timestamp when);
    // Every comment on a post (deleted placeholders, held and private ones included: callers filter),
    // oldest first.
    std::vector<Comment> for_post(std::int64_t post_id);
    // Whether this actor already has an approved comment (moderation trusts them then).
    bool has_approved_from(std::string_view actor_id);
    std::optional<Comment> find(std::int64_t id);
    // The owner's decision: "approved", "held" or "hidden" (it overrides a block's: lifting the block leaves it
    // as the owner set it). False when there is no such comment.
    bool set_state(std::int64_t id, std::string_view state);
    // Comments of every post, newest first, optionally only those in one state ("" = all).
    std::vector<Comment> recent(std::string_view state, int limit);

    // Stores one of the owner's answers (local = true), whose object id is made from its own row id by
    // `object_id_for` (the id is only known once inserted). Opens its own WriteTransaction (a savepoint
    // inside the caller's). Returns the row id. Throws when the object id is taken already.
    std::int64_t insert_local(Comment answer, const std::function<std::string(std::int64_t)>& object_id_for);
    // The comments answering comment `parent_id`, oldest first (callers filter what is shown).
    std::vector<Comment> answers_to(std::int64_t parent_id);

private:
    Database& db_;
};

}  // namespace fedblog::store
