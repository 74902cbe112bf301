#include "web/thread_pages.hpp"

#include "web/escape.hpp"
#include "web/i18n.hpp"

namespace fedblog::web {

namespace {

std::string link(ThreadPlace place, std::string_view rel, const std::string& href, std::string_view label,
                 std::string_view before_label = {}, std::string_view after_label = {}) {
    std::string out = "<a";
    if (!rel.empty()) out += " rel=\"" + std::string(rel) + "\"";
    out += " href=\"" + escape_attribute(href) + "\"";
    if (place == ThreadPlace::frame) out += " target=\"_self\"";
    out += ">";
    if (!before_label.empty()) out += "<span aria-hidden=\"true\">" + std::string(before_label) + "</span>";
    out += escape_text(label);
    if (!after_label.empty()) out += "<span aria-hidden=\"true\">" + std::string(after_label) + "</span>";
    return out + "</a>";
}

}  // namespace

std::string thread_page_from(std::int64_t comment_id) { return "?from=" + std::to_string(comment_id); }
std::string thread_page_before(std::int64_t comment_id) { return "?before=" + std::to_string(comment_id); }

std::string render_thread_page(const SiteView& site, const ThreadPage& page, ThreadPlace place) {
    const Strings& s = site.strings();
    // On the post page the links land back on the comments, not at the top of the post.
    const std::string section = place == ThreadPlace::post_page ? "#commentaires" : "";
    const std::string earlier = page.earlier ? thread_page_before(*page.earlier) : std::string();
    std::vector<ThreadEntry> shown;
    shown.reserve(page.context.size() + page.entries.size());
    shown.insert(shown.end(), page.context.begin(), page.context.end());
    shown.insert(shown.end(), page.entries.begin(), page.entries.end());
    std::string out = render_thread(site, shown, earlier);
    if (page.next && page.more_in_thread > 0) {
        // The thread goes on past this page: say how much, and link straight to where it carries on.
        std::string count = count_label(page.more_in_thread, s.more_reply_one, s.more_reply_many, s);
        if (page.more_in_thread_bounded) count.insert(std::to_string(page.more_in_thread).size(), "+");
        out += "<p class=\"more-replies\">" +
               link(place, "", thread_page_from(*page.next) + "#" + activitypub::Ids::comment_fragment(*page.next),
                    count, "", " →") +
               "</p>\n";
    }
    if (page.earlier || page.next) {
        out += "<nav class=\"pagination comment-pages\" aria-label=\"" + escape_attribute(s.comment_pages) + "\">\n";
        if (page.earlier) out += link(place, "prev", earlier + section, s.earlier_comments, "← ") + "\n";
        if (page.next) out += link(place, "next", thread_page_from(*page.next) + section, s.later_comments, "", " →") + "\n";
        out += "</nav>\n";
    }
    return out;
}

}  // namespace fedblog::web
