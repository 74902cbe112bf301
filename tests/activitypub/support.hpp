#pragma once
// Fixed inputs shared by the activitypub tests, and the golden-file check.
#include <string>
#include <string_view>
#include <vector>

#include "activitypub/ids.hpp"
#include "activitypub/json.hpp"
#include "common/settings.hpp"
#include "store/post.hpp"

namespace fedblog::activitypub::testing {

inline constexpr std::string_view public_key_pem =
    "-----BEGIN PUBLIC KEY-----\n"
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA4wgN3g/pgEXpnPENfW0y\n"
    "Zv/r4uSZRySDV/ks7Te8Qv0E1miEWhpwVpKbAJvTTELw3Bn/tNjwB2dWrMzM3FB/\n"
    "14mEk1ujalw1zSpwZhX4YDvx1o37yG+jaBJBsbP3fKyAC9pu6c860i1vEdcckPyr\n"
    "Lz68x34oLro10u/VW7NYzUdiHUMKZg9zxiPG8u1ZLcU/SMk7FEXKLO7a6ocniQbU\n"
    "8LMjsqmmgBy/du5Dd66VaDWRGy4VQZyYWEvtQKKIuDrncLcRi8l4lb/BItYJMBQV\n"
    "ZpuUgBeXlIUBx4XYj7/RXa2rO+qj49a9ChatufdpVj93SF1dTTGW1GrzdRmMg0E7\n"
    "qwIDAQAB\n"
    "-----END PUBLIC KEY-----\n";

inline constexpr store::Timestamp actor_published = 1764115200;  // 2025-11-26T00:00:00Z

// public_url https://blog.example, handle "blog", French name and summary, a local icon and a remote
// header.
Settings blog_settings();
Ids blog_ids();

// "bonjour-le-monde": tags, an image, published 2025-11-20T10:00:00Z, updated 2025-11-21T08:30:00Z.
store::Post sample_post();
// The same post, deleted 2025-12-01T12:00:00Z.
store::Post deleted_post();
// `count` short posts "billet-01"…, one a day from 2025-01-01T09:00:00Z, newest first.
std::vector<store::Post> numbered_posts(int count);
std::vector<const store::Post*> pointers(const std::vector<store::Post>& posts);

// Compares `actual` with tests/golden/<name>.json as parsed JSON (key order and spacing ignored).
// FEDBLOG_UPDATE_GOLDEN=1 rewrites the file instead.
void expect_golden(const Json& actual, std::string_view name);

}  // namespace fedblog::activitypub::testing
