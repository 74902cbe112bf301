#include "server/admin_commands.hpp"

#include <algorithm>
#include <charconv>
#include <iomanip>
#include <iostream>

#include "activitypub/ids.hpp"
#include "server/answer_commands.hpp"
#include "activitypub/inbox/follows.hpp"
#include "common/time.hpp"
#include "activitypub/comments/sanitizer.hpp"
#include "store/comments.hpp"
#include "store/deliveries.hpp"
#include "store/posts.hpp"
#include "store/remote_actors.hpp"
#include "store/followers.hpp"
#include "store/hosts.hpp"
#include "store/transaction.hpp"

namespace fedblog::server {

namespace {

std::string when(std::optional<store::Timestamp> time) { return time ? format_rfc3339(*time) : "-"; }

// An actor id, or user@host / @user@host as the follower list shows it.
std::optional<std::string> find_follower(store::Database& db, const std::string& who) {
    store::Followers followers(db);
    if (followers.find(who)) return who;
    std::string handle = who.starts_with('@') ? who.substr(1) : who;
    for (const auto& list : {followers.accepted(), followers.pending()})
        for (const auto& follower : list)
            if (follower.handle == handle) return follower.actor_id;
    return std::nullopt;
}

void print_followers(const std::vector<store::Follower>& list, const char* title) {
    std::cout << title << " (" << list.size() << ")\n";
    for (const auto& follower : list)
        std::cout << "  " << (follower.handle.empty() ? "-" : "@" + follower.handle) << "  " << follower.actor_id
                  << "  since " << format_rfc3339(follower.created_at) << "\n";
}

}  // namespace

int followers_command(App& app, const std::vector<std::string>& words) {
    store::Database& db = app.database();
    if (words.empty() || (words.size() == 1 && words[0] == "list")) {
        store::Followers followers(db);
        print_followers(followers.accepted(), "Followers");
        auto pending = followers.pending();
        if (!pending.empty()) {
            print_followers(pending, "Waiting for approval");
            std::cout << "(fedblog followers approve|reject <handle or actor id>)\n";
        }
        return 0;
    }
    if (words.size() != 2 || (words[0] != "approve" && words[0] != "reject" && words[0] != "remove")) {
        std::cerr << "usage: fedblog followers [list | approve <who> | reject <who> | remove <who>]\n";
        return 2;
    }
    auto actor = find_follower(db, words[1]);
    if (!actor) {
        std::cerr << "fedblog followers " << words[0] << ": no follower or follow request matches \"" << words[1] << "\"\n";
        return 1;
    }
    activitypub::Ids ids(app.settings().public_url, app.settings().handle);
    store::WriteTransaction transaction(db);
    std::optional<std::string> error;
    if (words[0] == "approve") error = activitypub::inbox::approve_follower(db, ids, *actor, now_seconds());
    if (words[0] == "reject") error = activitypub::inbox::reject_follower(db, ids, *actor, now_seconds());
    if (words[0] == "remove") error = activitypub::inbox::remove_follower(db, ids, *actor, now_seconds());
    if (error) {
        std::cerr << "fedblog followers " << words[0] << ": " << *error << "\n";
        return 1;
    }
    transaction.commit();
    std::cout << (words[0] == "approve"  ? "Approved "
                  : words[0] == "reject" ? "Rejected "
                                         : "Removed ")
              << *actor << (words[0] == "approve" ? " (an Accept is on its way)\n" : " (a Reject is on its way)\n");
    return 0;
}

int deliveries_command(App& app, const std::vector<std::string>& words) {
    store::Deliveries deliveries(app.database());
    if (words.empty()) {
        auto hosts = deliveries.by_host();
        std::cout << std::left << std::setw(32) << "HOST" << std::setw(9) << "PENDING" << std::setw(9) << "FAILING"
                  << std::setw(7) << "DEAD" << std::setw(9) << "DONE" << std::setw(22) << "NEXT ATTEMPT"
                  << "LAST ERROR\n";
        for (const auto& host : hosts)
            std::cout << std::left << std::setw(32) << (host.host + (host.unavailable ? " (unavailable)" : ""))
                      << std::setw(9) << host.pending << std::setw(9) << host.failing << std::setw(7) << host.dead
                      << std::setw(9) << host.done << std::setw(22) << when(host.next_attempt) << host.last_error
                      << "\n";
        if (hosts.empty()) std::cout << "(no deliveries yet)\n";
        return 0;
    }
    if (words[0] == "list" && words.size() <= 2) {
        for (const auto& job : deliveries.list("", words.size() == 2 ? words[1] : "", 200))
            std::cout << job.id << "  " << job.state << "  attempts " << job.attempts << "  next "
                      << (job.state == "pending" ? when(job.next_attempt) : "-") << "  " << job.inbox << "  "
                      << job.activity_id << (job.last_error.empty() ? "" : "  (" + job.last_error + ")") << "\n";
        return 0;
    }
    if (words[0] == "retry" && words.size() == 2) {
        const std::string& what = words[1];
        std::int64_t id = 0;
        auto [end, ec] = std::from_chars(what.data(), what.data() + what.size(), id);
        if (ec == std::errc{} && end == what.data() + what.size()) {
            if (!deliveries.retry(id, now_seconds())) {
                std::cerr << "fedblog deliveries retry: no dead or pending job " << id << "\n";
                return 1;
            }
            std::cout << "Job " << id << " is due now.\n";
            return 0;
        }
        // The operator vouches for the host: it leaves the unavailable list too.
        if (what != "all") store::Hosts(app.database()).record_success(what);
        int count = deliveries.retry_dead(what == "all" ? "" : what, now_seconds());
        std::cout << count << " dead deliver" << (count == 1 ? "y" : "ies") << " due again now.\n";
        return 0;
    }
    std::cerr << "usage: fedblog deliveries [list [host] | retry <job id | host | all>]\n";
    return 2;
}

namespace {

void print_comments(store::Database& db, const std::vector<store::Comment>& list) {
    store::Posts posts(db);
    store::RemoteActors actors(db);
    for (const auto& comment : list) {
        auto post = posts.find_by_id(comment.post_id);
        auto author = actors.find(comment.actor_id);
        std::string text = activitypub::comments::html_to_text(comment.content_html, {.max_output_bytes = 100});
        std::replace(text.begin(), text.end(), '\n', ' ');
        std::cout << comment.id << "  " << comment.state << (comment.visibility == "private" ? " private" : "")
                  << (comment.deleted ? " deleted" : "") << "  " << (post ? post->slug : "?") << "  "
                  << (comment.local                          ? std::string("the blog's answer")
                      : author && !author->handle.empty() ? "@" + author->handle
                                                          : comment.actor_id)
                  << "  "
                  << format_rfc3339(comment.published) << "\n    " << text << "\n";
        if (comment.state == "held" && !comment.held_reason.empty())
            std::cout << "    held: " << comment.held_reason << "\n";
    }
}

}  // namespace

int comments_command(App& app, const std::vector<std::string>& words) {
    store::Database& db = app.database();
    store::Comments comments(db);
    if (words.empty() || (words[0] == "list" && words.size() <= 2)) {
        std::string state = words.size() == 2 ? words[1] : "";
        if (state == "all") state.clear();
        if (!state.empty() && state != "held" && state != "approved" && state != "hidden") {
            std::cerr << "fedblog comments list: the state is held, approved, hidden or all\n";
            return 2;
        }
        auto list = comments.recent(state, 100);
        if (list.empty()) std::cout << "(no comments)\n";
        print_comments(db, list);
        return 0;
    }
    if (words[0] == "reply" || words[0] == "edit") return answer_command(app, words);
    std::int64_t id = 0;
    bool valid_id = false;
    if (words.size() == 2) {
        auto [end, ec] = std::from_chars(words[1].data(), words[1].data() + words[1].size(), id);
        valid_id = ec == std::errc{} && end == words[1].data() + words[1].size();
    }
    const std::string action = words[0];
    if (!valid_id || (action != "approve" && action != "hide" && action != "delete")) {
        std::cerr << "usage: fedblog comments [list [held|approved|hidden|all] | approve <id> | hide <id> | delete <id>\n"
                     "                        | reply <id> --text <markdown> | edit <id> --text <markdown>]\n";
        return 2;
    }
    auto comment = comments.find(id);
    if (!comment) {
        std::cerr << "fedblog comments " << action << ": no comment " << id << "\n";
        return 1;
    }
    if (action == "delete" && comment->local) return delete_answer_command(app, id);  // its Delete goes out too
    if (action == "delete") {
        comments.mark_deleted(comment->object_id, now_seconds());
        std::cout << "Comment " << id << " deleted (its text is gone; answers to it keep their place).\n";
    } else {
        comments.set_state(id, action == "approve" ? "approved" : "hidden");
        std::cout << "Comment " << id << (action == "approve" ? " approved" : " hidden") << ".\n";
    }
    return 0;
}

}  // namespace fedblog::server
