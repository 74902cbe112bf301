#include "store/hosts.hpp"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.hpp"

using namespace fedblog::store;

namespace {

constexpr Timestamp day = 86400;
constexpr Timestamp first_day = 20000 * day;  // 2024-10-04, midnight UTC

}  // namespace

TEST(Hosts, FailuresOnOneUtcDayCountOnce) {
    fedblog::testing::TempDir dir;
    Database db(dir / "db");
    Hosts hosts(db);
    EXPECT_FALSE(hosts.record_failure("m.example", first_day + 10));
    EXPECT_FALSE(hosts.record_failure("m.example", first_day + day - 1));
    auto health = hosts.find("m.example");
    ASSERT_TRUE(health);
    EXPECT_EQ(health->host, "m.example");
    EXPECT_EQ(health->failure_days, 1);
    EXPECT_EQ(health->last_failure_day, 20000);
    EXPECT_FALSE(health->unavailable_since);
    hosts.record_failure("m.example", first_day + day);  // midnight: the next day
    EXPECT_EQ(hosts.find("m.example")->failure_days, 2);
    EXPECT_FALSE(hosts.find("other.example"));
}

TEST(Hosts, SevenDifferentDaysMakeAHostUnavailableOnce) {
    fedblog::testing::TempDir dir;
    Database db(dir / "db");
    Hosts hosts(db);
    for (int d : {0, 1, 3, 4, 8, 9}) {  // the days need not follow each other
        EXPECT_FALSE(hosts.record_failure("m.example", first_day + d * day + 3600)) << d;
        EXPECT_FALSE(hosts.is_unavailable("m.example")) << d;
    }
    EXPECT_TRUE(hosts.record_failure("m.example", first_day + 12 * day + 60));
    EXPECT_TRUE(hosts.is_unavailable("m.example"));
    EXPECT_FALSE(hosts.record_failure("m.example", first_day + 12 * day + 120));
    EXPECT_FALSE(hosts.record_failure("m.example", first_day + 13 * day));
    auto unavailable = hosts.unavailable();
    ASSERT_EQ(unavailable.size(), 1u);
    EXPECT_EQ(unavailable[0].host, "m.example");
    EXPECT_EQ(unavailable[0].unavailable_since, first_day + 12 * day + 60);
    EXPECT_EQ(unavailable[0].failure_days, 8);
    EXPECT_FALSE(hosts.is_unavailable("other.example"));

    // The threshold is the caller's.
    EXPECT_FALSE(hosts.record_failure("quick.example", first_day, 2));
    EXPECT_TRUE(hosts.record_failure("quick.example", first_day + day, 2));
    EXPECT_EQ(hosts.unavailable().size(), 2u);
    EXPECT_EQ(hosts.unavailable()[1].host, "quick.example");
}

TEST(Hosts, ASuccessStartsTheCountAfresh) {
    fedblog::testing::TempDir dir;
    Database db(dir / "db");
    Hosts hosts(db);
    for (int d = 0; d < 3; ++d) hosts.record_failure("m.example", first_day + d * day);
    EXPECT_FALSE(hosts.record_success("m.example"));  // failing, not unavailable
    auto health = hosts.find("m.example");
    EXPECT_EQ(health->failure_days, 0);
    EXPECT_FALSE(health->last_failure_day);
    hosts.record_failure("m.example", first_day + 2 * day + 10);  // the same day as before the success counts again
    EXPECT_EQ(hosts.find("m.example")->failure_days, 1);

    EXPECT_TRUE(hosts.record_failure("m.example", first_day + 3 * day, 2));
    EXPECT_TRUE(hosts.record_success("m.example"));
    EXPECT_FALSE(hosts.is_unavailable("m.example"));
    EXPECT_TRUE(hosts.unavailable().empty());
    EXPECT_FALSE(hosts.find("m.example")->unavailable_since);
    EXPECT_FALSE(hosts.record_success("m.example"));
    // Six more bad days are not enough: the earlier ones were forgiven.
    for (int d = 4; d < 10; ++d) EXPECT_FALSE(hosts.record_failure("m.example", first_day + d * day));

    EXPECT_FALSE(hosts.record_success("never-failed.example"));
    EXPECT_FALSE(hosts.find("never-failed.example"));  // a healthy host costs no row
}

TEST(Hosts, RecordSuccessesResetsEveryFailingHostOfABatch) {
    fedblog::testing::TempDir dir;
    Database db(dir / "db");
    Hosts hosts(db);
    hosts.record_failure("failing.example", first_day);
    EXPECT_TRUE(hosts.record_failure("down.example", first_day, 1));
    EXPECT_EQ(hosts.record_successes({"healthy.example", "failing.example", "down.example", "with\"quote"}),
              (std::vector<std::string>{"down.example"}));  // only the one that was unavailable
    EXPECT_EQ(hosts.find("failing.example")->failure_days, 0);
    EXPECT_FALSE(hosts.is_unavailable("down.example"));
    EXPECT_EQ(hosts.find("down.example")->failure_days, 0);
    EXPECT_FALSE(hosts.find("healthy.example"));  // a healthy host still costs no row
    EXPECT_TRUE(hosts.record_successes({"failing.example", "down.example"}).empty());
    EXPECT_TRUE(hosts.record_successes({}).empty());
}

TEST(Hosts, SignatureSchemesAreRememberedAcrossRestarts) {
    fedblog::testing::TempDir dir;
    {
        Database db(dir / "db");
        Hosts hosts(db);
        hosts.set_signature_scheme("a.example", "cavage");
        hosts.set_signature_scheme("b.example", "rfc9421");
        hosts.set_signature_scheme("a.example", "rfc9421");
        hosts.record_failure("c.example", first_day);
        EXPECT_THROW(hosts.set_signature_scheme("c.example", "hmac"), SQLite::Exception);
    }
    Database db(dir / "db");
    Hosts hosts(db);
    EXPECT_EQ(hosts.signature_scheme("a.example"), "rfc9421");
    EXPECT_EQ(hosts.signature_scheme("b.example"), "rfc9421");
    EXPECT_FALSE(hosts.signature_scheme("c.example"));  // known for its failures only
    EXPECT_FALSE(hosts.signature_scheme("d.example"));
    EXPECT_EQ(hosts.signature_schemes(), (std::vector<std::pair<std::string, std::string>>{
                                             {"a.example", "rfc9421"}, {"b.example", "rfc9421"}}));

    // Health and scheme live in one row without disturbing each other.
    EXPECT_EQ(hosts.find("a.example")->failure_days, 0);
    EXPECT_TRUE(hosts.record_failure("a.example", first_day, 1));
    EXPECT_EQ(hosts.signature_scheme("a.example"), "rfc9421");
    EXPECT_TRUE(hosts.record_success("a.example"));
    EXPECT_EQ(hosts.signature_scheme("a.example"), "rfc9421");
    hosts.set_signature_scheme("c.example", "cavage");
    EXPECT_EQ(hosts.find("c.example")->failure_days, 1);
}
