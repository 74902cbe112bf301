#pragma once
// Posts and their revisions. Every call takes the database lock for its own duration; a caller that
// needs several calls in one transaction opens a WriteTransaction around them.
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "store/database.hpp"
#include "store/post.hpp"

namespace fedblog::store {

enum class PostChange { created, updated, deleted };
// Called inside the transaction of each change, with the post as stored after it: what the change causes
// (delivery jobs) commits with it or not at all. An exception rolls the change back.
using PostObserver = std::function<void(const Post& post, PostChange change)>;

class Posts {
public:
    explicit Posts(Database& db, PostObserver observer = {}) : db_(db), observer_(std::move(observer)) {}

    // Every post, the deleted ones (Tombstones) included, newest published first.
    std::vector<Post> all();
    std::optional<Post> find_by_slug(std::string_view slug);
    std::optional<Post> find_by_id(std::int64_t id);
    std::optional<Post> find_by_source(std::string_view source_path);
    // The post without its texts and image (id, slug, comments_closed, published, deleted only): what placing
    // a reply needs, read for every one that arrives without copying the post's content each time.
    std::optional<Post> find_head_by_slug(std::string_view slug);
    std::optional<Post> find_head_by_id(std::int64_t id);

    // New post; returns its id. The slug must be unused (deleted slugs stay used forever).
    std::int64_t insert(const Post& post);
    // Replaces the content of an existing post (matched by id) and records a revision at post.updated.
    void update(const Post& post);
    // Turns the post into a Tombstone; its slug is never reused.
    void mark_deleted(std::int64_t id, Timestamp when);

    std::int64_t count_published();
    // Revision timestamps of one post, oldest first (the first is its publication).
    std::vector<Timestamp> revisions(std::int64_t id);

private:
    Database& db_;
    PostObserver observer_;
};

}  // namespace fedblog::store
