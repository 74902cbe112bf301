#include "server/answer_routes.hpp"

#include <algorithm>
#include <charconv>

#include "activitypub/answer_note.hpp"
#include "activitypub/collections.hpp"
#include "activitypub/delivery/owner_answers.hpp"
#include "store/comment_pages.hpp"
#include "store/comments.hpp"
#include "store/posts.hpp"
#include "web/pages.hpp"
#include "web/thread_pages.hpp"

namespace fedblog::server {

namespace {

std::optional<std::int64_t> answer_number(const std::string& segment) {
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(segment.data(), segment.data() + segment.size(), n);
    if (ec != std::errc{} || end != segment.data() + segment.size() || n < 1) return std::nullopt;
    return n;
}

// Where a reader finds the answer today: on the post's first page when it is there, else on the page that
// starts with it (a long thread pushes it further along as comments arrive).
std::string answer_on_its_page(store::Database& db, const Site& site, const std::string& slug, std::int64_t n) {
    std::string url = site.ids.post(slug);
    if (auto post = store::Posts(db).find_head_by_slug(slug)) {  // the id alone: no texts
        auto first = store::CommentPages(db).starting_at(post->id, std::nullopt, site.settings.comments_per_page);
        const bool on_first = first && std::any_of(first->comments.begin(), first->comments.end(),
                                                   [n](const store::Comment& c) { return c.id == n; });
        if (!on_first) url += web::thread_page_from(n);
    }
    return url + "#" + activitypub::Ids::comment_fragment(n);
}

}  // namespace

std::optional<http::Response> answer_resource(const http::Request& request, const Site& site, store::Database& db,
                                              const web::SiteView& view, const std::vector<std::string>& segments) {
    namespace ap = activitypub;
    if (segments.size() < 2 || segments.size() > 3) return std::nullopt;
    auto n = answer_number(segments[1]);
    if (!n) return std::nullopt;
    auto answer = store::Comments(db).find(*n);
    if (!answer || !answer->local || answer->object_id != site.ids.comment(*n) || answer->state != "approved")
        return std::nullopt;
    const bool json = http::negotiate(request) == http::Representation::activity_json;
    const std::string resource = segments.size() == 3 ? segments[2] : "";
    if (!resource.empty() && resource != "activity" && resource != "replies") return std::nullopt;

    auto document = [&](const ap::Json& json_document, http::Status status = http::Status::ok) {
        return http::activity_json(request, ap::serialize(json_document), status);
    };
    if (answer->deleted) {
        // Gone, never 404: receivers drop their copy on 410 and the id stays retired.
        if (resource.empty() && json) return document(ap::answer_tombstone(*answer, site.ids), http::Status::gone);
        if (json)
            return http::error(request, http::Status::gone, "this answer was deleted",
                               http::Representation::activity_json);
        return http::html(request, web::render_gone(view), http::Status::gone);
    }
    auto context = ap::delivery::answer_context(db, site.settings, site.ids, *answer);
    if (!context) return std::nullopt;
    if (!json) return http::redirect(request, http::Status::found, answer_on_its_page(db, site, context->post_slug, *n));
    if (resource.empty()) return document(ap::answer_note(*answer, *context, site.ids));
    if (resource == "activity") return document(ap::answer_create(*answer, *context, site.ids));
    return document(ap::replies_collection_at(site.ids.comment_replies(*n), context->reply_ids));
}

}  // namespace fedblog::server
