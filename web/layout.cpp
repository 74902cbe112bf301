#include "web/layout.hpp"

#include "common/time.hpp"
#include "web/escape.hpp"
#include "web/style.hpp"

namespace fedblog::web {

namespace {

void meta_property(std::string& out, std::string_view property, std::string_view content) {
    out += "<meta property=\"";
    out += property;
    out += "\" content=\"" + escape_attribute(content) + "\">\n";
}

void meta_name(std::string& out, std::string_view name, std::string_view content) {
    out += "<meta name=\"";
    out += name;
    out += "\" content=\"" + escape_attribute(content) + "\">\n";
}

}  // namespace

std::string site_image_url(const activitypub::Ids& ids, std::string_view setting) {
    if (setting.empty()) return {};
    if (setting.starts_with("https://") || setting.starts_with("http://")) return std::string(setting);
    return ids.media(setting);
}

std::string render_layout(const SiteView& site, const PageMeta& meta, std::string_view main_html) {
    const Settings& settings = site.settings;
    const activitypub::Ids& ids = site.ids;
    const Strings& s = site.strings();
    const store::Post* article = meta.article;

    std::string language = article && !article->language.empty() ? article->language : settings.language;
    std::string title = meta.title.empty() ? settings.blog_name : meta.title + " – " + settings.blog_name;
    std::string description =
        article ? plain_text_from_html(article->summary_html) : shorten(meta.description, description_max_chars);
    std::string image = article && !article->image_path.empty() ? ids.media(article->image_path)
                                                                : site_image_url(ids, settings.blog_icon);
    std::string image_alt = article && !article->image_path.empty() ? article->image_alt : settings.blog_name;

    std::string out;
    out.reserve(4096 + main_html.size());
    out += "<!DOCTYPE html>\n<html lang=\"" + escape_attribute(settings.language) + "\">\n<head>\n";
    out += "<meta charset=\"utf-8\">\n";
    out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    out += "<title>" + escape_text(title) + "</title>\n";
    if (!description.empty()) meta_name(out, "description", description);
    if (!settings.author_name.empty()) meta_name(out, "author", settings.author_name);
    if (!meta.indexable) meta_name(out, "robots", "noindex");
    if (!meta.canonical_url.empty())
        out += "<link rel=\"canonical\" href=\"" + escape_attribute(meta.canonical_url) + "\">\n";
    out += "<link rel=\"stylesheet\" href=\"";
    out += stylesheet_path;
    out += "\">\n";
    // Pasting any page's URL into a Mastodon search finds the Article or the actor through this link.
    out += "<link rel=\"alternate\" type=\"application/activity+json\" href=\"" +
           escape_attribute(article ? ids.post(article->slug) : ids.actor()) + "\">\n";
    out += "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"" + escape_attribute(settings.blog_name) +
           "\" href=\"" + escape_attribute(ids.feed()) + "\">\n";
    std::string icon = site_image_url(ids, settings.blog_icon);
    if (!icon.empty()) out += "<link rel=\"icon\" href=\"" + escape_attribute(icon) + "\">\n";
    // The actor's "Blog" field links here; Mastodon shows it verified when the page links back with rel=me.
    out += "<link rel=\"me\" href=\"" + escape_attribute(ids.profile()) + "\">\n";
    // Mastodon credits the blog's account under link previews of its pages.
    meta_name(out, "fediverse:creator", site.handle());

    meta_property(out, "og:type", article ? "article" : "website");
    meta_property(out, "og:title", meta.title.empty() ? settings.blog_name : meta.title);
    if (!description.empty()) meta_property(out, "og:description", description);
    if (!meta.canonical_url.empty()) meta_property(out, "og:url", meta.canonical_url);
    if (!image.empty()) {
        meta_property(out, "og:image", image);
        meta_property(out, "og:image:alt", image_alt);
    }
    meta_property(out, "og:site_name", settings.blog_name);
    if (std::string locale = og_locale(language); !locale.empty()) meta_property(out, "og:locale", locale);
    if (article) {
        meta_property(out, "article:published_time", format_rfc3339(article->published));
        if (article->updated) meta_property(out, "article:modified_time", format_rfc3339(*article->updated));
        for (const auto& tag : article->tags) meta_property(out, "article:tag", tag);
    }
    // A post's own picture earns the large card; the blog icon is only an avatar-sized thumbnail.
    meta_name(out, "twitter:card", article && !article->image_path.empty() ? "summary_large_image" : "summary");
    out += "</head>\n<body>\n";

    out += "<a class=\"skip-link\" href=\"#contenu\">";
    out += s.skip_to_content;
    out += "</a>\n<header class=\"site-header\">\n<p class=\"site-name\"><a href=\"" + escape_attribute(ids.home()) +
           "\">";
    if (!icon.empty()) out += "<img src=\"" + escape_attribute(icon) + "\" alt=\"\" width=\"40\" height=\"40\">";
    out += escape_text(settings.blog_name) + "</a></p>\n<p class=\"follow\">";
    out += s.follow_prompt;
    out += "<a class=\"handle\" href=\"" + escape_attribute(ids.profile()) + "\">" + escape_text(site.handle()) +
           "</a></p>\n</header>\n";

    out += "<main id=\"contenu\">\n";
    out += main_html;
    out += "</main>\n";

    out += "<footer class=\"site-footer\">\n<p><a href=\"" + escape_attribute(ids.feed()) + "\">";
    out += s.atom_feed;
    out += "</a> · <a href=\"" + escape_attribute(ids.profile()) + "\">";
    out += s.fediverse_profile;
    out += "</a> · <span class=\"handle\">" + escape_text(site.handle()) + "</span></p>\n</footer>\n";
    out += "</body>\n</html>\n";
    return out;
}

}  // namespace fedblog::web
