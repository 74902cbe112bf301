#pragma once
// An immutable in-memory view of all posts, rebuilt after each sync. Request handlers read it without
// touching SQLite, so serving a post costs no database round trip.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "store/post.hpp"

namespace fedblog::store {

class Catalog {
public:
    Catalog() = default;
    explicit Catalog(std::vector<Post> posts);

    // Every post, Tombstones included, newest first.
    const std::vector<Post>& all() const { return posts_; }
    // Published (not deleted) posts, newest first.
    const std::vector<const Post*>& published() const { return published_; }
    // Any post by slug, deleted ones included (they answer 410); nullptr when unknown.
    const Post* find(std::string_view slug) const;
    // Published posts carrying this tag (matched ignoring case, accented capitals included), newest first.
    std::vector<const Post*> tagged(std::string_view tag) const;
    // Every tag of a published post with its number of posts, sorted by name.
    std::vector<std::pair<std::string, std::size_t>> tag_counts() const;

private:
    std::vector<Post> posts_;
    std::vector<const Post*> published_;
    std::map<std::string, const Post*, std::less<>> by_slug_;
};

}  // namespace fedblog::store
