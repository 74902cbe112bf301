#pragma once
// The one owner of every local URL shape. Anything that writes or routes a local URL asks here, so an id
// we publish and the path we answer it on can never drift apart.
#include <cstdint>
#include <string>
#include <string_view>

namespace fedblog::activitypub {

class Ids {
public:
    // origin: "https://blog.example" (no trailing slash); handle: "blog".
    Ids(std::string origin, std::string handle);

    const std::string& origin() const { return origin_; }
    const std::string& handle() const { return handle_; }
    // "blog.example" or "localhost:8080": the host part of acct: URIs.
    const std::string& authority() const { return authority_; }
    // "blog.example" or "localhost", lower-cased, never a port: what domain lists compare against.
    const std::string& host() const { return host_; }
    std::string acct() const { return "acct:" + handle_ + "@" + authority_; }

    // Paths (what the router matches) and absolute URLs (what documents carry).
    std::string actor_path() const { return "/users/" + handle_; }
    std::string actor() const { return origin_ + actor_path(); }
    std::string key_id() const { return actor() + "#main-key"; }
    std::string inbox() const { return actor() + "/inbox"; }
    std::string outbox_path() const { return actor_path() + "/outbox"; }
    std::string outbox() const { return origin_ + outbox_path(); }
    std::string outbox_page(long page) const { return outbox() + "?page=" + std::to_string(page); }
    std::string followers_path() const { return actor_path() + "/followers"; }
    std::string followers() const { return origin_ + followers_path(); }
    std::string followers_page(long page) const { return followers() + "?page=" + std::to_string(page); }
    std::string following_path() const { return actor_path() + "/following"; }
    std::string following() const { return origin_ + following_path(); }
    std::string shared_inbox() const { return origin_ + "/inbox"; }
    std::string profile_path() const { return "/@" + handle_; }
    std::string profile() const { return origin_ + profile_path(); }
    std::string home() const { return origin_ + "/"; }
    std::string feed() const { return origin_ + "/feed.xml"; }

    static constexpr std::string_view post_prefix = "/posts/";
    std::string post_path(std::string_view slug) const { return std::string(post_prefix) + std::string(slug); }
    std::string post(std::string_view slug) const { return origin_ + post_path(slug); }
    // The Create activity of a post: its own dereferenceable id, never the Article's.
    std::string post_create(std::string_view slug) const { return post(slug) + "/activity"; }
    // Each revision's Update needs its own id; `revision` is the post's `updated` time (Unix seconds).
    std::string post_update(std::string_view slug, std::int64_t revision) const {
        return post_create(slug) + "/update-" + std::to_string(revision);
    }
    // One Delete per post ever: deleted slugs are never reused.
    std::string post_delete(std::string_view slug) const { return post_create(slug) + "/delete"; }
    std::string post_replies(std::string_view slug) const { return post(slug) + "/replies"; }
    std::string post_likes(std::string_view slug) const { return post(slug) + "/likes"; }
    std::string post_shares(std::string_view slug) const { return post(slug) + "/shares"; }

    // The owner's answers to comments are Notes of their own, numbered by the comment's row id; their
    // activities follow the posts' pattern (one Update id per revision, one Delete ever).
    static constexpr std::string_view comment_prefix = "/comments/";
    std::string comment_path(std::int64_t n) const { return std::string(comment_prefix) + std::to_string(n); }
    std::string comment(std::int64_t n) const { return origin_ + comment_path(n); }
    std::string comment_create(std::int64_t n) const { return comment(n) + "/activity"; }
    std::string comment_update(std::int64_t n, std::int64_t revision) const {
        return comment_create(n) + "/update-" + std::to_string(revision);
    }
    std::string comment_delete(std::int64_t n) const { return comment_create(n) + "/delete"; }
    std::string comment_replies(std::int64_t n) const { return comment(n) + "/replies"; }
    // Where a comment (any comment: the row id) sits on its post's page: the fragment is the thread's anchor.
    static std::string comment_fragment(std::int64_t n) { return "commentaire-" + std::to_string(n); }

    static constexpr std::string_view tag_prefix = "/tags/";
    // Tag names are percent-encoded, since a tag may hold any letter ("économie").
    std::string tag_path(std::string_view tag) const;
    std::string tag(std::string_view tag) const { return origin_ + tag_path(tag); }

    static constexpr std::string_view media_prefix = "/media/";
    std::string media(std::string_view relative_path) const;

    // The OStatus subscribe template: our page that opens a fediverse object (a post URL, an acct:)
    // for a visitor; the blog follows no one, so it leads to our post or explains how to reply.
    std::string interaction_path() const { return "/authorize_interaction"; }
    std::string interaction_template() const { return origin_ + interaction_path() + "?uri={uri}"; }
    std::string webfinger_template() const { return origin_ + "/.well-known/webfinger?resource={uri}"; }
    // The NodeInfo 2.1 document that /.well-known/nodeinfo links to.
    std::string nodeinfo_path() const { return "/nodeinfo/2.1"; }
    std::string nodeinfo() const { return origin_ + nodeinfo_path(); }

private:
    std::string origin_;
    std::string handle_;
    std::string authority_;
    std::string host_;
};

}  // namespace fedblog::activitypub
