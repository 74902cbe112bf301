#include "web/comments.hpp"

#include <map>

#include "common/time.hpp"
#include "web/comment_media.hpp"
#include "web/escape.hpp"
#include "web/i18n.hpp"

namespace fedblog::web {

namespace {

bool is_http_url(const std::string& url) { return url.starts_with("https://") || url.starts_with("http://"); }

// The blog itself, for the owner's answers: no remote actor stands behind them.
CommentAuthor blog_author(const SiteView& site) {
    return {site.settings.blog_name, site.ids.handle() + "@" + site.ids.authority(),
            site_image_url(site.ids, site.settings.blog_icon), site.ids.profile()};
}

// An answered comment from an earlier page: who wrote it and the way back to it, no text (it is read there) and
// no anchor (the comment's anchor is where its text is).
std::string render_context(const SiteView& site, const ThreadEntry& entry, std::string_view earlier_href) {
    const Strings& s = site.strings();
    const store::Comment& c = entry.comment;
    const CommentAuthor a = c.local ? blog_author(site) : entry.author;
    std::string who = c.deleted ? std::string(s.comment_deleted)
                                : (a.name.empty() ? (a.handle.empty() ? c.actor_id : a.handle) : a.name);
    std::string out = "<article class=\"comment context\">\n<p><span class=\"author\">" + escape_text(who) + "</span>";
    if (!earlier_href.empty())
        out += " · <a href=\"" + escape_attribute(std::string(earlier_href) + "#" + activitypub::Ids::comment_fragment(c.id)) +
               "\">" + escape_text(s.earlier_in_thread) + "</a>";
    return out + "</p>\n</article>\n";
}

std::string render_entry(const SiteView& site, const ThreadEntry& entry, std::string_view earlier_href) {
    if (entry.context) return render_context(site, entry, earlier_href);
    const Strings& s = site.strings();
    const store::Comment& c = entry.comment;
    const std::string anchor = activitypub::Ids::comment_fragment(c.id);
    std::string out = std::string("<article class=\"comment") + (c.local ? " owner" : "") + "\" id=\"" + anchor + "\"" +
                      (c.language.empty() ? "" : " lang=\"" + escape_attribute(c.language) + "\"") + ">\n";
    if (c.deleted) return out + "<p class=\"empty\">" + escape_text(s.comment_deleted) + "</p>\n</article>\n";
    const CommentAuthor a = c.local ? blog_author(site) : entry.author;
    const std::string profile = is_http_url(a.profile_url) ? a.profile_url : c.actor_id;
    out += "<header>";
    if (a.avatar_url.starts_with("https://"))
        out += "<img class=\"avatar\" src=\"" + escape_attribute(a.avatar_url) + "\" alt=\"\" width=\"40\" height=\"40\" "
               "loading=\"lazy\" referrerpolicy=\"no-referrer\">";
    out += "<a class=\"author\" href=\"" + escape_attribute(profile) + "\" rel=\"nofollow noopener noreferrer\">" +
           escape_text(a.name.empty() ? (a.handle.empty() ? c.actor_id : a.handle) : a.name) + "</a>";
    if (!a.handle.empty()) out += " <span class=\"handle\">@" + escape_text(a.handle) + "</span>";
    if (c.local) out += " <span class=\"badge\">" + escape_text(s.comment_by_owner) + "</span>";
    out += " · <a class=\"date\" href=\"" + escape_attribute(is_http_url(c.url) ? c.url : c.object_id) +
           "\" rel=\"nofollow noopener noreferrer\"><time datetime=\"" + format_rfc3339(c.published) + "\">" +
           escape_text(format_long_date(c.published, s)) + "</time></a>";
    if (c.updated) out += " <span class=\"edited\">(" + escape_text(s.comment_edited) + ")</span>";
    out += "</header>\n";
    // content_html was sanitized on the way in: it is the one HTML string not escaped here.
    std::string body = "<div class=\"text\">" + c.content_html + "</div>\n" + render_attachments(entry.attachments, s);
    if (!c.summary.empty() || c.sensitive)
        body = "<details class=\"warning\"><summary>" + escape_text(c.summary.empty() ? s.comment_sensitive : c.summary) +
               "</summary>\n" + body + "</details>\n";
    return out + body + "</article>\n";
}

}  // namespace

std::string render_thread(const SiteView& site, const std::vector<ThreadEntry>& entries, std::string_view earlier_href) {
    // Children by parent (0 = the post), in the order given (oldest first).
    std::map<std::int64_t, std::vector<const ThreadEntry*>> children;
    std::map<std::int64_t, const ThreadEntry*> by_id;
    for (const auto& entry : entries) by_id[entry.comment.id] = &entry;
    for (const auto& entry : entries) {
        const store::Comment& c = entry.comment;
        if (!c.shown() && !c.deleted) continue;  // held, hidden, private: never shown
        std::int64_t parent = c.parent_id.value_or(0);
        if (parent != 0 && !by_id.contains(parent)) parent = 0;
        children[parent].push_back(&entry);
    }
    // A deleted comment shows as a placeholder only when something shown hangs below it.
    std::map<std::int64_t, bool> visible;
    auto has_visible = [&](auto&& self, const ThreadEntry* entry, std::size_t depth) -> bool {
        if (depth > 10000) return false;
        if (auto known = visible.find(entry->comment.id); known != visible.end()) return known->second;
        bool shown = entry->comment.shown();
        for (const ThreadEntry* child : children[entry->comment.id]) shown = self(self, child, depth + 1) || shown;
        return visible[entry->comment.id] = shown;
    };
    // Iterative walk: a hostile thread of any depth cannot exhaust the stack.
    struct Frame {
        std::vector<const ThreadEntry*> list;
        std::size_t next;
        std::size_t depth;
        bool opened;  // an <ol> was opened for this list
    };
    std::string out;
    std::vector<Frame> stack{{children[0], 0, 0, false}};
    while (!stack.empty()) {
        Frame& frame = stack.back();
        if (frame.next == frame.list.size()) {
            if (frame.opened) out += "</ol>\n";
            stack.pop_back();
            if (!stack.empty() && stack.back().opened) out += "</li>\n";
            continue;
        }
        const ThreadEntry* entry = frame.list[frame.next++];
        if (!has_visible(has_visible, entry, 0)) continue;
        if (!frame.opened) {
            out += frame.depth == 0 ? "<ol class=\"thread\">\n" : "<ol>\n";
            frame.opened = true;
        }
        out += "<li>" + render_entry(site, *entry, earlier_href);
        const auto& replies = children[entry->comment.id];
        if (replies.empty() || frame.depth + 1 >= max_thread_depth) {
            out += "</li>\n";
            // At the nesting limit, answers follow in the same list, each after the one it answers.
            frame.list.insert(frame.list.begin() + static_cast<std::ptrdiff_t>(frame.next), replies.begin(), replies.end());
            continue;
        }
        stack.push_back({replies, 0, frame.depth + 1, false});
    }
    return out;
}

}  // namespace fedblog::web
