#pragma once
// The shell every HTML page shares: <head> with the discovery links and OpenGraph tags, the header with the
// blog's fediverse handle, the footer. Pages only write what goes inside <main>.
#include <string>
#include <string_view>

#include "activitypub/ids.hpp"
#include "common/settings.hpp"
#include "store/catalog.hpp"
#include "store/post.hpp"
#include "web/i18n.hpp"

namespace fedblog::web {

// Everything a page reads, filled by the caller; references only, so it is free to build per request.
struct SiteView {
    const Settings& settings;
    const activitypub::Ids& ids;
    const store::Catalog& catalog;

    const Strings& strings() const { return strings_for(settings.language); }
    // "@blog@blog.example": what a reader types into their own server's search to follow the blog.
    std::string handle() const { return "@" + ids.handle() + "@" + ids.authority(); }
};

// What <head> says about one page.
struct PageMeta {
    std::string title{};                   // plain text; empty on the home page, which is titled by the blog name alone
    std::string description{};             // plain text for og:description; a post page derives it from the summary
    std::string canonical_url{};           // absolute; empty for pages without an address of their own (not found)
    const store::Post* article = nullptr;  // set on a post page: og:type article, its id as the alternate
    bool indexable = true;                 // false asks search engines to skip the page (errors, tombstones)
};

std::string render_layout(const SiteView& site, const PageMeta& meta, std::string_view main_html);

// An image setting (blog_icon, blog_header) as an absolute URL: absolute URLs as they are, anything else
// as a file under the media path. Empty when unset.
std::string site_image_url(const activitypub::Ids& ids, std::string_view setting);

}  // namespace fedblog::web
