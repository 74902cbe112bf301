#include "server/moderation_commands.hpp"

#include <algorithm>
#include <boost/url/parse.hpp>
#include <charconv>
#include <iomanip>
#include <iostream>
#include <variant>

#include "activitypub/comments/sanitizer.hpp"
#include "activitypub/ids.hpp"
#include "activitypub/inbox/blocking.hpp"
#include "activitypub/inbox/reports.hpp"
#include "common/domains.hpp"
#include "common/time.hpp"
#include "store/blocks.hpp"
#include "store/comments.hpp"
#include "store/followers.hpp"
#include "store/remote_actors.hpp"
#include "store/reports.hpp"
#include "store/transaction.hpp"

namespace fedblog::server {

namespace {

using activitypub::inbox::BlockEffects;

// Remote text for the operator's terminal: control characters (C0, DEL, C1), which could drive it, are dropped.
std::string printable(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 || c == 0x7F) continue;
        if (c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
            static_cast<unsigned char>(text[i + 1]) <= 0x9F) {
            ++i;
            continue;
        }
        out += static_cast<char>(c);
    }
    return out;
}

std::string plural(int count, const char* one, const char* many) {
    return std::to_string(count) + " " + (count == 1 ? one : many);
}

struct Target {
    std::string kind;   // "domain" | "actor"
    std::string value;  // the domain, or the actor id
    std::string note;   // said to the operator after the action, when there is something to add
};

// A domain, an actor id (or an actor's page we have seen), or user@host of an actor we have seen. A handle
// is never stored as such: the inbox knows actors by id only, and a handle names an id only once fetched.
std::variant<Target, std::string> resolve_target(store::Database& db, const std::string& text) {
    if (text.find("://") != std::string::npos) {
        auto url = boost::urls::parse_absolute_uri(text);
        if (!url || (url->scheme() != "https" && url->scheme() != "http") || url->encoded_host().empty())
            return "\"" + text + "\" is not an http(s) URL";
        store::RemoteActors actors(db);
        if (actors.find(text)) return Target{"actor", text, ""};
        if (auto actor = actors.find_by_profile_url(text))
            return Target{"actor", actor->id, "(" + text + " is the page of the actor " + actor->id + ")"};
        return Target{"actor", text,
                      "(not an actor this blog has seen: make sure this is its id, e.g. https://host/users/name, "
                      "which can differ from its page)"};
    }
    if (text.find('@') != std::string::npos) {
        std::string handle = text.starts_with('@') ? text.substr(1) : text;
        auto at = handle.find('@');
        if (at == 0 || at == std::string::npos || at + 1 == handle.size())
            return "\"" + text + "\" is not a user@host handle";
        if (auto actor = store::RemoteActors(db).find_by_handle(handle)) return Target{"actor", actor->id, ""};
        for (const auto& list : {store::Followers(db).accepted(), store::Followers(db).pending()})
            for (const auto& follower : list)
                if (follower.handle == handle) return Target{"actor", follower.actor_id, ""};
        return "no actor known here as " + handle +
               ": this blog only knows the handles of actors it has met (followers, commenters). Give the "
               "actor's id (e.g. https://" + handle.substr(at + 1) + "/users/" + handle.substr(0, at) +
               ") or block the domain " + handle.substr(at + 1);
    }
    auto domain = normalize_domain(text);
    if (!domain)
        return "\"" + text + "\" is not a domain (an internationalized one is given as xn--...), an actor id or user@host";
    return Target{"domain", *domain, ""};
}

std::string join(const std::vector<std::string>& words, std::size_t from) {
    std::string joined;
    for (std::size_t i = from; i < words.size(); ++i) joined += (joined.empty() ? "" : " ") + words[i];
    return joined;
}

int block_list(App& app) {
    auto blocks = store::Blocks(app.database()).list();
    // Domains of the setting that no `fedblog serve` has applied yet (added to the config file since).
    std::vector<std::string> not_yet_applied;
    for (const auto& domain : app.settings().blocked_domains)
        if (std::none_of(blocks.begin(), blocks.end(), [&](const store::Block& b) { return b.target == domain; }))
            not_yet_applied.push_back(domain);
    if (blocks.empty() && not_yet_applied.empty()) {
        std::cout << "(nothing blocked)\n";
        return 0;
    }
    std::cout << std::left << std::setw(8) << "KIND" << std::setw(48) << "BLOCKED" << std::setw(22) << "SINCE"
              << "REASON\n";
    for (const auto& block : blocks)
        std::cout << std::left << std::setw(8) << block.kind << std::setw(48) << block.target << std::setw(22)
                  << format_rfc3339(block.created_at) << (block.configured ? "(blocked_domains setting)" : block.reason)
                  << "\n";
    for (const auto& domain : not_yet_applied)
        std::cout << std::left << std::setw(8) << "domain" << std::setw(48) << domain << std::setw(22) << "-"
                  << "(blocked_domains setting: applied when fedblog serve starts or reloads)\n";
    return 0;
}

int block_add(App& app, const Target& target, const std::string& reason) {
    store::Database& db = app.database();
    activitypub::Ids ids(app.settings().public_url, app.settings().handle);
    store::WriteTransaction transaction(db);
    store::Blocks blocks(db);
    auto id = blocks.add(target.kind, target.value, reason, now_seconds());
    if (!id) {
        std::cerr << "fedblog block add: " << target.value << " is blocked already\n";
        return 1;
    }
    BlockEffects effects = activitypub::inbox::apply_block(db, ids, *blocks.find(target.value), now_seconds());
    transaction.commit();
    std::cout << "Blocked " << target.kind << " " << target.value << ": "
              << plural(effects.comments_hidden, "comment", "comments") << " hidden, "
              << plural(effects.followers_removed, "follower", "followers") << " removed"
              << (effects.followers_removed ? " (a Reject is on its way to each)" : "") << ", "
              << plural(effects.deliveries_abandoned, "pending delivery", "pending deliveries") << " abandoned, "
              << plural(effects.reactions_removed, "like or boost", "likes and boosts") << " no longer counted.\n";
    if (!target.note.empty()) std::cout << target.note << "\n";
    return 0;
}

int block_remove(App& app, const Target& target) {
    store::Database& db = app.database();
    store::WriteTransaction transaction(db);
    auto block = store::Blocks(db).find(target.value);
    const auto& configured = app.settings().blocked_domains;
    // Lifted here, the setting would block it again at the next start or reload.
    if ((block && block->configured) || std::find(configured.begin(), configured.end(), target.value) != configured.end()) {
        std::cerr << "fedblog block remove: " << target.value
                  << " is blocked by the blocked_domains setting: remove it there, then reload fedblog serve\n";
        return 1;
    }
    if (!block) {
        std::cerr << "fedblog block remove: " << target.value << " is not blocked\n";
        return 1;
    }
    int restored = activitypub::inbox::lift_block(db, *block);
    transaction.commit();
    std::cout << "Unblocked " << block->kind << " " << block->target << ": "
              << plural(restored, "comment", "comments") << " back as before the block. Followers it removed "
              << "may follow again.\n";
    return 0;
}

// One reported id, as the owner recognizes it.
std::string describe(store::Database& db, const activitypub::Ids& ids, const std::string& id) {
    auto object = activitypub::inbox::reported_object(db, ids, id);
    if (object.kind == "account") return "the blog's account";
    if (object.kind == "post") return "post " + object.slug;
    if (object.kind == "comment") {
        auto comment = store::Comments(db).find(*object.comment_id);
        auto author = store::RemoteActors(db).find(comment->actor_id);
        std::string text = activitypub::comments::html_to_text(comment->content_html, {.max_output_bytes = 80});
        std::replace(text.begin(), text.end(), '\n', ' ');
        return "comment " + std::to_string(comment->id) + " (" + comment->state + ") on " + object.slug + " by " +
               printable(author && !author->handle.empty() ? "@" + author->handle : comment->actor_id) + ": " +
               printable(text);
    }
    return printable(id) + " (not held here)";
}

std::optional<std::int64_t> parse_id(const std::string& text) {
    std::int64_t id = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return id;
}

}  // namespace

int block_command(App& app, const std::vector<std::string>& words) {
    if (words.empty() || (words.size() == 1 && words[0] == "list")) return block_list(app);
    if (words.size() < 2 || (words[0] != "add" && words[0] != "remove") || (words[0] == "remove" && words.size() != 2)) {
        std::cerr << "usage: fedblog block [list | add <domain | actor id | user@host> [reason...] | "
                     "remove <domain | actor id | user@host>]\n";
        return 2;
    }
    auto resolved = resolve_target(app.database(), words[1]);
    if (auto* error = std::get_if<std::string>(&resolved)) {
        std::cerr << "fedblog block " << words[0] << ": " << *error << "\n";
        return 1;
    }
    const Target& target = std::get<Target>(resolved);
    return words[0] == "add" ? block_add(app, target, join(words, 2)) : block_remove(app, target);
}

int reports_command(App& app, const std::vector<std::string>& words) {
    store::Database& db = app.database();
    store::Reports reports(db);
    if (words.size() == 2 && words[0] == "resolve") {
        auto id = parse_id(words[1]);
        if (!id) {
            std::cerr << "fedblog reports resolve: \"" << words[1] << "\" is not a report id\n";
            return 2;
        }
        if (!reports.resolve(*id, now_seconds())) {
            std::cerr << "fedblog reports resolve: no open report " << *id << "\n";
            return 1;
        }
        std::cout << "Report " << *id << " resolved.\n";
        return 0;
    }
    if (!(words.empty() || (words[0] == "list" && words.size() <= 2))) {
        std::cerr << "usage: fedblog reports [list [open|resolved|all] | resolve <id>]\n";
        return 2;
    }
    std::string state = words.size() == 2 ? words[1] : "open";
    if (state != "open" && state != "resolved" && state != "all") {
        std::cerr << "fedblog reports list: the state is open, resolved or all\n";
        return 2;
    }
    auto list = reports.list(state == "all" ? "" : state, 100);
    if (list.empty()) std::cout << "(no " << (state == "all" ? "" : state + " ") << "reports)\n";
    activitypub::Ids ids(app.settings().public_url, app.settings().handle);
    for (const auto& report : list) {
        auto reporter = store::RemoteActors(db).find(report.actor_id);
        std::cout << report.id << "  " << report.state << "  " << format_rfc3339(report.received_at) << "  from "
                  << printable(reporter && !reporter->handle.empty() ? "@" + reporter->handle + " (" + report.actor_id + ")"
                                                                     : report.actor_id)
                  << "\n";
        std::string reason = activitypub::comments::html_to_text(report.content, {.max_output_bytes = 500});
        std::replace(reason.begin(), reason.end(), '\n', ' ');
        std::cout << "    " << (reason.empty() ? "(no reason given)" : "\"" + printable(reason) + "\"") << "\n";
        for (const auto& object : report.objects) std::cout << "    -> " << describe(db, ids, object) << "\n";
    }
    return 0;
}

}  // namespace fedblog::server
