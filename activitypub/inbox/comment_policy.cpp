#include "activitypub/inbox/comment_policy.hpp"

#include <set>

#include "activitypub/delivery/fanout.hpp"
#include "activitypub/inbox/incoming.hpp"
#include "store/comment_rates.hpp"

namespace fedblog::activitypub::inbox {

namespace {

// Distinct accounts mentioned, the blog aside: the Mention tags, or, from servers that send none, the
// mention links of the content.
int mentioned_accounts(const Ids& ids, const Json& object, const comments::ContentShape& shape) {
    std::set<std::string> mentioned;
    auto read_tag = [&](const Json& tag) {
        if (tag.is_object() && tag.value("type", Json()) == "Mention") {
            std::string href = id_of(tag.value("href", Json()));
            if (!href.empty() && href != ids.actor()) mentioned.insert(href);
        }
    };
    if (auto tags = object.find("tag"); tags != object.end() && tags->is_array()) {
        // Only the first ones are read: past them the count is over any limit anyway, and a reply with ten
        // thousand tags costs no more than one with a few hundred.
        std::size_t read = 0;
        for (const auto& tag : *tags) {
            if (++read > max_tags_read) break;
            read_tag(tag);
        }
    }
    if (!mentioned.empty()) return static_cast<int>(mentioned.size());
    for (const auto& href : shape.mention_hrefs)
        if (!href.starts_with(ids.origin() + "/")) mentioned.insert(href);
    return static_cast<int>(mentioned.size());
}

std::string over_limit(const std::string& signal, int limit, const char* what) {
    return signal + ": more than " + std::to_string(limit) + " " + what;
}

}  // namespace

CommentPolicy CommentPolicy::from(const Settings& settings) {
    CommentPolicy policy;
    policy.mode = settings.comments_moderation == "open"       ? Mode::open
                  : settings.comments_moderation == "all_held" ? Mode::all_held
                                                               : Mode::trusted;
    policy.max_bytes = settings.comment_max_bytes;
    policy.actor_rate = static_cast<int>(settings.comments_actor_rate);
    policy.domain_rate = static_cast<int>(settings.comments_domain_rate);
    policy.new_per_domain = static_cast<int>(settings.comments_new_per_domain);
    policy.max_mentions = static_cast<int>(settings.comments_max_mentions);
    policy.hold_links_only = settings.comments_hold_links_only;
    policy.close_after_days = settings.comments_close_after_days;
    return policy;
}

std::optional<std::string> spam_signal(store::Database& db, const Ids& ids, const CommentPolicy& policy,
                                       const std::string& actor_id, const Json& object,
                                       const comments::ContentShape& shape, store::Timestamp now) {
    if (policy.hold_links_only && shape.links_only()) return "links only: no text besides links and mentions";
    if (policy.max_mentions > 0) {
        int mentions = mentioned_accounts(ids, object, shape);
        if (mentions > policy.max_mentions)
            return "mentions " + std::to_string(mentions) + " accounts (limit " + std::to_string(policy.max_mentions) + ")";
    }
    store::CommentRates rates(db);
    // Counted before this one is stored: the limit-th earlier comment makes this one "more than the limit".
    if (policy.actor_rate > 0) {
        int recent = rates.from_actor(actor_id, now - CommentPolicy::rate_window, policy.actor_rate);
        if (recent >= policy.actor_rate)
            return over_limit("actor rate", policy.actor_rate, "comments in 10 minutes");
    }
    const std::string host = delivery::inbox_host(actor_id).value_or("");
    if (policy.domain_rate > 0 && !host.empty()) {
        int recent = rates.from_host(host, now - CommentPolicy::rate_window, policy.domain_rate);
        if (recent >= policy.domain_rate)
            return over_limit("server rate (" + host + ")", policy.domain_rate, "comments in 10 minutes");
    }
    if (policy.new_per_domain > 0 && !host.empty() && !rates.has_commented(actor_id)) {
        int newcomers = rates.new_commenters_from_host(host, now - CommentPolicy::newcomer_window, policy.new_per_domain);
        if (newcomers >= policy.new_per_domain)
            return over_limit("newcomer burst (" + host + ")", policy.new_per_domain, "first-time commenters in an hour");
    }
    return std::nullopt;
}

CommentVerdict moderate(store::Database& db, const Ids& ids, const CommentPolicy& policy, const std::string& actor_id,
                        const Json& object, const comments::ContentShape& shape, bool trusted, bool comments_closed,
                        store::Timestamp now) {
    if (comments_closed) return {"held", "comments are closed on this post"};
    if (auto signal = spam_signal(db, ids, policy, actor_id, object, shape, now)) return {"held", *signal};
    if (policy.mode == CommentPolicy::Mode::all_held) return {"held", "every comment is held (comments_moderation = all_held)"};
    if (policy.mode == CommentPolicy::Mode::trusted && !trusted)
        return {"held", "new commenter: not a follower, no approved comment yet"};
    return {"approved", ""};
}

}  // namespace fedblog::activitypub::inbox
