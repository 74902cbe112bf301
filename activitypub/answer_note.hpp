#pragma once
// The blog owner's answer to a comment as the fediverse sees it: a Note by the blog actor, in reply to the
// comment, mentioning its author the way Mastodon needs to notify them (a Mention tag, the author in `cc`, and
// an h-card mention link opening the content). Its Create, Update and Delete carry the same audience, so
// everyone who saw the answer hears of its edit and its deletion. Pure functions of their inputs.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "activitypub/ids.hpp"
#include "activitypub/json.hpp"
#include "store/comments.hpp"

namespace fedblog::activitypub {

// The author of the answered comment, as the answer names them.
struct Mentioned {
    std::string actor_id;
    std::string profile_url;  // the page the mention links to (the actor id when unknown)
    std::string handle;       // "alice@m.example"; empty when unknown
};

// What a Note needs beyond the stored answer.
struct AnswerContext {
    std::string in_reply_to;             // the answered comment's object id
    std::string post_slug;               // the post the thread hangs from
    std::string language;                // of the post, else the blog's
    std::optional<Mentioned> mentioned;  // none when the owner answers one of the blog's own comments
    std::vector<std::string> reply_ids;  // comments shown on the blog that answer this one, oldest first
};

// <span class="h-card" translate="no"><a href="…" class="u-url mention">@<span>alice</span></a></span>:
// Mastodon's own mention markup, which it keeps and links.
std::string mention_html(const Mentioned& mentioned);
// `html` opening with the mention: inside its first paragraph when it starts with one, else in its own.
std::string with_mention(std::string_view html, const Mentioned& mentioned);

// The Note at Ids::comment(answer.id). `answer.content_html` is the text as stored (mention included).
Json answer_note(const store::Comment& answer, const AnswerContext& context, const Ids& ids);
// Create of the Note, at Ids::comment_create.
Json answer_create(const store::Comment& answer, const AnswerContext& context, const Ids& ids);
// Update for the answer's latest edit. Precondition: answer.updated is set (its time names the revision).
Json answer_update(const store::Comment& answer, const AnswerContext& context, const Ids& ids);
// What a deleted answer's id answers, with 410 Gone.
Json answer_tombstone(const store::Comment& answer, const Ids& ids);
// Delete with the Tombstone embedded. Precondition: answer.deleted is set.
Json answer_delete(const store::Comment& answer, const AnswerContext& context, const Ids& ids);

}  // namespace fedblog::activitypub
