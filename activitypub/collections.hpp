#pragma once
// The actor's collections (outbox, followers, following) and a post's (replies, likes, shares).
// Pages are numbered from 1; a page out of range is std::nullopt, which the router answers with 404.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "activitypub/article.hpp"

namespace fedblog::activitypub {

inline constexpr std::size_t outbox_page_size = 20;
inline constexpr std::size_t followers_page_size = 40;

// OrderedCollection {totalItems, first, last}. An empty outbox still has a first (empty) page, so
// `first` always dereferences.
Json outbox(std::size_t total_posts, const Ids& ids, std::size_t page_size = outbox_page_size);

// One OrderedCollectionPage of Create activities, objects embedded, newest first; prev/next only when
// those pages exist. `published_newest_first` is every published post (Catalog::published()).
std::optional<Json> outbox_page(const std::vector<const store::Post*>& published_newest_first, long page,
                                const Settings& settings, const Ids& ids,
                                std::size_t page_size = outbox_page_size);

// OrderedCollection {totalItems, first}. A `first` must be there: without it Mastodon marks the
// account's social graph as hidden.
Json followers(std::int64_t total_followers, const Ids& ids);

// One page of followers: `actor_ids` are that page's items (the store's slice at offset
// (page - 1) * page_size), `total_followers` all of them. Page 1 always exists.
std::optional<Json> followers_page(long page, const std::vector<std::string>& actor_ids,
                                   std::int64_t total_followers, const Ids& ids,
                                   std::size_t page_size = followers_page_size);

// Always empty (the blog follows no one), with its empty first page embedded for the same reason.
Json following(const Ids& ids);

// Collection of a post's direct replies, all of them on the embedded first page: Mastodon's
// fetch-all-replies stops following `next` once a page gave it 5 items.
Json replies_collection(std::string_view slug, const std::vector<std::string>& reply_ids, const Ids& ids);
// The same collection at any id: an owner's answer lists the comments answering it (Ids::comment_replies).
Json replies_collection_at(const std::string& id, const std::vector<std::string>& reply_ids);

// {id, type: Collection, totalItems}: likes and shares are published as counts only.
Json counted_collection(std::string id, std::int64_t total_items);

}  // namespace fedblog::activitypub
