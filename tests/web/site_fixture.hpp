#pragma once
// A small blog in memory for the page tests: no database, just Posts in a Catalog.
#include <string>
#include <utility>
#include <vector>

#include "activitypub/ids.hpp"
#include "common/settings.hpp"
#include "common/time.hpp"
#include "store/catalog.hpp"
#include "web/layout.hpp"
#include "web/thread.hpp"

namespace fedblog::web::testing {

inline store::Timestamp at(std::string_view date) { return *parse_date_time(date); }

inline store::Post make_post(std::string slug, std::string title, std::string_view date,
                             std::vector<std::string> tags = {}) {
    static std::int64_t next_id = 1;
    store::Post post;
    post.id = next_id++;
    post.slug = std::move(slug);
    post.title = std::move(title);
    post.summary_html = "<p>Résumé de " + post.slug + ".</p>";
    post.content_html = "<p>Contenu de " + post.slug + ".</p>";
    post.language = "fr";
    post.tags = std::move(tags);
    post.published = at(date);
    return post;
}

struct Site {
    Settings settings = [] {
        Settings s;
        s.public_url = "https://blog.example";
        s.handle = "blog";
        s.blog_name = "La Coop du Coin";
        s.blog_summary = "Le blog de la coopérative.";
        s.language = "fr";
        s.author_name = "L’équipe";
        return s;
    }();
    activitypub::Ids ids{settings.public_url, settings.handle};
    store::Catalog catalog;

    explicit Site(std::vector<store::Post> posts = {}) : catalog(std::move(posts)) {}
    SiteView view() const { return {settings, ids, catalog}; }
};

// n posts, one a day from 2026-01-01, slugs "post-1" (oldest) … "post-n".
inline std::vector<store::Post> numbered_posts(int n) {
    std::vector<store::Post> posts;
    for (int i = 1; i <= n; ++i) {
        store::Post post = make_post("post-" + std::to_string(i), "Billet " + std::to_string(i), "2026-01-01");
        post.published += (i - 1) * 86400;
        posts.push_back(std::move(post));
    }
    return posts;
}

// A whole thread as a single page, as the store would serve it with a page large enough: only what readers see
// (the reference rule, visible_entries), in thread order, and its count.
inline ThreadPage one_page(const std::vector<ThreadEntry>& thread) {
    ThreadPage page;
    for (const ThreadEntry* entry : visible_entries(thread)) {
        page.entries.push_back(*entry);
        if (!entry->comment.deleted) ++page.total;
    }
    return page;
}

inline std::size_t count_of(std::string_view haystack, std::string_view needle) {
    std::size_t count = 0;
    for (std::size_t at = haystack.find(needle); at != std::string_view::npos; at = haystack.find(needle, at + 1))
        ++count;
    return count;
}

}  // namespace fedblog::web::testing
