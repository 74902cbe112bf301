#include "activitypub/collections.hpp"

#include <algorithm>

#include "activitypub/activities.hpp"
#include "activitypub/context.hpp"

namespace fedblog::activitypub {

namespace {

// Number of pages, at least one: the first page exists even when the collection is empty.
long page_count(std::size_t total, std::size_t page_size) {
    return total == 0 ? 1 : static_cast<long>((total + page_size - 1) / page_size);
}

bool in_range(long page, long pages) { return page >= 1 && page <= pages; }

}  // namespace

Json outbox(std::size_t total_posts, const Ids& ids, std::size_t page_size) {
    return with_context({
        {"id", ids.outbox()},
        {"type", "OrderedCollection"},
        {"totalItems", total_posts},
        {"first", ids.outbox_page(1)},
        {"last", ids.outbox_page(page_count(total_posts, page_size))},
    });
}

std::optional<Json> outbox_page(const std::vector<const store::Post*>& published_newest_first, long page,
                                const Settings& settings, const Ids& ids, std::size_t page_size) {
    const std::size_t total = published_newest_first.size();
    const long pages = page_size == 0 ? 0 : page_count(total, page_size);
    if (!in_range(page, pages)) return std::nullopt;

    const std::size_t begin = static_cast<std::size_t>(page - 1) * page_size;
    const std::size_t end = std::min(total, begin + page_size);
    Json items = Json::array();
    for (std::size_t i = begin; i < end; ++i)
        items.push_back(embedded(create_activity(*published_newest_first[i], settings, ids)));

    Json document = {
        {"id", ids.outbox_page(page)},
        {"type", "OrderedCollectionPage"},
        {"partOf", ids.outbox()},
        {"totalItems", total},
    };
    if (page > 1) document["prev"] = ids.outbox_page(page - 1);
    if (page < pages) document["next"] = ids.outbox_page(page + 1);
    document["orderedItems"] = std::move(items);
    return with_context(std::move(document));
}

Json followers(std::int64_t total_followers, const Ids& ids) {
    return with_context({
        {"id", ids.followers()},
        {"type", "OrderedCollection"},
        {"totalItems", total_followers},
        {"first", ids.followers_page(1)},
    });
}

std::optional<Json> followers_page(long page, const std::vector<std::string>& actor_ids,
                                   std::int64_t total_followers, const Ids& ids, std::size_t page_size) {
    const std::size_t total = total_followers > 0 ? static_cast<std::size_t>(total_followers) : 0;
    const long pages = page_size == 0 ? 0 : page_count(total, page_size);
    if (!in_range(page, pages)) return std::nullopt;

    Json document = {
        {"id", ids.followers_page(page)},
        {"type", "OrderedCollectionPage"},
        {"partOf", ids.followers()},
        {"totalItems", total},
    };
    if (page > 1) document["prev"] = ids.followers_page(page - 1);
    if (page < pages) document["next"] = ids.followers_page(page + 1);
    document["orderedItems"] = actor_ids;
    return with_context(std::move(document));
}

Json following(const Ids& ids) {
    return with_context({
        {"id", ids.following()},
        {"type", "OrderedCollection"},
        {"totalItems", 0},
        {"first",
         {{"type", "OrderedCollectionPage"}, {"partOf", ids.following()}, {"orderedItems", Json::array()}}},
    });
}

Json replies_collection(std::string_view slug, const std::vector<std::string>& reply_ids, const Ids& ids) {
    return replies_collection_at(ids.post_replies(slug), reply_ids);
}

Json replies_collection_at(const std::string& id, const std::vector<std::string>& reply_ids) {
    return with_context({
        {"id", id},
        {"type", "Collection"},
        {"totalItems", reply_ids.size()},
        {"first", {{"type", "CollectionPage"}, {"partOf", id}, {"items", reply_ids}}},
    });
}

Json counted_collection(std::string id, std::int64_t total_items) {
    return with_context({{"id", std::move(id)}, {"type", "Collection"}, {"totalItems", total_items}});
}

}  // namespace fedblog::activitypub
