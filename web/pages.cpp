#include "web/pages.hpp"

#include <algorithm>

#include "common/time.hpp"
#include "common/utf8.hpp"
#include "web/escape.hpp"
#include "web/thread_pages.hpp"

namespace fedblog::web {

namespace {

constexpr std::size_t profile_recent_posts = 5;

std::string attr(std::string_view value) { return escape_attribute(value); }
std::string text(std::string_view value) { return escape_text(value); }

std::string time_element(store::Timestamp when, const Strings& s) {
    return "<time datetime=\"" + format_rfc3339(when) + "\">" + text(format_long_date(when, s)) + "</time>";
}

std::string lang_attribute(const store::Post& post) {
    return post.language.empty() ? std::string() : " lang=\"" + attr(post.language) + "\"";
}

std::string tag_list(const SiteView& site, const std::vector<std::string>& tags) {
    if (tags.empty()) return {};
    std::string out = "<ul class=\"tags\" aria-label=\"" + attr(site.strings().tags) + "\">";
    for (const auto& tag : tags)
        out += "<li><a href=\"" + attr(site.ids.tag(tag)) + "\" rel=\"tag\">" + text(tag) + "</a></li>";
    return out + "</ul>\n";
}

// One post in a list (home, tag page): title, date, summary, tags.
std::string entry(const SiteView& site, const store::Post& post) {
    std::string out = "<article class=\"entry\"" + lang_attribute(post) + ">\n";
    out += "<h2><a href=\"" + attr(site.ids.post(post.slug)) + "\">" + text(post.title) + "</a></h2>\n";
    out += "<p class=\"meta\">" + time_element(post.published, site.strings()) + "</p>\n";
    out += "<div class=\"summary\">" + post.summary_html + "</div>\n";
    out += tag_list(site, post.tags);
    return out + "</article>\n";
}

std::string index_page_url(const activitypub::Ids& ids, std::size_t page) {
    // Page 1 is the home page itself, so it has a single address.
    return page == 1 ? ids.home() : ids.home() + "?page=" + std::to_string(page);
}

std::string pagination(const SiteView& site, std::size_t page, std::size_t pages) {
    if (pages < 2) return {};
    const Strings& s = site.strings();
    std::string out = "<nav class=\"pagination\" aria-label=\"" + attr(s.pagination) + "\">\n";
    if (page > 1)
        out += "<a rel=\"prev\" href=\"" + attr(index_page_url(site.ids, page - 1)) +
               "\"><span aria-hidden=\"true\">← </span>" + text(s.newer_posts) + "</a>\n";
    out += "<span class=\"page-number\">Page " + std::to_string(page) + std::string(s.page_n_of) +
           std::to_string(pages) + "</span>\n";
    if (page < pages)
        out += "<a rel=\"next\" href=\"" + attr(index_page_url(site.ids, page + 1)) + "\">" + text(s.older_posts) +
               "<span aria-hidden=\"true\"> →</span></a>\n";
    return out + "</nav>\n";
}

std::string site_description(const SiteView& site) {
    if (!site.settings.blog_summary.empty()) return site.settings.blog_summary;
    return std::string(site.strings().follow_prompt) + site.handle();
}

// A notice page (deleted post, not found): a heading, one sentence, the way home.
std::string notice(const SiteView& site, std::string_view heading, std::string_view explanation) {
    return "<div class=\"notice\">\n<h1>" + text(heading) + "</h1>\n<p>" + text(explanation) + "</p>\n<p><a href=\"" +
           attr(site.ids.home()) + "\">" + text(site.strings().back_home) + "</a></p>\n</div>\n";
}

// The replies from the fediverse, then how to write one.
std::string comments_section(const SiteView& site, const store::Post& post, const ThreadPage& thread) {
    const Strings& s = site.strings();
    std::string out = "<section class=\"comments\" id=\"commentaires\" aria-labelledby=\"commentaires-titre\">\n";
    out += "<h2 id=\"commentaires-titre\">" + text(s.comments) + "</h2>\n";
    // A closed post keeps the comments it has; it only stops taking new ones.
    std::string rendered = render_thread_page(site, thread, ThreadPlace::post_page);
    if (!post.accepts_replies(site.settings.comments_close_after_days, now_seconds()))
        return out + rendered + "<p class=\"closed\">" + text(s.comments_closed) + "</p>\n</section>\n";
    out += rendered.empty() ? "<p class=\"empty\">" + text(s.no_comments_yet) + "</p>\n" : rendered;
    out += "<div class=\"reply\">\n<h3>" + text(s.reply_from_your_instance) + "</h3>\n";
    out += "<p>" + text(s.reply_explanation) + "</p>\n";
    out += "<label for=\"adresse-billet\">" + text(s.post_address) + "</label>\n";
    out += "<input id=\"adresse-billet\" type=\"url\" readonly value=\"" + attr(site.ids.post(post.slug)) + "\">\n";
    return out + "</div>\n</section>\n";
}

}  // namespace

std::size_t index_page_count(const store::Catalog& catalog) {
    return std::max<std::size_t>(1, (catalog.published().size() + posts_per_page - 1) / posts_per_page);
}

std::optional<std::string> render_index(const SiteView& site, std::size_t page) {
    std::size_t pages = index_page_count(site.catalog);
    if (page == 0 || page > pages) return std::nullopt;
    const Strings& s = site.strings();
    const auto& posts = site.catalog.published();

    std::string main = "<h1 class=\"visually-hidden\">" + text(s.latest_posts) + "</h1>\n";
    if (posts.empty()) main += "<p class=\"empty\">" + text(s.no_posts_yet) + "</p>\n";
    std::size_t first = (page - 1) * posts_per_page;
    for (std::size_t i = first; i < std::min(posts.size(), first + posts_per_page); ++i) main += entry(site, *posts[i]);
    main += pagination(site, page, pages);

    PageMeta meta{
        .title = page == 1 ? std::string()
                           : "Page " + std::to_string(page) + std::string(s.page_n_of) + std::to_string(pages),
        .description = site_description(site),
        .canonical_url = index_page_url(site.ids, page),
    };
    return render_layout(site, meta, main);
}

std::string render_post(const SiteView& site, const store::Post& post, const ThreadPage& thread,
                        std::int64_t likes, std::int64_t shares) {
    const Strings& s = site.strings();
    std::string main = "<article class=\"post\"" + lang_attribute(post) + ">\n<header class=\"post-header\">\n";
    main += "<h1>" + text(post.title) + "</h1>\n";
    main += "<p class=\"meta\">" + time_element(post.published, s);
    if (post.updated && *post.updated > post.published)
        main += " · <span class=\"updated\">" + text(s.updated_on) + time_element(*post.updated, s) + "</span>";
    main += "</p>\n" + tag_list(site, post.tags) + "</header>\n";
    if (!post.image_path.empty())
        main += "<figure class=\"cover\"><img src=\"" + attr(site.ids.media(post.image_path)) + "\" alt=\"" +
                attr(post.image_alt) + "\"></figure>\n";
    main += "<div class=\"content\">\n" + post.content_html + "\n</div>\n";
    if (likes > 0 || shares > 0)
        main += "<p class=\"reactions\">" +
                text(count_label(static_cast<std::size_t>(likes), s.like_one, s.like_many, s) + " · " +
                     count_label(static_cast<std::size_t>(shares), s.share_one, s.share_many, s)) +
                "</p>\n";
    main += "</article>\n";
    main += comments_section(site, post, thread);

    PageMeta meta{.title = post.title, .canonical_url = site.ids.post(post.slug), .article = &post};
    return render_layout(site, meta, main);
}

std::string render_gone(const SiteView& site) {
    const Strings& s = site.strings();
    PageMeta meta{.title = std::string(s.post_deleted), .indexable = false};
    return render_layout(site, meta, notice(site, s.post_deleted, s.post_deleted_explanation));
}

std::string render_not_found(const SiteView& site) {
    const Strings& s = site.strings();
    PageMeta meta{.title = std::string(s.not_found), .indexable = false};
    return render_layout(site, meta, notice(site, s.not_found, s.not_found_explanation));
}

std::string render_interaction(const SiteView& site, std::string_view uri) {
    const Strings& s = site.strings();
    PageMeta meta{.title = std::string(s.interaction_heading), .indexable = false};
    std::string main = "<div class=\"notice\">\n<h1>" + text(s.interaction_heading) + "</h1>\n<p>" +
                       text(s.interaction_explanation) + "</p>\n";
    // Only web links become links: a javascript: or data: "uri" must not reach an href.
    if (uri.starts_with("https://") || uri.starts_with("http://"))
        main += "<p><a href=\"" + attr(uri) + "\" rel=\"nofollow noopener noreferrer\">" + text(s.interaction_open) +
                "</a></p>\n";
    main += "<p><a href=\"" + attr(site.ids.home()) + "\">" + text(s.back_home) + "</a></p>\n</div>\n";
    return render_layout(site, meta, main);
}

std::optional<std::string> render_tag(const SiteView& site, std::string_view tag) {
    std::vector<const store::Post*> posts = site.catalog.tagged(tag);
    if (posts.empty()) return std::nullopt;
    const Strings& s = site.strings();
    // Show and link the tag as the newest post spells it, whatever case the address used.
    std::string name(tag);
    for (const auto& candidate : posts.front()->tags)
        if (same_ignoring_case(candidate, tag)) name = candidate;

    std::string main = "<header class=\"page-header\">\n<h1>" + text(s.tag_heading) + "<span class=\"tag-name\">" +
                       text(name) + "</span></h1>\n<p class=\"meta\">" +
                       text(count_label(posts.size(), s.post_one, s.post_many, s)) + "</p>\n</header>\n";
    for (const store::Post* post : posts) main += entry(site, *post);

    PageMeta meta{
        .title = std::string(s.tag_heading) + name,
        .description = site_description(site),
        .canonical_url = site.ids.tag(name),
    };
    return render_layout(site, meta, main);
}

std::string render_profile(const SiteView& site, std::size_t follower_count) {
    const Settings& settings = site.settings;
    const Strings& s = site.strings();
    const auto& posts = site.catalog.published();

    std::string main = "<div class=\"profile\">\n";
    if (std::string banner = site_image_url(site.ids, settings.blog_header); !banner.empty())
        main += "<img class=\"banner\" src=\"" + attr(banner) + "\" alt=\"\">\n";
    main += "<header class=\"profile-card\">\n";
    if (std::string icon = site_image_url(site.ids, settings.blog_icon); !icon.empty())
        main += "<img class=\"avatar\" src=\"" + attr(icon) + "\" alt=\"\" width=\"96\" height=\"96\">\n";
    main += "<h1>" + text(settings.blog_name) + "</h1>\n";
    // One click selects the whole handle (user-select: all), ready to copy.
    main += "<p class=\"handle-big\"><code>" + text(site.handle()) + "</code></p>\n";
    if (!settings.blog_summary.empty()) main += "<p class=\"bio\">" + text(settings.blog_summary) + "</p>\n";
    main += "<p class=\"stats\">" + text(count_label(follower_count, s.follower_one, s.follower_many, s)) + " · " +
            text(count_label(posts.size(), s.post_one, s.post_many, s)) + "</p>\n</header>\n";

    main += "<section class=\"how-to-follow\" aria-labelledby=\"suivre\">\n<h2 id=\"suivre\">" + text(s.how_to_follow) +
            "</h2>\n<ol>\n";
    for (auto step : s.follow_steps) main += "<li>" + text(step) + "</li>\n";
    main += "</ol>\n<p>" + text(s.only_new_posts) + "</p>\n</section>\n";

    if (!posts.empty()) {
        main += "<section aria-labelledby=\"recents\">\n<h2 id=\"recents\">" + text(s.recent_posts) +
                "</h2>\n<ul class=\"post-list\">\n";
        for (std::size_t i = 0; i < std::min(posts.size(), profile_recent_posts); ++i)
            main += "<li" + lang_attribute(*posts[i]) + "><a href=\"" + attr(site.ids.post(posts[i]->slug)) + "\">" +
                    text(posts[i]->title) + "</a> " + time_element(posts[i]->published, s) + "</li>\n";
        main += "</ul>\n<p><a href=\"" + attr(site.ids.home()) + "\">" + text(s.all_posts) + "</a></p>\n</section>\n";
    }

    if (auto tags = site.catalog.tag_counts(); !tags.empty()) {
        // A plain loop: clang 14 (the sanitizer and fuzz builds) cannot compile libstdc++ 12's views.
        std::size_t least = tags.front().second, most = least;
        for (const auto& tag : tags) {
            least = std::min(least, tag.second);
            most = std::max(most, tag.second);
        }
        main += "<section aria-labelledby=\"etiquettes\">\n<h2 id=\"etiquettes\">" + text(s.tags) +
                "</h2>\n<ul class=\"tags tag-cloud\">\n";
        for (const auto& [tag, count] : tags) {
            // Four sizes, from the least used tag to the most used.
            std::size_t weight = most == least ? 1 : 1 + 3 * (count - least) / (most - least);
            main += "<li class=\"weight-" + std::to_string(weight) + "\"><a href=\"" + attr(site.ids.tag(tag)) +
                    "\" rel=\"tag\">" + text(tag) + " <span class=\"count\">" + std::to_string(count) +
                    "</span></a></li>\n";
        }
        main += "</ul>\n</section>\n";
    }
    main += "</div>\n";

    PageMeta meta{.title = site.handle(), .description = site_description(site), .canonical_url = site.ids.profile()};
    return render_layout(site, meta, main);
}

}  // namespace fedblog::web
