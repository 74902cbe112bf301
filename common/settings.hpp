#pragma once
// Every setting fedblog knows, as plain values. Parsing (flags, file, environment) lives in server/config;
// everything else only reads this struct.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace fedblog {

enum class ObjectType { article, note };

inline constexpr unsigned max_comments_per_page = 1000;

struct Settings {
    std::string data_dir = "fedblog-data";
    std::string content_dir = "content";
    std::string listen = "127.0.0.1:8080";
    // Origin of every id we publish, without a trailing slash (e.g. "https://blog.example").
    std::string public_url = "http://localhost:8080";
    std::string handle = "blog";
    std::string blog_name = "Le blog";
    std::string blog_summary;  // plain text
    std::string blog_icon;     // path inside content_dir or absolute URL
    std::string blog_header;   // banner image, same forms as the icon
    std::string language = "fr";
    std::string author_name;   // shown in the Atom feed and OpenGraph tags
    ObjectType object_type = ObjectType::article;
    bool manually_approves_followers = false;
    // Domains whose activities the inbox refuses (403) and whose follows get a Reject; subdomains included.
    std::vector<std::string> blocked_domains;
    // Replies to a post older than this many days are kept for the owner but no longer shown; 0 = never.
    unsigned comments_close_after_days = 0;
    // Replies as comments: open (approved unless a spam signal holds them), trusted (approved from followers
    // and actors with an approved comment, held otherwise), all_held.
    std::string comments_moderation = "trusted";
    std::size_t comment_max_bytes = 16 * 1024;  // a reply's source HTML; larger ones are refused
    // Comments on one page of a post's thread (the post page, the embed, the comments API): what one read
    // costs, however many replies the post has. 1 to max_comments_per_page.
    unsigned comments_per_page = 150;
    // Spam signals: each holds a comment for review, whoever wrote it. 0 turns a limit off.
    unsigned comments_actor_rate = 5;       // comments from one actor in 10 minutes
    unsigned comments_domain_rate = 30;     // comments from one server in 10 minutes
    unsigned comments_new_per_domain = 10;  // first-time commenters from one server in an hour
    unsigned comments_max_mentions = 5;     // accounts mentioned in one reply (the blog itself not counted)
    bool comments_hold_links_only = true;   // replies with nothing but links (and mentions)
    unsigned delivery_concurrency = 32;  // deliveries in flight overall
    unsigned delivery_per_host = 4;      // and to one host
    unsigned fetch_per_host = 4;         // fetches (keys, actors, objects) in flight to one host; 0 = no bound
    // Inbox admission, checked before any parsing or signature work. Per remote host (the signature's keyId
    // host, else the client address): a token bucket of inbox_burst_per_host, refilled at inbox_rate_per_host
    // a minute (0 = no limit); over it, 429 with Retry-After. At most inbox_max_in_flight activities verified
    // and handled at once (0 = no bound); over it, 503 with Retry-After.
    unsigned inbox_rate_per_host = 600;
    unsigned inbox_burst_per_host = 600;
    unsigned inbox_max_in_flight = 256;
    bool allow_private_addresses = false;
    bool allow_plain_http = false;  // development: remote http:// URLs (ids stay https-only for keys)
    // Outbound POST signatures: draft-cavage (what every server verifies) or RFC 9421, falling back per host.
    std::string signature_scheme = "cavage";
    unsigned threads = 0;  // 0 = one per core
    std::size_t max_header_bytes = 16 * 1024;
    std::size_t max_body_bytes = 1024 * 1024;  // Mastodon's own inbox limit
    unsigned read_timeout_seconds = 15;
    // Open connections at once, overall and from one client address (a proxy in trusted_proxies is exempt
    // from the second: every client comes through it). Over either, a new connection is closed at accept.
    unsigned max_connections = 1024;
    unsigned max_connections_per_client = 64;
    unsigned shutdown_grace_seconds = 10;
    // Reverse proxies (addresses or CIDR networks) whose X-Forwarded-For names the real client; empty: none.
    std::vector<std::string> trusted_proxies;
    // Clients (addresses or networks, judged by the real client address) that may read GET /metrics.
    std::vector<std::string> metrics_allowed = {"127.0.0.1", "::1"};
    std::string log_format = "text";  // text | json
    std::string log_level = "info";
};

}  // namespace fedblog
