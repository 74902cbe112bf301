#include "server/comment_backfill.hpp"

#include "activitypub/comments/backfill.hpp"
#include "activitypub/inbox/replies.hpp"
#include "store/comments.hpp"
#include "store/transaction.hpp"

namespace fedblog::server {

namespace asio = boost::asio;
using namespace fedblog::activitypub;

asio::awaitable<BackfillReport> backfill_post(const comments::Walker& walker, const Ids& ids, const store::Post& post,
                                              const comments::WalkLimits& limits, const inbox::CommentPolicy& policy,
                                              std::function<std::int64_t()> clock) {
    BackfillReport report;
    report.slug = post.slug;
    // The blog's own answers are ours, and a private message's replies are not the public thread's.
    std::vector<std::string> held;
    for (const auto& comment : store::Comments(walker.db).for_post(post.id))
        if (!comment.local && !comment.deleted && comment.visibility != "private") held.push_back(comment.object_id);
    report.comments = static_cast<int>(held.size());

    comments::WalkBudget budget(limits);
    comments::BackfillWalk walk = co_await comments::collect_missing_replies(walker, std::move(held), budget, clock());
    report.objects_read = walk.objects_read;
    report.fetches = budget.fetches();
    report.bounds = budget.exhausted();
    report.left_out = walk.unplaced;

    const std::int64_t now = clock();
    store::WriteTransaction transaction(walker.db);
    for (const auto& reply : walk.replies) {
        auto outcome = inbox::import_reply(walker.db, ids, Json(reply.object), now, policy);
        if (outcome.result == "comment_added")
            ++report.added;
        else if (outcome.result == "comment_held")
            ++report.held;
        else if (outcome.result == "private_message")
            ++report.private_messages;
        else
            ++report.left_out;  // delivered meanwhile, or the post was deleted
    }
    transaction.commit();
    co_return report;
}

std::string format_backfill_report(const BackfillReport& report) {
    std::string text = "Backfill of " + report.slug + ": the conversations of " + std::to_string(report.comments) +
                       " comments walked (" + std::to_string(report.objects_read) + " objects read, " +
                       std::to_string(report.fetches) + " documents fetched" +
                       (report.bounds.empty() ? "" : "; stopped by the " + report.bounds + " bound") + ").\n";
    text += std::to_string(report.added) + " replies imported and shown, " + std::to_string(report.held) +
            " held for approval, " + std::to_string(report.private_messages) + " private, " +
            std::to_string(report.left_out) + " left out.\n";
    return text;
}

}  // namespace fedblog::server
