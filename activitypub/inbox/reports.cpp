#include "activitypub/inbox/reports.hpp"

#include <algorithm>

#include "common/log.hpp"
#include "store/comments.hpp"
#include "store/posts.hpp"
#include "store/reports.hpp"

namespace fedblog::activitypub::inbox {

namespace {

constexpr std::size_t max_objects = 50;
constexpr std::size_t max_content_bytes = 8 * 1024;

// Cut at a UTF-8 character boundary.
std::string capped(std::string text, std::size_t limit) {
    if (text.size() <= limit) return text;
    std::size_t end = limit;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    text.resize(end);
    return text;
}

std::vector<std::string> reported_ids(const Json& object) {
    std::vector<std::string> ids;
    auto add = [&ids](const Json& node) {
        std::string id = id_of(node);
        if ((id.starts_with("https://") || id.starts_with("http://")) && ids.size() < max_objects &&
            std::find(ids.begin(), ids.end(), id) == ids.end())
            ids.push_back(std::move(id));
    };
    if (object.is_array())
        for (const auto& item : object) add(item);
    else
        add(object);
    return ids;
}

}  // namespace

ReportedObject reported_object(store::Database& db, const Ids& ids, const std::string& id) {
    if (id == ids.actor() || id == ids.profile()) return {"account", "", std::nullopt};
    const std::string prefix = ids.origin() + std::string(Ids::post_prefix);
    if (id.starts_with(prefix)) {
        std::string slug = id.substr(prefix.size());
        if (!slug.empty() && slug.find_first_of("/?#") == std::string::npos && store::Posts(db).find_by_slug(slug))
            return {"post", slug, std::nullopt};
    }
    if (auto comment = store::Comments(db).find_by_object_id(id)) {
        auto post = store::Posts(db).find_by_id(comment->post_id);
        return {"comment", post ? post->slug : "", comment->id};
    }
    return {"unknown", "", std::nullopt};
}

ReplyOutcome receive_flag(store::Database& db, const Ids& ids, const IncomingActivity& flag, store::Timestamp now) {
    store::Report report;
    report.activity_id = flag.id;
    report.actor_id = flag.actor;
    report.objects = reported_ids(flag.object());
    auto content = flag.document.find("content");
    if (content != flag.document.end() && content->is_string())
        report.content = capped(content->get<std::string>(), max_content_bytes);
    report.received_at = now;
    bool about_us = std::any_of(report.objects.begin(), report.objects.end(), [&](const std::string& id) {
        return reported_object(db, ids, id).kind != "unknown";
    });
    if (!about_us) return {"ignored", "a report about nothing this blog holds"};
    auto id = store::Reports(db).insert(report);
    if (!id) return {"ignored", "this report was received before"};
    log::info("report received", {{"report", *id}, {"actor", flag.actor}, {"objects", report.objects.size()}});
    return {"report_received", "the report is kept for the blog's owner"};
}

}  // namespace fedblog::activitypub::inbox
