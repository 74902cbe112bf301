#pragma once
// A real blog for the fuzzers that need one: a temporary data folder (removed at exit) with a real SQLite
// file, the project's sample posts (content/) synced through the real publishing path plus one deleted post,
// remote actors shaped like Mastodon, GoToSocial and Misskey accounts, a follower, a thread of comments
// imported through the inbox's own functions, and reactions. Built once per process.
#include <filesystem>
#include <memory>
#include <string>

#include "activitypub/ids.hpp"
#include "server/app.hpp"

namespace fedblog::fuzz {

// The remote accounts the seed corpora speak as.
inline constexpr const char* mastodon_actor = "https://mastodon.example/users/alice";
inline constexpr const char* gotosocial_actor = "https://gts.example/users/bob";
inline constexpr const char* misskey_actor = "https://misskey.example/users/9k2xbq7m";
inline constexpr const char* follower_actor = "https://social.example/users/dana";
// Every host the seeds name: the fuzzers that own an HTTP client map them to an address the SSRF guard refuses.
inline constexpr const char* seed_hosts[] = {"mastodon.example", "gts.example", "misskey.example", "social.example",
                                             "blog.example", "relay.example", "evil.example"};

struct FuzzBlog {
    std::filesystem::path dir;  // removed at exit
    std::unique_ptr<server::App> app;
    activitypub::Ids ids{"https://blog.example", "blog"};
    std::string first_post;  // the id of a live post, which the seeded comments answer
};

// The blog, built on first use. Logs below error level are silenced: the fuzzers make thousands of requests.
FuzzBlog& fuzz_blog();

}  // namespace fedblog::fuzz
