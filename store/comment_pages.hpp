#pragma once
// A post's thread one page at a time, bounded in SQL: whatever the number of comments, a page reads at most
// `cap` + 1 of them (and a few index steps per comment), never the whole thread.
//
// The order is the thread's: depth first, answers oldest first (published, then id), as the page shows it.
// Readers see approved, non-private comments whose ancestors are all seen (a held, hidden or private comment
// takes its answers with it), and deleted ones as placeholders only when a seen comment hangs below them —
// the rule web::visible_entries applies to a whole thread, here applied in the query itself.
//
// A page is named by where it starts (`from`: the first comment on it) or by where the next one starts
// (`before`). Going forward, a page holds whole top-level threads, as many as fit in `cap`; a thread larger
// than `cap` alone is cut after `cap` comments and the next page carries on inside it. Going backward, the
// same rule mirrored. Either way every comment is on exactly one page of a walk in one direction.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "store/comments.hpp"
#include "store/database.hpp"

namespace fedblog::store {

// More answers than this left in a cut thread are counted as "at least this many".
inline constexpr std::size_t more_replies_bound = 1000;

struct CommentPage {
    std::vector<Comment> comments;           // in thread order
    std::optional<std::int64_t> next;        // the first comment of the following page (its `from`), if any
    std::optional<std::int64_t> earlier;     // the first comment of this page when comments come before it
                                             // (the `before` of the preceding page)
    std::size_t more_in_thread = 0;          // when `next` carries on the last thread here: how many answers of
    bool more_in_thread_bounded = false;     // that thread follow (true: at least that many)
};

class CommentPages {
public:
    explicit CommentPages(Database& db) : db_(db) {}

    // The page starting at comment `from` (none: the first page). Nothing when `from` is not a comment readers
    // see on this post. An empty page (no comment at all) when the post has none to show.
    std::optional<CommentPage> starting_at(std::int64_t post_id, std::optional<std::int64_t> from, std::size_t cap);
    // The page that ends just before comment `before`. Nothing when `before` is not a comment readers see, or
    // nothing comes before it.
    std::optional<CommentPage> ending_before(std::int64_t post_id, std::int64_t before, std::size_t cap);
    // Comments readers see on the post (placeholders excluded): the total every page shows.
    std::int64_t shown_count(std::int64_t post_id);
    // The ancestors of a comment, its parent first, at most `limit` of them.
    std::vector<Comment> ancestors(std::int64_t comment_id, std::size_t limit);

    // The statements, for tests that check their query plans: forward walk, backward walk, count.
    static std::vector<const char*> statements();

private:
    struct Step {
        std::int64_t id;
        bool top_level;
        bool placeholder;
    };
    bool visible(std::int64_t post_id, std::int64_t id);
    std::vector<Step> walk(const char* sql, std::int64_t post_id, std::int64_t from, std::size_t limit);
    std::vector<Step> walk_forward(std::int64_t post_id, std::int64_t start, std::size_t limit);
    std::vector<Step> walk_backward(std::int64_t post_id, std::int64_t end, std::size_t limit);
    void count_rest_of_thread(std::int64_t post_id, CommentPage& page);
    CommentPage load(std::int64_t post_id, const std::vector<Step>& steps, std::size_t first, std::size_t count);

    Database& db_;
};

}  // namespace fedblog::store
