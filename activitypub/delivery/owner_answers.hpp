#pragma once
// The blog's owner answers a comment, edits that answer or deletes it. Each change is stored as a local comment
// and its Create, Update or Delete queued in the same transaction, for the commenter's inbox (shared when known)
// and every accepted follower's, each inbox once: the commenter is notified through the mention, the followers
// see the answer as a public reply of the blog.
#include <optional>
#include <string>
#include <string_view>

#include "activitypub/answer_note.hpp"
#include "activitypub/ids.hpp"
#include "common/settings.hpp"
#include "store/comments.hpp"
#include "store/database.hpp"

namespace fedblog::activitypub::delivery {

struct AnswerOutcome {
    std::optional<store::Comment> answer;  // the answer as stored after the change; none when refused
    std::string error;                     // why it was refused, for the operator
    int inboxes = 0;                       // delivery jobs queued
};

// A new answer to comment `comment_id`: `body_html` (the owner's Markdown, rendered) opens with a mention of the
// comment's author. Refused for a comment that is missing, deleted, private, held or hidden, or on a deleted post.
AnswerOutcome answer_comment(store::Database& db, const Settings& settings, const Ids& ids, std::int64_t comment_id,
                             std::string_view body_html, store::Timestamp now);
// Replaces the text of one of the owner's answers; `updated` is strictly later than the previous version, so
// receivers (Mastodon 4.5+) apply the Update. Refused for a remote comment or a deleted answer.
AnswerOutcome edit_answer(store::Database& db, const Settings& settings, const Ids& ids, std::int64_t answer_id,
                          std::string_view body_html, store::Timestamp now);
// Deletes one of the owner's answers (its text goes) and queues the Delete. Refused for a remote comment.
AnswerOutcome delete_answer(store::Database& db, const Settings& settings, const Ids& ids, std::int64_t answer_id,
                            store::Timestamp now);

// What a stored answer's documents need from the store: the comment it answers, its post, the mention, and the
// comments shown under it. Nothing when its thread is gone (no such parent or post).
std::optional<AnswerContext> answer_context(store::Database& db, const Settings& settings, const Ids& ids,
                                            const store::Comment& answer);

}  // namespace fedblog::activitypub::delivery
