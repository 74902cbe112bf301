#include "store/comment_pages.hpp"

#include <algorithm>
#include <string>

#include "store/columns.hpp"

namespace fedblog::store {

namespace {

// Every query names the thread index's condition word for word (migration 7): SQLite only uses a partial
// index when the query states its WHERE. A comment takes a place in the thread when it is seen, or deleted
// (a placeholder, kept only when something seen hangs below: `kept` below).
#define FEDBLOG_IN_THREAD(k) "(" k ".deleted IS NOT NULL OR (" k ".state = 'approved' AND " k ".visibility <> 'private'))"
#define FEDBLOG_SEEN(k) "(" k ".deleted IS NULL AND " k ".state = 'approved' AND " k ".visibility <> 'private')"

// A placeholder stays when a seen comment hangs below it through deleted ones only (the first seen comment
// on any path down is enough). ?1 is the post.
#define FEDBLOG_KEPT(k)                                                                                      \
    "(" k ".deleted IS NULL OR EXISTS (WITH RECURSIVE gone(id) AS (SELECT " k ".id UNION "                  \
    "SELECT d.id FROM gone g JOIN comments d ON d.post_id = ?1 AND d.parent_id = g.id "                      \
    "WHERE " FEDBLOG_IN_THREAD("d") " AND d.deleted IS NOT NULL) "                                          \
    "SELECT 1 FROM gone g JOIN comments a ON a.post_id = ?1 AND a.parent_id = g.id "                         \
    "WHERE " FEDBLOG_IN_THREAD("a") " AND " FEDBLOG_SEEN("a") "))"

#define FEDBLOG_PLACE(k) FEDBLOG_IN_THREAD(k) " AND " FEDBLOG_KEPT(k)

// The walks move one comment at a time (the recursive table holds one row), so each step costs an index
// seek or two and a page reads no more than its own comments. ?1 post, ?2 where the walk starts, ?3 how
// many comments it may list (the start included), ?4 a bound on steps that only a cycle of parents reaches.
//
// Forward (depth first): from a listed comment, its first answer; without one, climb: the next sibling of
// the comment climbed to is listed, else climb on to its parent. Top-level comments are siblings.
constexpr const char* forward_walk =
    "WITH RECURSIVE walk(id, parent_id, published, climbing, listed, steps) AS ("
    " SELECT id, parent_id, published, 0, 1, 0 FROM comments WHERE id = ?2 AND post_id = ?1"
    " UNION ALL"
    " SELECT coalesce(c.id, w.id), iif(c.id IS NULL, w.parent_id, c.parent_id), coalesce(c.published, w.published),"
    "        c.id IS NULL, w.listed + (c.id IS NOT NULL), w.steps + 1"
    " FROM walk w LEFT JOIN comments c ON c.id = (SELECT k.id FROM comments k WHERE k.post_id = ?1"
    "   AND k.parent_id = w.id AND " FEDBLOG_PLACE("k") " ORDER BY k.published, k.id LIMIT 1)"
    " WHERE w.climbing = 0 AND w.listed < ?3 AND w.steps < ?4"
    " UNION ALL"
    " SELECT coalesce(s.id, p.id), iif(s.id IS NULL, p.parent_id, s.parent_id), coalesce(s.published, p.published),"
    "        s.id IS NULL, w.listed + (s.id IS NOT NULL), w.steps + 1"
    " FROM walk w LEFT JOIN comments s ON s.id = (SELECT k.id FROM comments k WHERE k.post_id = ?1"
    "   AND k.parent_id IS w.parent_id AND (k.published, k.id) > (w.published, w.id) AND " FEDBLOG_PLACE("k")
    "   ORDER BY k.published, k.id LIMIT 1)"
    "   LEFT JOIN comments p ON p.id = w.parent_id AND p.post_id = ?1"
    " WHERE w.climbing = 1 AND w.listed < ?3 AND w.steps < ?4 AND (s.id IS NOT NULL OR p.id IS NOT NULL))"
    " SELECT walk.id, walk.parent_id IS NULL, c.deleted IS NOT NULL FROM walk JOIN comments c ON c.id = walk.id"
    " WHERE walk.climbing = 0 ORDER BY walk.listed";

// Backward (the same order, reversed): from a listed comment (or the start, not listed), its previous sibling,
// descending from there to its last answer's last answer…; without a previous sibling, its parent is listed.
constexpr const char* backward_walk =
    "WITH RECURSIVE walk(id, parent_id, published, descending, listed, steps) AS ("
    " SELECT id, parent_id, published, 0, 0, 0 FROM comments WHERE id = ?2 AND post_id = ?1"
    " UNION ALL"
    " SELECT coalesce(s.id, p.id), iif(s.id IS NULL, p.parent_id, s.parent_id), coalesce(s.published, p.published),"
    "        s.id IS NOT NULL, w.listed + (s.id IS NULL), w.steps + 1"
    " FROM walk w LEFT JOIN comments s ON s.id = (SELECT k.id FROM comments k WHERE k.post_id = ?1"
    "   AND k.parent_id IS w.parent_id AND (k.published, k.id) < (w.published, w.id) AND " FEDBLOG_PLACE("k")
    "   ORDER BY k.published DESC, k.id DESC LIMIT 1)"
    "   LEFT JOIN comments p ON p.id = w.parent_id AND p.post_id = ?1"
    " WHERE w.descending = 0 AND w.listed < ?3 AND w.steps < ?4 AND (s.id IS NOT NULL OR p.id IS NOT NULL)"
    " UNION ALL"
    " SELECT coalesce(c.id, w.id), iif(c.id IS NULL, w.parent_id, c.parent_id), coalesce(c.published, w.published),"
    "        c.id IS NOT NULL, w.listed + (c.id IS NULL), w.steps + 1"
    " FROM walk w LEFT JOIN comments c ON c.id = (SELECT k.id FROM comments k WHERE k.post_id = ?1"
    "   AND k.parent_id = w.id AND " FEDBLOG_PLACE("k") " ORDER BY k.published DESC, k.id DESC LIMIT 1)"
    " WHERE w.descending = 1 AND w.listed < ?3 AND w.steps < ?4)"
    " SELECT walk.id, walk.parent_id IS NULL, c.deleted IS NOT NULL FROM walk JOIN comments c ON c.id = walk.id"
    " WHERE walk.descending = 0 AND walk.listed > 0 ORDER BY walk.listed";

// A comment readers see: in its place, and every ancestor in the thread too (a hidden one hides it).
constexpr const char* visible_query =
    "WITH RECURSIVE up(id, parent_id, ok, n) AS ("
    " SELECT k.id, k.parent_id, " FEDBLOG_PLACE("k") ", 0 FROM comments k WHERE k.id = ?2 AND k.post_id = ?1"
    " UNION ALL"
    " SELECT k.id, k.parent_id, k.post_id = ?1 AND " FEDBLOG_IN_THREAD("k") ", up.n + 1"
    " FROM up JOIN comments k ON k.id = up.parent_id WHERE up.n < ?3)"
    " SELECT count(*), coalesce(min(ok), 0) FROM up";

constexpr const char* first_top_level =
    "SELECT k.id FROM comments k WHERE k.post_id = ?1 AND k.parent_id IS NULL AND " FEDBLOG_PLACE("k")
    " ORDER BY k.published, k.id LIMIT 1";

constexpr const char* top_level_before =
    "SELECT 1 FROM comments k, comments x WHERE x.id = ?2 AND k.post_id = ?1 AND k.parent_id IS NULL"
    " AND (k.published, k.id) < (x.published, x.id) AND " FEDBLOG_PLACE("k") " LIMIT 1";

// Index steps only, no comment read: the thread is walked down from its top-level comments.
constexpr const char* shown_count_query =
    "WITH RECURSIVE t(id) AS ("
    " SELECT k.id FROM comments k WHERE k.post_id = ?1 AND k.parent_id IS NULL AND " FEDBLOG_IN_THREAD("k")
    " UNION"
    " SELECT k.id FROM t JOIN comments k ON k.post_id = ?1 AND k.parent_id = t.id WHERE " FEDBLOG_IN_THREAD("k") ")"
    " SELECT count(*) FROM t JOIN comments c ON c.id = t.id WHERE c.deleted IS NULL";

constexpr const char* ancestors_query =
    "WITH RECURSIVE up(id, n) AS ("
    " SELECT parent_id, 1 FROM comments WHERE id = ?1 AND parent_id IS NOT NULL"
    " UNION ALL"
    " SELECT c.parent_id, up.n + 1 FROM up JOIN comments c ON c.id = up.id WHERE c.parent_id IS NOT NULL AND up.n < ?2)"
    " SELECT id FROM up ORDER BY n";

#undef FEDBLOG_PLACE
#undef FEDBLOG_KEPT
#undef FEDBLOG_SEEN
#undef FEDBLOG_IN_THREAD

// Parent links only ever point to older rows, so a cycle cannot be written; should one appear, the walks
// stop here instead of looping.
constexpr std::int64_t max_steps = 1'000'000;
constexpr std::int64_t max_depth = 1'000'000;

}  // namespace

std::vector<const char*> CommentPages::statements() {
    return {forward_walk, backward_walk, visible_query, first_top_level, top_level_before, shown_count_query,
            ancestors_query};
}

bool CommentPages::visible(std::int64_t post_id, std::int64_t id) {
    auto& query = db_.prepared(visible_query);
    columns::ResetOnExit done(query);
    query.bind(1, static_cast<int64_t>(post_id));
    query.bind(2, static_cast<int64_t>(id));
    query.bind(3, static_cast<int64_t>(max_depth));
    return query.executeStep() && query.getColumn(0).getInt64() > 0 && query.getColumn(1).getInt64() == 1;
}

// One walk query (forward_walk or backward_walk): the comment ids from `from`, at most `limit`.
std::vector<CommentPages::Step> CommentPages::walk(const char* sql, std::int64_t post_id, std::int64_t from,
                                                   std::size_t limit) {
    auto& query = db_.prepared(sql);
    columns::ResetOnExit done(query);
    query.bind(1, static_cast<int64_t>(post_id));
    query.bind(2, static_cast<int64_t>(from));
    query.bind(3, static_cast<int64_t>(limit));
    query.bind(4, static_cast<int64_t>(max_steps));
    std::vector<Step> steps;
    while (query.executeStep())
        steps.push_back({query.getColumn(0).getInt64(), query.getColumn(1).getInt() != 0, query.getColumn(2).getInt() != 0});
    return steps;
}

std::vector<CommentPages::Step> CommentPages::walk_forward(std::int64_t post_id, std::int64_t start, std::size_t limit) {
    return walk(forward_walk, post_id, start, limit);
}

std::vector<CommentPages::Step> CommentPages::walk_backward(std::int64_t post_id, std::int64_t end, std::size_t limit) {
    return walk(backward_walk, post_id, end, limit);
}

CommentPage CommentPages::load(std::int64_t post_id, const std::vector<Step>& steps, std::size_t first,
                               std::size_t count) {
    CommentPage page;
    Comments comments(db_);
    for (std::size_t i = first; i < first + count; ++i)
        if (auto comment = comments.find(steps[i].id); comment && comment->post_id == post_id)
            page.comments.push_back(std::move(*comment));
    return page;
}

// How many answers (placeholders aside) follow `page.next` in its thread, itself included, counted up to
// more_replies_bound.
void CommentPages::count_rest_of_thread(std::int64_t post_id, CommentPage& page) {
    auto rest = walk_forward(post_id, *page.next, more_replies_bound + 1);
    std::size_t seen = 0;
    for (const Step& step : rest) {
        if (step.top_level) return;
        if (seen == more_replies_bound) {
            page.more_in_thread_bounded = true;
            return;
        }
        if (!step.placeholder) page.more_in_thread = ++seen;
    }
}

std::optional<CommentPage> CommentPages::starting_at(std::int64_t post_id, std::optional<std::int64_t> from,
                                                     std::size_t cap) {
    cap = std::max<std::size_t>(cap, 1);
    std::lock_guard lock(db_.mutex());
    std::int64_t start = 0;
    if (from) {
        if (!visible(post_id, *from)) return std::nullopt;
        start = *from;
    } else {
        auto& query = db_.prepared(first_top_level);
        columns::ResetOnExit done(query);
        query.bind(1, static_cast<int64_t>(post_id));
        if (!query.executeStep()) return CommentPage{};
        start = query.getColumn(0).getInt64();
    }
    auto steps = walk_forward(post_id, start, cap + 1);
    if (steps.empty()) return CommentPage{};
    // Whole top-level threads while they fit; a first thread larger than the page is cut at `cap`.
    std::size_t end = steps.size();
    if (steps.size() > cap) {
        end = cap;
        if (!steps[cap].top_level)
            for (std::size_t i = cap - 1; i >= 1; --i)
                if (steps[i].top_level) {
                    end = i;
                    break;
                }
    }
    CommentPage page = load(post_id, steps, 0, end);
    if (end < steps.size()) page.next = steps[end].id;
    bool earlier = !steps[0].top_level;
    if (!earlier) {
        auto& query = db_.prepared(top_level_before);
        columns::ResetOnExit done(query);
        query.bind(1, static_cast<int64_t>(post_id));
        query.bind(2, static_cast<int64_t>(start));
        earlier = query.executeStep();
    }
    if (earlier) page.earlier = start;
    if (page.next && !steps[end].top_level) count_rest_of_thread(post_id, page);
    return page;
}

std::optional<CommentPage> CommentPages::ending_before(std::int64_t post_id, std::int64_t before, std::size_t cap) {
    cap = std::max<std::size_t>(cap, 1);
    std::lock_guard lock(db_.mutex());
    if (!visible(post_id, before)) return std::nullopt;
    auto steps = walk_backward(post_id, before, cap + 1);  // nearest first
    if (steps.empty()) return std::nullopt;
    // Mirrored: back to the furthest top-level comment within `cap`, so the page opens on a whole thread;
    // when the `cap` comments before `before` all belong to one thread, they are the page.
    std::size_t count = steps.size();
    if (steps.size() > cap) {
        count = cap;
        for (std::size_t i = cap; i-- > 0;)
            if (steps[i].top_level) {
                count = i + 1;
                break;
            }
    }
    std::vector<Step> ordered(steps.begin(), steps.begin() + static_cast<std::ptrdiff_t>(count));
    std::reverse(ordered.begin(), ordered.end());
    CommentPage page = load(post_id, ordered, 0, ordered.size());
    page.next = before;
    if (steps.size() > count) page.earlier = ordered.front().id;
    auto next = Comments(db_).find(before);
    if (next && next->parent_id) count_rest_of_thread(post_id, page);
    return page;
}

std::int64_t CommentPages::shown_count(std::int64_t post_id) {
    std::lock_guard lock(db_.mutex());
    auto& query = db_.prepared(shown_count_query);
    columns::ResetOnExit done(query);
    query.bind(1, static_cast<int64_t>(post_id));
    return query.executeStep() ? query.getColumn(0).getInt64() : 0;
}

std::vector<Comment> CommentPages::ancestors(std::int64_t comment_id, std::size_t limit) {
    std::lock_guard lock(db_.mutex());
    std::vector<std::int64_t> ids;
    {
        auto& query = db_.prepared(ancestors_query);
        columns::ResetOnExit done(query);
        query.bind(1, static_cast<int64_t>(comment_id));
        query.bind(2, static_cast<int64_t>(limit));
        while (query.executeStep()) ids.push_back(query.getColumn(0).getInt64());
    }
    std::vector<Comment> found;
    Comments comments(db_);
    for (std::int64_t id : ids)
        if (auto comment = comments.find(id)) found.push_back(std::move(*comment));
    return found;
}

}  // namespace fedblog::store
