#include "web/thread.hpp"

#include <map>
#include <set>

#include "store/comment_attachments.hpp"
#include "store/comments.hpp"
#include "store/remote_actors.hpp"

namespace fedblog::web {

std::vector<ThreadEntry> load_thread(store::Database& db, const SiteView& site, std::int64_t post_id) {
    std::vector<ThreadEntry> thread;
    store::RemoteActors actors(db);
    auto media = store::CommentAttachments(db).for_post(post_id);
    std::map<std::string, CommentAuthor> authors;
    const CommentAuthor blog{site.settings.author_name.empty() ? site.settings.blog_name : site.settings.author_name,
                             site.ids.handle() + "@" + site.ids.authority(),
                             site_image_url(site.ids, site.settings.blog_icon), site.ids.profile()};
    for (auto& comment : store::Comments(db).for_post(post_id)) {
        CommentAuthor author;
        if (comment.local) {
            author = blog;
        } else {
            auto [known, added] = authors.try_emplace(comment.actor_id);
            if (added)
                if (auto actor = actors.find(comment.actor_id))
                    known->second = {actor->display_name, actor->handle, actor->icon_url, actor->profile_url};
            author = known->second;
        }
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
