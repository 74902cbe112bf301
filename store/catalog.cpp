#include "store/catalog.hpp"

#include <algorithm>
#include <cctype>

#include "common/utf8.hpp"

namespace fedblog::store {

Catalog::Catalog(std::vector<Post> posts) : posts_(std::move(posts)) {
    std::stable_sort(posts_.begin(), posts_.end(), [](const Post& a, const Post& b) {
        return a.published != b.published ? a.published > b.published : a.id > b.id;
    });
    for (const Post& post : posts_) {
        by_slug_.emplace(post.slug, &post);
        if (!post.is_deleted()) published_.push_back(&post);
    }
}

const Post* Catalog::find(std::string_view slug) const {
    auto it = by_slug_.find(slug);
    return it == by_slug_.end() ? nullptr : it->second;
}

std::vector<const Post*> Catalog::tagged(std::string_view tag) const {
    std::vector<const Post*> result;
    for (const Post* post : published_)
        if (std::any_of(post->tags.begin(), post->tags.end(),
                        [&](const std::string& t) { return same_ignoring_case(t, tag); }))
            result.push_back(post);
    return result;
}

std::vector<std::pair<std::string, std::size_t>> Catalog::tag_counts() const {
    std::vector<std::pair<std::string, std::size_t>> counts;
    for (const Post* post : published_)
        for (const std::string& tag : post->tags) {
            auto it = std::find_if(counts.begin(), counts.end(),
                                   [&](const auto& entry) { return same_ignoring_case(entry.first, tag); });
            if (it == counts.end())
                counts.emplace_back(tag, 1);
            else
                ++it->second;
        }
    std::sort(counts.begin(), counts.end(),
              [](const auto& a, const auto& b) { return lowercase(a.first) < lowercase(b.first); });
    return counts;
}

}  // namespace fedblog::store
