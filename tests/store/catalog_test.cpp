#include "store/catalog.hpp"

#include <gtest/gtest.h>

using namespace fedblog::store;

namespace {

Post post(std::int64_t id, std::string slug, Timestamp published, std::vector<std::string> tags, bool deleted = false) {
    Post p;
    p.id = id;
    p.slug = std::move(slug);
    p.published = published;
    p.tags = std::move(tags);
    if (deleted) p.deleted = published + 1;
    return p;
}

}  // namespace

TEST(Catalog, PublishedIsNewestFirstWithoutTombstones) {
    Catalog catalog({post(1, "a", 100, {}), post(2, "b", 300, {}), post(3, "gone", 200, {}, true)});
    ASSERT_EQ(catalog.published().size(), 2u);
    EXPECT_EQ(catalog.published()[0]->slug, "b");
    EXPECT_EQ(catalog.published()[1]->slug, "a");
    ASSERT_NE(catalog.find("gone"), nullptr);
    EXPECT_TRUE(catalog.find("gone")->is_deleted());
    EXPECT_EQ(catalog.find("nope"), nullptr);
}

TEST(Catalog, TagsMatchIgnoringAsciiCaseAndCount) {
    Catalog catalog({post(1, "a", 100, {"Vélo", "atelier"}), post(2, "b", 200, {"vélo"}),
                     post(3, "c", 300, {"vélo"}, true)});
    EXPECT_EQ(catalog.tagged("VéLO").size(), 2u);
    auto counts = catalog.tag_counts();
    ASSERT_EQ(counts.size(), 2u);
    // Sorted ignoring case; a tag is shown as its newest post spells it.
    EXPECT_EQ(counts[0], (std::pair<std::string, std::size_t>{"atelier", 1}));
    EXPECT_EQ(counts[1], (std::pair<std::string, std::size_t>{"vélo", 2}));
}

TEST(Catalog, AccentedCapitalsAreTheSameTag) {
    Catalog catalog({post(1, "a", 100, {"Économie"}), post(2, "b", 200, {"économie"})});
    EXPECT_EQ(catalog.tagged("ÉCONOMIE").size(), 2u);
    ASSERT_EQ(catalog.tag_counts().size(), 1u);
    EXPECT_EQ(catalog.tag_counts()[0].second, 2u);
}
