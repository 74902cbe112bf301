#include "web/comments_api.hpp"

#include <map>

#include "common/time.hpp"
#include "web/thread_pages.hpp"

namespace fedblog::web {

namespace {

using activitypub::Json;

bool is_http_url(const std::string& url) { return url.starts_with("https://") || url.starts_with("http://"); }

Json optional_text(const std::string& text) { return text.empty() ? Json(nullptr) : Json(text); }

Json author_json(const ThreadEntry& entry) {
    const CommentAuthor& a = entry.author;
    const store::Comment& c = entry.comment;
    return {{"name", a.name.empty() ? (a.handle.empty() ? c.actor_id : a.handle) : a.name},
            {"handle", optional_text(a.handle)},
            {"url", is_http_url(a.profile_url) ? a.profile_url : c.actor_id},
            // The page shows https avatars only (no mixed content); the API says the same.
            {"avatar", a.avatar_url.starts_with("https://") ? Json(a.avatar_url) : Json(nullptr)}};
}

Json attachment_json(const store::Attachment& a) {
    return {{"type", a.kind},
            {"url", a.url},
            {"media_type", optional_text(a.media_type)},
            {"description", optional_text(a.name)},
            {"blurhash", optional_text(a.blurhash)},
            {"width", a.width > 0 ? Json(a.width) : Json(nullptr)},
            {"height", a.height > 0 ? Json(a.height) : Json(nullptr)}};
}

Json comment_json(const ThreadEntry& entry, const Json& parent) {
    const store::Comment& c = entry.comment;
    Json out = {{"id", c.object_id}, {"parent", parent}, {"published", format_rfc3339(c.published)}};
    if (c.deleted) {
        // A placeholder keeps only its place in the thread: who wrote what is gone with it.
        out.update({{"url", nullptr}, {"updated", nullptr}, {"deleted", true}, {"by_blog", false},
                    {"author", nullptr}, {"summary", nullptr}, {"sensitive", false}, {"language", nullptr},
                    {"content_html", ""}, {"attachments", Json::array()}});
        return out;
    }
    Json attachments = Json::array();
    for (const auto& a : store::bounded_attachments(entry.attachments)) attachments.push_back(attachment_json(a));
    out.update({{"url", is_http_url(c.url) ? c.url : c.object_id},
                {"updated", c.updated ? Json(format_rfc3339(*c.updated)) : Json(nullptr)},
                {"deleted", false},
                {"by_blog", c.local},
                {"author", author_json(entry)},
                {"summary", optional_text(c.summary)},
                {"sensitive", c.sensitive || !c.summary.empty()},
                {"language", optional_text(c.language)},
                {"content_html", c.content_html},
                {"attachments", std::move(attachments)}});
    return out;
}

}  // namespace

std::string comments_api_url(const SiteView& site, const store::Post& post) {
    return site.ids.origin() + "/api/posts/" + post.slug + "/comments";
}

Json comments_document(const SiteView& site, const store::Post& post, const ThreadPage& thread,
                       const store::ReactionCounts& reactions) {
    // The page holds only what readers see, in thread order; a parent on another page is named all the same.
    std::map<std::int64_t, const std::string*> object_ids;
    for (const auto& entry : thread.entries) object_ids[entry.comment.id] = &entry.comment.object_id;
    for (const auto& [id, object_id] : thread.off_page_parents) object_ids.emplace(id, &object_id);

    Json comments = Json::array();
    for (const ThreadEntry& entry : thread.entries) {
        Json parent = nullptr;
        if (entry.comment.parent_id)
            if (auto found = object_ids.find(*entry.comment.parent_id); found != object_ids.end())
                parent = *found->second;
        comments.push_back(comment_json(entry, parent));
    }
    const std::string address = site.ids.post(post.slug);
    const std::string api = comments_api_url(site, post);
    return {{"post",
             {{"id", address},
              {"url", address},
              {"title", post.title},
              {"published", format_rfc3339(post.published)},
              {"comments_open", post.accepts_replies(site.settings.comments_close_after_days, now_seconds())}}},
            {"counts", {{"comments", thread.total}, {"likes", reactions.likes}, {"shares", reactions.shares}}},
            {"comments", std::move(comments)},
            {"next", thread.next ? Json(api + thread_page_from(*thread.next)) : Json(nullptr)},
            {"prev", thread.earlier ? Json(api + thread_page_before(*thread.earlier)) : Json(nullptr)}};
}

}  // namespace fedblog::web
