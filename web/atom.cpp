#include "web/atom.hpp"

#include <algorithm>

#include "common/time.hpp"
#include "web/escape.hpp"

namespace fedblog::web {

namespace {

store::Timestamp last_change(const store::Post& post) { return post.updated.value_or(post.published); }

void element(std::string& out, std::string_view indent, std::string_view name, std::string_view value) {
    out += indent;
    out += "<";
    out += name;
    out += ">" + escape_xml(value) + "</";
    out += name;
    out += ">\n";
}

void link(std::string& out, std::string_view indent, std::string_view rel, std::string_view type,
          std::string_view href) {
    out += indent;
    out += "<link rel=\"";
    out += rel;
    out += "\" type=\"";
    out += type;
    out += "\" href=\"" + escape_xml(href) + "\"/>\n";
}

}  // namespace

std::string render_atom(const SiteView& site) {
    const Settings& settings = site.settings;
    const activitypub::Ids& ids = site.ids;
    const auto& published = site.catalog.published();
    std::size_t count = std::min(published.size(), feed_entries);

    // The feed changes when its newest entry does; an empty blog has nothing newer than the epoch.
    store::Timestamp updated = 0;
    for (std::size_t i = 0; i < count; ++i) updated = std::max(updated, last_change(*published[i]));

    std::string out = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";
    out += "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"" + escape_xml(settings.language) + "\">\n";
    element(out, "  ", "id", ids.feed());
    element(out, "  ", "title", settings.blog_name);
    if (!settings.blog_summary.empty()) element(out, "  ", "subtitle", settings.blog_summary);
    element(out, "  ", "updated", format_rfc3339(updated));
    link(out, "  ", "self", "application/atom+xml", ids.feed());
    link(out, "  ", "alternate", "text/html", ids.home());
    // Atom requires an author; the blog itself stands in when no person is named.
    out += "  <author>\n";
    element(out, "    ", "name", settings.author_name.empty() ? settings.blog_name : settings.author_name);
    element(out, "    ", "uri", ids.profile());
    out += "  </author>\n";
    if (std::string icon = site_image_url(ids, settings.blog_icon); !icon.empty()) element(out, "  ", "icon", icon);

    for (std::size_t i = 0; i < count; ++i) {
        const store::Post& post = *published[i];
        out += "  <entry";
        if (!post.language.empty()) out += " xml:lang=\"" + escape_xml(post.language) + "\"";
        out += ">\n";
        element(out, "    ", "id", ids.post(post.slug));
        element(out, "    ", "title", post.title);
        element(out, "    ", "published", format_rfc3339(post.published));
        element(out, "    ", "updated", format_rfc3339(last_change(post)));
        link(out, "    ", "alternate", "text/html", ids.post(post.slug));
        for (const auto& tag : post.tags) out += "    <category term=\"" + escape_xml(tag) + "\"/>\n";
        out += "    <summary type=\"html\">" + escape_xml(post.summary_html) + "</summary>\n";
        // The cover image is outside content_html on the page; readers get it at the top of the content.
        std::string content;
        if (!post.image_path.empty())
            content = "<p><img src=\"" + escape_attribute(ids.media(post.image_path)) + "\" alt=\"" +
                      escape_attribute(post.image_alt) + "\"></p>\n";
        content += post.content_html;
        out += "    <content type=\"html\">" + escape_xml(content) + "</content>\n";
        out += "  </entry>\n";
    }
    out += "</feed>\n";
    return out;
}

}  // namespace fedblog::web
