#include "common/domains.hpp"

#include <gtest/gtest.h>

using namespace fedblog;

TEST(Domains, ADomainCoversItsSubdomainsWhateverThePort) {
    EXPECT_TRUE(within_domain("spam.example", "spam.example"));
    EXPECT_TRUE(within_domain("a.b.spam.example", "spam.example"));
    EXPECT_TRUE(within_domain("spam.example:8443", "spam.example"));
    EXPECT_TRUE(within_domain("a.spam.example:443", "spam.example"));
    EXPECT_FALSE(within_domain("notspam.example", "spam.example"));
    EXPECT_FALSE(within_domain("spam.example.org", "spam.example"));
    EXPECT_FALSE(within_domain("example", "spam.example"));
    EXPECT_FALSE(within_domain("spam.example", ""));
    EXPECT_EQ(host_without_port("[::1]:8080"), "[::1]");
    EXPECT_EQ(host_without_port("m.example"), "m.example");
}

TEST(Domains, TheOwnersSpellingsBecomeOneForm) {
    EXPECT_EQ(normalize_domain("Spam.Example"), "spam.example");
    EXPECT_EQ(normalize_domain("*.spam.example"), "spam.example");
    EXPECT_EQ(normalize_domain(".spam.example."), "spam.example");
    EXPECT_EQ(normalize_domain("xn--bcher-kva.example"), "xn--bcher-kva.example");
    EXPECT_FALSE(normalize_domain("bücher.example"));  // an IDN is given as xn--
    EXPECT_FALSE(normalize_domain("spam..example"));
    EXPECT_FALSE(normalize_domain("spam.example/path"));
    EXPECT_FALSE(normalize_domain(""));
    EXPECT_FALSE(normalize_domain(std::string(64, 'a') + ".example"));
}
