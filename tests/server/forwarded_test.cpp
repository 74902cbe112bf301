// The client address behind a reverse proxy, and the settings that say which proxies to believe.
#include "server/forwarded.hpp"

#include <gtest/gtest.h>

#include "server/config.hpp"

using namespace fedblog::server;

namespace {

TEST(AddressSet, MatchesAddressesAndNetworksOfBothFamilies) {
    auto set = AddressSet::parse({"127.0.0.1", "10.0.0.0/8", " 192.168.1.0/24 ", "::1", "fd00::/8", "2001:db8::/33"});
    EXPECT_TRUE(set.contains("127.0.0.1"));
    EXPECT_FALSE(set.contains("127.0.0.2"));
    EXPECT_TRUE(set.contains("10.255.0.3"));
    EXPECT_FALSE(set.contains("11.0.0.1"));
    EXPECT_TRUE(set.contains("192.168.1.200"));
    EXPECT_FALSE(set.contains("192.168.2.1"));
    EXPECT_TRUE(set.contains("::1"));
    EXPECT_TRUE(set.contains("fd12:3456::9"));
    EXPECT_FALSE(set.contains("fe80::1"));
    EXPECT_TRUE(set.contains("2001:db8:7fff::1"));
    EXPECT_FALSE(set.contains("2001:db8:8000::1"));  // outside the /33
    EXPECT_TRUE(set.contains("::ffff:10.1.2.3"));     // IPv4-mapped, as a dual-stack socket reports it
    EXPECT_FALSE(set.contains("not an address"));
    EXPECT_TRUE(AddressSet::parse({"0.0.0.0/0"}).contains("203.0.113.9"));
    EXPECT_TRUE(AddressSet::parse({}).empty());
}

TEST(AddressSet, RefusesWhatIsNotAnAddressOrNetwork) {
    EXPECT_THROW(AddressSet::parse({"localhost"}), std::invalid_argument);
    EXPECT_THROW(AddressSet::parse({"10.0.0.0/33"}), std::invalid_argument);
    EXPECT_THROW(AddressSet::parse({"::/129"}), std::invalid_argument);
    EXPECT_THROW(AddressSet::parse({"10.0.0.0/"}), std::invalid_argument);
    EXPECT_THROW(AddressSet::parse({"10.0.0.0/8x"}), std::invalid_argument);
    try {
        AddressSet::parse({"127.0.0.1", "proxy.example"});
        FAIL();
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("proxy.example"), std::string::npos);
    }
}

TEST(ForwardedAddress, ReadsTheFormsProxiesWrite) {
    EXPECT_EQ(forwarded_address(" 203.0.113.9 ")->to_string(), "203.0.113.9");
    EXPECT_EQ(forwarded_address("203.0.113.9:4711")->to_string(), "203.0.113.9");
    EXPECT_EQ(forwarded_address("2001:db8::1")->to_string(), "2001:db8::1");
    EXPECT_EQ(forwarded_address("[2001:db8::1]:4711")->to_string(), "2001:db8::1");
    EXPECT_FALSE(forwarded_address("unknown"));
    EXPECT_FALSE(forwarded_address("_hidden"));
    EXPECT_FALSE(forwarded_address("[2001:db8::1"));
    EXPECT_FALSE(forwarded_address(""));
}

TEST(ClientAddress, BelievesForwardedForOnlyFromTrustedProxies) {
    auto trusted = AddressSet::parse({"127.0.0.1", "10.0.0.0/8"});
    // A client talking directly cannot claim to be someone else.
    EXPECT_EQ(client_address("198.51.100.4", "203.0.113.9", trusted), "198.51.100.4");
    // Through the proxy: the address the proxy appended.
    EXPECT_EQ(client_address("127.0.0.1", "203.0.113.9", trusted), "203.0.113.9");
    // A client's own header is left of what the proxy appended, and never read.
    EXPECT_EQ(client_address("127.0.0.1", "1.2.3.4, 203.0.113.9", trusted), "203.0.113.9");
    // Through a chain of trusted proxies (a CDN's edge in 10/8, then nginx).
    EXPECT_EQ(client_address("127.0.0.1", "1.2.3.4, 203.0.113.9, 10.0.0.7", trusted), "203.0.113.9");
    // Only trusted hops: the farthest one is the best we know.
    EXPECT_EQ(client_address("127.0.0.1", "10.0.0.8,10.0.0.7", trusted), "10.0.0.8");
    // Junk where the client should be: the last honest hop.
    EXPECT_EQ(client_address("127.0.0.1", "junk, 10.0.0.7", trusted), "10.0.0.7");
    EXPECT_EQ(client_address("127.0.0.1", "unknown", trusted), "127.0.0.1");
    EXPECT_EQ(client_address("127.0.0.1", "", trusted), "127.0.0.1");
    EXPECT_EQ(client_address("127.0.0.1", "[2001:db8::1]:5000", trusted), "2001:db8::1");
    // No trusted proxies configured: the header is never believed.
    EXPECT_EQ(client_address("127.0.0.1", "203.0.113.9", AddressSet::parse({})), "127.0.0.1");
}

CommandLine parse(std::vector<const char*> args, std::vector<const char*> environment = {}) {
    args.insert(args.begin(), "fedblog");
    environment.push_back(nullptr);
    return parse_command_line(static_cast<int>(args.size()), args.data(), environment.data());
}

TEST(ProxySettings, AreCommaListsCheckedAtStart) {
    auto defaults = parse({"serve"});
    EXPECT_TRUE(defaults.settings.trusted_proxies.empty());
    EXPECT_EQ(defaults.settings.metrics_allowed, (std::vector<std::string>{"127.0.0.1", "::1"}));
    auto given = parse({"serve", "--trusted-proxies", "127.0.0.1, 10.0.0.0/8"}, {"FEDBLOG_METRICS_ALLOWED="});
    EXPECT_EQ(given.settings.trusted_proxies, (std::vector<std::string>{"127.0.0.1", "10.0.0.0/8"}));
    EXPECT_TRUE(given.settings.metrics_allowed.empty());  // nobody
    EXPECT_NO_THROW(validate(given.settings));
    auto bad = parse({"serve", "--trusted-proxies", "nginx.local"});
    try {
        validate(bad.settings);
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("trusted_proxies"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("nginx.local"), std::string::npos) << e.what();
    }
}

}  // namespace
