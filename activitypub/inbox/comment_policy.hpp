#pragma once
// Whether a reply is published at once or held for the owner, and why. The fediverse-aware spam signals
// hold a comment whoever wrote it (a follower's account can be taken over too); the moderation mode decides
// for the rest. Nothing here looks at names, scripts or emoji: they are never a signal.
#include <cstddef>
#include <optional>
#include <string>

#include "activitypub/comments/content_shape.hpp"
#include "activitypub/ids.hpp"
#include "activitypub/json.hpp"
#include "common/settings.hpp"
#include "store/database.hpp"
#include "store/post.hpp"

namespace fedblog::activitypub::inbox {

// Tags of a reply read for the mention count; the rest are not looked at.
inline constexpr std::size_t max_tags_read = 256;

struct CommentPolicy {
    enum class Mode { open, trusted, all_held };
    Mode mode = Mode::trusted;
    std::size_t max_bytes = 16 * 1024;  // the reply's source HTML; larger is refused
    int actor_rate = 5;                 // per actor per rate_window; 0 = off
    int domain_rate = 30;               // per host per rate_window
    int new_per_domain = 10;            // first-time commenters per host per newcomer_window
    int max_mentions = 5;               // accounts mentioned, the blog aside
    bool hold_links_only = true;
    unsigned close_after_days = 0;      // posts older than this take no more replies; 0 = never

    static constexpr store::Timestamp rate_window = 10 * 60;
    static constexpr store::Timestamp newcomer_window = 60 * 60;

    static CommentPolicy from(const Settings& settings);
};

struct CommentVerdict {
    std::string state;        // "approved" | "held"
    std::string held_reason;  // empty when approved
};

// The first spam signal a reply raises, as a reason for the owner ("links only", "actor rate: ..."); nothing
// when none. `shape` is that of the content as it will be stored; `object` the Note as received. Reads the
// store for the rates (call it before the reply is stored).
std::optional<std::string> spam_signal(store::Database& db, const Ids& ids, const CommentPolicy& policy,
                                       const std::string& actor_id, const Json& object,
                                       const comments::ContentShape& shape, store::Timestamp now);

// The state a new reply gets: held on a closed post, on a spam signal, in all_held mode, and in trusted mode
// from someone not trusted; approved otherwise.
CommentVerdict moderate(store::Database& db, const Ids& ids, const CommentPolicy& policy, const std::string& actor_id,
                        const Json& object, const comments::ContentShape& shape, bool trusted, bool comments_closed,
                        store::Timestamp now);

}  // namespace fedblog::activitypub::inbox
