#include "fuzz/support/fuzz_blog.hpp"

#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "activitypub/inbox/replies.hpp"
#include "common/log.hpp"
#include "common/time.hpp"
#include "store/comments.hpp"
#include "store/followers.hpp"
#include "store/posts.hpp"
#include "store/reactions.hpp"
#include "store/remote_actors.hpp"
#include "store/transaction.hpp"

namespace fedblog::fuzz {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* public_collection = "https://www.w3.org/ns/activitystreams#Public";

void write_file(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
}

void save_actor(store::Database& db, const std::string& id, const std::string& handle, const std::string& name,
                const std::string& shared_inbox) {
    store::RemoteActor actor;
    actor.id = id;
    actor.inbox = id + "/inbox";
    actor.shared_inbox = shared_inbox;
    actor.handle = handle;
    actor.display_name = name;
    actor.profile_url = id;
    actor.key_id = id + "#main-key";
    actor.document = json{{"id", id}, {"type", "Person"}, {"inbox", actor.inbox}, {"name", name}}.dump();
    actor.fetched_at = now_seconds();
    store::RemoteActors(db).save(actor);
}

json note(const std::string& id, const std::string& author, const std::string& in_reply_to, const std::string& html) {
    return {{"id", id},
            {"type", "Note"},
            {"attributedTo", author},
            {"inReplyTo", in_reply_to},
            {"content", html},
            {"published", "2026-05-10T09:00:00Z"},
            {"url", id},
            {"to", json::array({public_collection})},
            {"cc", json::array({author + "/followers"})},
            {"tag", json::array()},
            {"attachment", json::array()}};
}

void import(store::Database& db, const activitypub::Ids& ids, const json& object, bool approve) {
    store::WriteTransaction transaction(db);
    auto outcome = activitypub::inbox::import_reply(db, ids, object, now_seconds());
    if (outcome.status >= 400) throw std::runtime_error("seed reply refused: " + outcome.detail);
    if (approve)
        if (auto comment = store::Comments(db).find_by_object_id(object.at("id").get<std::string>()))
            store::Comments(db).set_state(comment->id, "approved");
    transaction.commit();
}

FuzzBlog build() {
    log::configure(log::Level::error, log::Format::text);
    FuzzBlog blog;
    char pattern[] = "/tmp/fedblog-fuzz-XXXXXX";
    if (!mkdtemp(pattern)) throw std::runtime_error("mkdtemp failed");
    blog.dir = pattern;
    static fs::path to_remove;
    to_remove = blog.dir;
    std::atexit([] {
        std::error_code ignored;
        fs::remove_all(to_remove, ignored);
    });

    fs::copy(fs::path(FEDBLOG_SOURCE_DIR) / "content", blog.dir / "content", fs::copy_options::recursive);
    write_file(blog.dir / "content" / "posts" / "ancien.md",
               "---\ntitle: Un ancien billet\ndate: 2025-01-02\n---\nBientôt supprimé.\n");
    Settings settings;
    settings.data_dir = (blog.dir / "data").string();
    settings.content_dir = (blog.dir / "content").string();
    settings.public_url = blog.ids.origin();
    settings.handle = blog.ids.handle();
    settings.blog_name = "L'atelier vélo";
    settings.threads = 1;
    blog.app = std::make_unique<server::App>(settings);
    blog.app->sync_content();
    fs::remove(blog.dir / "content" / "posts" / "ancien.md");
    blog.app->sync_content();  // the ancien post becomes a Tombstone

    store::Database& db = blog.app->database();
    for (const auto& post : store::Posts(db).all())
        if (!post.is_deleted()) {
            blog.first_post = blog.ids.post(post.slug);
            break;
        }
    if (blog.first_post.empty()) throw std::runtime_error("the sample content has no post");

    save_actor(db, mastodon_actor, "alice@mastodon.example", "Alice 🚲", "https://mastodon.example/inbox");
    save_actor(db, gotosocial_actor, "bob@gts.example", "Bob", "");
    save_actor(db, misskey_actor, "carol@misskey.example", "<b>Carol</b>", "https://misskey.example/inbox");
    save_actor(db, follower_actor, "dana@social.example", "Dana", "https://social.example/inbox");
    store::Follower dana;
    dana.actor_id = follower_actor;
    dana.inbox = std::string(follower_actor) + "/inbox";
    dana.shared_inbox = "https://social.example/inbox";
    dana.handle = "dana@social.example";
    dana.display_name = "Dana";
    dana.follow_activity_id = std::string(follower_actor) + "#follows/1";
    dana.accepted = true;
    dana.created_at = now_seconds();
    store::Followers(db).save(dana);

    const std::string first = "https://mastodon.example/users/alice/statuses/110000000000000001";
    import(db, blog.ids,
           note(first, mastodon_actor, blog.first_post,
                "<p><span class=\"h-card\"><a href=\"https://blog.example/@blog\" class=\"u-url mention\">@<span>blog"
                "</span></a></span> Merci ! <a href=\"https://mastodon.example/tags/velo\" class=\"mention hashtag\" "
                "rel=\"tag\">#<span>vélo</span></a></p>"),
           true);
    const std::string second = "https://gts.example/users/bob/statuses/01HZX3Q4K8M2N5P7R9T1V3W5Y7";
    import(db, blog.ids, note(second, gotosocial_actor, first, "<p>Je confirme.</p>"), true);
    import(db, blog.ids,
           note("https://misskey.example/notes/9k2xc0aa1b", misskey_actor, second,
                "<p>Voir <a href=\"javascript:alert(1)\">ici</a><script>alert(2)</script></p>"),
           false);

    const auto live = store::Posts(db).find_by_slug(blog.first_post.substr(blog.first_post.rfind('/') + 1));
    store::Reactions(db).add(live->id, gotosocial_actor, store::ReactionKind::like,
                             "https://gts.example/users/bob/liked/01HZX4", now_seconds());
    store::Reactions(db).add(live->id, misskey_actor, store::ReactionKind::announce,
                             "https://misskey.example/notes/9k2xc1bb2c/activity", now_seconds());
    return blog;
}

}  // namespace

FuzzBlog& fuzz_blog() {
    static FuzzBlog blog = build();
    return blog;
}

}  // namespace fedblog::fuzz
