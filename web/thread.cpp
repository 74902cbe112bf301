#include "web/thread.hpp"

#include <map>
#include <set>

#include "store/comment_attachments.hpp"
#include "store/comment_pages.hpp"
#include "store/comments.hpp"
#include "store/remote_actors.hpp"

namespace fedblog::web {

namespace {

// Comments with what is shown of their authors: the cache of remote actors, the blog for the owner's answers.
class Authors {
public:
    Authors(store::Database& db, const SiteView& site)
        : actors_(db),
          blog_{site.settings.author_name.empty() ? site.settings.blog_name : site.settings.author_name,
                site.ids.handle() + "@" + site.ids.authority(), site_image_url(site.ids, site.settings.blog_icon),
                site.ids.profile()} {}

    CommentAuthor of(const store::Comment& comment) {
        if (comment.local) return blog_;
        auto [known, added] = known_.try_emplace(comment.actor_id);
        if (added)
            if (auto actor = actors_.find(comment.actor_id))
                known->second = {actor->display_name, actor->handle, actor->icon_url, actor->profile_url};
        return known->second;
    }

private:
    store::RemoteActors actors_;
    CommentAuthor blog_;
    std::map<std::string, CommentAuthor> known_;
};

}  // namespace

std::optional<ThreadPage> load_thread_page(store::Database& db, const SiteView& site, std::int64_t post_id,
                                           const ThreadCursor& cursor) {
    store::CommentPages pages(db);
    const std::size_t cap = site.settings.comments_per_page;
    auto found = cursor.before ? pages.ending_before(post_id, *cursor.before, cap)
                               : pages.starting_at(post_id, cursor.from, cap);
    if (!found) return std::nullopt;
    ThreadPage page;
    Authors authors(db, site);
    store::CommentAttachments media(db);
    for (auto& comment : found->comments) {
        // A placeholder shows nothing of what was deleted.
        auto attachments = comment.deleted ? std::vector<store::Attachment>{} : media.of(comment.id);
        CommentAuthor author = authors.of(comment);
        page.entries.push_back({std::move(comment), std::move(author), std::move(attachments)});
    }
    std::set<std::int64_t> on_page;
    for (const auto& entry : page.entries) on_page.insert(entry.comment.id);
    store::Comments comments(db);
    for (const auto& entry : page.entries)
        if (auto parent = entry.comment.parent_id; parent && !on_page.contains(*parent) && !page.off_page_parents.contains(*parent))
            if (auto found = comments.find(*parent)) page.off_page_parents.emplace(*parent, found->object_id);
    if (!page.entries.empty() && page.entries.front().comment.parent_id) {
        auto above = pages.ancestors(page.entries.front().comment.id, max_context_ancestors);
        for (auto it = above.rbegin(); it != above.rend(); ++it) {
            CommentAuthor author = authors.of(*it);
            page.context.push_back({std::move(*it), std::move(author), {}, true});
        }
    }
    page.next = found->next;
    page.earlier = found->earlier;
    page.more_in_thread = found->more_in_thread;
    page.more_in_thread_bounded = found->more_in_thread_bounded;
    page.total = pages.shown_count(post_id);
    return page;
}

std::vector<ThreadEntry> load_thread(store::Database& db, const SiteView& site, std::int64_t post_id) {
    std::vector<ThreadEntry> thread;
    Authors authors(db, site);
    auto media = store::CommentAttachments(db).for_post(post_id);
    for (auto& comment : store::Comments(db).for_post(post_id)) {
        CommentAuthor author = authors.of(comment);
        std::vector<store::Attachment> attachments;
        if (auto found = media.find(comment.id); found != media.end()) attachments = std::move(found->second);
        thread.push_back({std::move(comment), std::move(author), std::move(attachments)});
    }
    return thread;
}

std::vector<const ThreadEntry*> visible_entries(const std::vector<ThreadEntry>& entries) {
    std::map<std::int64_t, const ThreadEntry*> by_id;
    for (const auto& entry : entries) by_id[entry.comment.id] = &entry;
    // Answers by parent (0: the post), in the order given. Held, hidden and private comments take no place,
    // so their answers are never reached.
    std::map<std::int64_t, std::vector<const ThreadEntry*>> children;
    for (const auto& entry : entries) {
        const store::Comment& c = entry.comment;
        if (!c.shown() && !c.deleted) continue;
        std::int64_t parent = c.parent_id.value_or(0);
        if (parent != 0 && !by_id.contains(parent)) parent = 0;
        children[parent].push_back(&entry);
    }
    // Depth-first order, iteratively.
    std::vector<const ThreadEntry*> ordered;
    std::vector<const ThreadEntry*> stack;
    std::set<std::int64_t> placed;
    auto push_children = [&](std::int64_t parent) {
        auto found = children.find(parent);
        if (found == children.end()) return;
        for (auto it = found->second.rbegin(); it != found->second.rend(); ++it) stack.push_back(*it);
    };
    push_children(0);
    while (!stack.empty()) {
        const ThreadEntry* entry = stack.back();
        stack.pop_back();
        if (!placed.insert(entry->comment.id).second) continue;  // a cycle of parents cannot loop
        ordered.push_back(entry);
        push_children(entry->comment.id);
    }
    // A deleted comment stays only when a shown comment hangs below it: walk up from every shown one through
    // deleted ancestors, stopping at a shown one (its own walk goes on) or one already kept, so each
    // comment is visited once. Everything in `ordered` lies on a path from the post: the walk ends.
    std::set<std::int64_t> kept_placeholders;
    for (const ThreadEntry* entry : ordered) {
        if (!entry->comment.shown()) continue;
        for (auto parent = entry->comment.parent_id; parent && by_id.contains(*parent);) {
            const store::Comment& above = by_id.at(*parent)->comment;
            if (above.shown() || !kept_placeholders.insert(above.id).second) break;
            parent = above.parent_id;
        }
    }
    std::vector<const ThreadEntry*> visible;
    for (const ThreadEntry* entry : ordered)
        if (entry->comment.shown() || kept_placeholders.contains(entry->comment.id)) visible.push_back(entry);
    return visible;
}

}  // namespace fedblog::web
