#include "activitypub/transport/address_policy.hpp"

#include <gtest/gtest.h>

namespace fedblog::transport {
namespace {

using boost::asio::ip::make_address;

struct Case {
    const char* address;
    const char* range;
};

class RefusedAddress : public ::testing::TestWithParam<Case> {};
class PublicAddress : public ::testing::TestWithParam<Case> {};

TEST_P(RefusedAddress, IsNotPublic) {
    EXPECT_FALSE(is_public_address(make_address(GetParam().address))) << GetParam().range;
}

TEST_P(PublicAddress, IsPublic) {
    EXPECT_TRUE(is_public_address(make_address(GetParam().address))) << GetParam().range;
}

INSTANTIATE_TEST_SUITE_P(
    EveryNonPublicRange, RefusedAddress,
    ::testing::Values(
        Case{"0.0.0.0", "unspecified"}, Case{"0.1.2.3", "this network 0/8"}, Case{"10.0.0.1", "private 10/8"},
        Case{"10.255.255.255", "private 10/8, last"}, Case{"100.64.0.1", "CGNAT 100.64/10"},
        Case{"100.127.255.254", "CGNAT, last"}, Case{"127.0.0.1", "loopback"}, Case{"127.8.9.10", "loopback 127/8"},
        Case{"169.254.169.254", "link-local, cloud metadata"}, Case{"172.16.0.1", "private 172.16/12"},
        Case{"172.31.255.255", "private 172.16/12, last"}, Case{"192.0.0.8", "IETF protocol assignments"},
        Case{"192.0.2.1", "TEST-NET-1"}, Case{"192.88.99.1", "6to4 relay anycast"},
        Case{"192.168.1.1", "private 192.168/16"}, Case{"198.18.0.1", "benchmarking 198.18/15"},
        Case{"198.19.255.255", "benchmarking, last"}, Case{"198.51.100.7", "TEST-NET-2"},
        Case{"203.0.113.9", "TEST-NET-3"}, Case{"224.0.0.1", "multicast"}, Case{"239.255.255.250", "multicast, SSDP"},
        Case{"240.0.0.1", "reserved 240/4"}, Case{"255.255.255.255", "broadcast"}, Case{"::", "IPv6 unspecified"},
        Case{"::1", "IPv6 loopback"}, Case{"::ffff:127.0.0.1", "IPv4-mapped loopback"},
        Case{"::ffff:10.1.2.3", "IPv4-mapped private"}, Case{"::ffff:169.254.169.254", "IPv4-mapped metadata"},
        Case{"::127.0.0.1", "IPv4-compatible loopback"},
        Case{"::8.8.8.8", "IPv4-compatible, deprecated even when public"},
        Case{"64:ff9b::7f00:1", "NAT64 of 127.0.0.1"}, Case{"64:ff9b::a00:1", "NAT64 of 10.0.0.1"},
        Case{"64:ff9b:1::1", "NAT64 local use"}, Case{"2002:7f00:1::1", "6to4 of 127.0.0.1"},
        Case{"2002:c0a8:101::1", "6to4 of 192.168.1.1"}, Case{"2001::1", "Teredo"},
        Case{"2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo, real shape"}, Case{"2001:2::1", "benchmarking"},
        Case{"2001:1ff::1", "IETF protocol assignments 2001::/23, last"}, Case{"2001:db8::1", "documentation"},
        Case{"3fff::1", "documentation 3fff::/20"}, Case{"100::1", "discard 100::/64"}, Case{"fc00::1", "unique local"},
        Case{"fd12:3456::1", "unique local fd"}, Case{"fe80::1", "link-local"}, Case{"febf::1", "link-local, last"},
        Case{"fec0::1", "site-local"}, Case{"ff02::1", "multicast"},
        Case{"4000::1", "outside global unicast 2000::/3"}),
    [](const ::testing::TestParamInfo<Case>& info) { return "row" + std::to_string(info.index); });

INSTANTIATE_TEST_SUITE_P(
    AroundTheRanges, PublicAddress,
    ::testing::Values(Case{"8.8.8.8", "public"}, Case{"1.1.1.1", "public"}, Case{"100.63.255.255", "just below CGNAT"},
                      Case{"100.128.0.0", "just above CGNAT"}, Case{"172.15.255.255", "just below 172.16/12"},
                      Case{"172.32.0.0", "just above 172.16/12"}, Case{"192.167.255.255", "just below 192.168/16"},
                      Case{"198.20.0.0", "just above 198.18/15"}, Case{"223.255.255.255", "just below multicast"},
                      Case{"2606:4700:4700::1111", "public IPv6"}, Case{"2a00:1450:4001::200e", "public IPv6"},
                      Case{"2001:200::1", "just above 2001::/23"}, Case{"2001:4860:4860::8888", "public in 2001::/16"},
                      Case{"::ffff:8.8.8.8", "IPv4-mapped public"}, Case{"64:ff9b::808:808", "NAT64 of 8.8.8.8"},
                      Case{"2002:808:808::1", "6to4 of 8.8.8.8"}),
    [](const ::testing::TestParamInfo<Case>& info) { return "row" + std::to_string(info.index); });

TEST(AddressPolicy, RefusesPrivateAddressesByDefault) {
    AddressPolicy policy;
    EXPECT_FALSE(policy.permits(make_address("127.0.0.1")));
    EXPECT_FALSE(policy.permits(make_address("fd00::1")));
    EXPECT_TRUE(policy.permits(make_address("8.8.8.8")));
}

TEST(AddressPolicy, AllowPrivateAddressesPermitsEverything) {
    AddressPolicy policy;
    policy.allow_private_addresses = true;
    EXPECT_TRUE(policy.permits(make_address("127.0.0.1")));
    EXPECT_TRUE(policy.permits(make_address("192.168.1.10")));
    EXPECT_TRUE(policy.permits(make_address("::1")));
}

TEST(AddressPolicy, AlwaysAllowedIsExact) {
    AddressPolicy policy;
    policy.always_allowed = {make_address("192.168.1.10")};
    EXPECT_TRUE(policy.permits(make_address("192.168.1.10")));
    EXPECT_FALSE(policy.permits(make_address("192.168.1.11")));
}

}  // namespace
}  // namespace fedblog::transport
