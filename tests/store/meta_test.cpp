#include "store/meta.hpp"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.hpp"

using namespace fedblog::store;

TEST(Meta, FirstValueStays) {
    fedblog::testing::TempDir dir;
    Database db(dir / "db");
    EXPECT_FALSE(get_meta(db, "actor_created_at"));
    EXPECT_EQ(get_or_set_meta(db, "actor_created_at", "100"), "100");
    EXPECT_EQ(get_or_set_meta(db, "actor_created_at", "200"), "100");
    EXPECT_EQ(get_meta(db, "actor_created_at"), "100");
}
