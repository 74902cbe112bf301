// Seeds a real data folder for the browser test: syncs the content folder (the post), then imports a thread
// through the inbox's own reply functions (receive_reply, receive_reply_update, receive_reply_delete,
// receive_reaction) inside WriteTransactions, as the inbox does after a signature is verified, and approves
// comments as the owner would. The replies are Mastodon-shaped, hostile ones included, so the page and the
// embed show exactly what the import keeps.
//
//   seed_thread <data dir> <content dir> <public url> <image url>
//
// Prints the post's slug. The thread:
//   alice   "Merci pour ce compte rendu" (mention, hashtag)
//     bob     "Je confirme" — edited by an Update
//       carol   content warning "Divulgâcheur", sensitive, an image (<image url>)
//         alice   "Merci pour l'avertissement"             (depth 4)
//   mallory  hostile markup, a hostile name and hostile media
//   [deleted by dave]
//     erin    "La réponse reste"
//   frank    held for approval (never shown)     grace: a direct message (never shown)
#include <iostream>
#include <variant>

#include "activitypub/inbox/replies.hpp"
#include "common/log.hpp"
#include "server/app.hpp"
#include "store/comments.hpp"
#include "store/remote_actors.hpp"
#include "store/transaction.hpp"

using namespace fedblog;
using namespace fedblog::activitypub::inbox;
using nlohmann::json;

namespace {

const std::string remote = "https://m.example";
constexpr const char* public_collection = "https://www.w3.org/ns/activitystreams#Public";

std::string actor(const std::string& name) { return remote + "/users/" + name; }

void save_actor(store::Database& db, const std::string& name, const std::string& display_name) {
    store::RemoteActor a;
    a.id = actor(name);
    a.inbox = a.id + "/inbox";
    a.handle = name + "@m.example";
    a.display_name = display_name;
    a.profile_url = remote + "/@" + name;
    a.fetched_at = 1'700'000'000;
    store::RemoteActors(db).save(a);
}

json note(const std::string& author, int number, const std::string& in_reply_to, const std::string& html,
          const std::string& published, bool is_public = true) {
    const std::string id = actor(author) + "/statuses/" + std::to_string(number);
    return {{"id", id},
            {"type", "Note"},
            {"attributedTo", actor(author)},
            {"inReplyTo", in_reply_to},
            {"content", html},
            {"contentMap", {{"fr", html}}},
            {"published", published},
            {"url", remote + "/@" + author + "/" + std::to_string(number)},
            {"to", json::array({is_public ? public_collection : actor("blog-owner")})},
            {"cc", json::array({actor(author) + "/followers"})},
            {"sensitive", false},
            {"attachment", json::array()}};
}

IncomingActivity incoming(const std::string& type, const json& object, const std::string& suffix) {
    json document = {{"@context", "https://www.w3.org/ns/activitystreams"},
                     {"id", object.value("id", "") + "/" + suffix},
                     {"type", type},
                     {"actor", object.value("attributedTo", "")},
                     {"object", object}};
    auto read = read_activity(document);
    if (auto* malformed = std::get_if<MalformedActivity>(&read)) throw std::runtime_error(malformed->detail);
    return std::get<IncomingActivity>(read);
}

class Seeder {
public:
    Seeder(store::Database& db, const activitypub::Ids& ids) : db_(db), ids_(ids) {}

    std::string create(const json& object, bool approve = true) {
        expect(run([&] { return receive_reply(db_, ids_, incoming("Create", object, "activity"), now_); }),
               {"comment_added", "comment_held", "private_message"});
        if (approve) {
            auto comment = store::Comments(db_).find_by_object_id(object.at("id").get<std::string>());
            store::Comments(db_).set_state(comment->id, "approved");
        }
        return object.at("id");
    }
    void update(const json& object) {
        expect(run([&] { return receive_reply_update(db_, incoming("Update", object, "edit"), now_); }), {"comment_edited"});
    }
    void remove(const std::string& author, const std::string& object_id) {
        json tombstone = {{"id", object_id}, {"type", "Tombstone"}, {"attributedTo", actor(author)}};
        expect(run([&] { return receive_reply_delete(db_, incoming("Delete", tombstone, "delete"), now_); }),
               {"comment_deleted"});
    }
    void react(const std::string& type, const std::string& who, const std::string& post) {
        json document = {{"@context", "https://www.w3.org/ns/activitystreams"},
                         {"id", actor(who) + "#" + type + "s/1"},
                         {"type", type},
                         {"actor", actor(who)},
                         {"object", post}};
        auto activity = std::get<IncomingActivity>(read_activity(document));
        expect(run([&] { return receive_reaction(db_, ids_, activity, now_); }), {"liked", "shared"});
    }

private:
    template <typename Step>
    ReplyOutcome run(Step step) {
        store::WriteTransaction transaction(db_);
        ReplyOutcome outcome = step();
        transaction.commit();
        ++now_;
        return outcome;
    }
    static void expect(const ReplyOutcome& outcome, std::initializer_list<std::string_view> wanted) {
        for (auto w : wanted)
            if (outcome.result == w) return;
        throw std::runtime_error("unexpected import result " + outcome.result + ": " + outcome.detail);
    }

    store::Database& db_;
    const activitypub::Ids& ids_;
    store::Timestamp now_ = 1'795'000'000;
};

}  // namespace

int main(int argc, char** argv) {
    if (argc != 5) {
        std::cerr << "usage: seed_thread <data dir> <content dir> <public url> <image url>\n";
        return 2;
    }
    try {
        Settings settings;
        settings.data_dir = argv[1];
        settings.content_dir = argv[2];
        settings.public_url = argv[3];
        const std::string image_url = argv[4];
        log::configure(log::Level::warn, log::Format::text);  // the test's output is the browser's checks
        server::App app(settings);
        app.sync_content();
        store::Database& db = app.database();
        activitypub::Ids ids(settings.public_url, settings.handle);
        const std::string slug = "atelier";
        const std::string post = ids.post(slug);

        save_actor(db, "alice", "Alice Martin 🚲");
        save_actor(db, "bob", "Bob");
        save_actor(db, "carol", "Carol");
        save_actor(db, "mallory", "<img src=x onerror=\"window.__fedblogPwned='name'\">Mallory");
        save_actor(db, "erin", "Erin");

        Seeder seed(db, ids);
        const std::string mention = "<span class=\"h-card\" translate=\"no\"><a href=\"" + ids.profile() +
                                    "\" class=\"u-url mention\">@<span>blog</span></a></span>";
        const std::string first = seed.create(note(
            "alice", 1, post,
            "<p>" + mention + " Merci pour ce compte rendu ! <a href=\"https://m.example/tags/velo\" "
            "class=\"mention hashtag\" rel=\"tag\">#<span>vélo</span></a></p>",
            "2026-11-20T10:00:00Z"));
        json bobs = note("bob", 2, first, "<p>Je confirme, c’était une belle soirée.</p>", "2026-11-20T11:00:00Z");
        const std::string second = seed.create(bobs);
        bobs["content"] = "<p>Je confirme, c’était une belle soirée (corrigé).</p>";
        bobs["contentMap"] = {{"fr", bobs["content"]}};
        bobs["updated"] = "2026-11-20T12:00:00Z";
        seed.update(bobs);
        json warned = note("carol", 3, second, "<p>La fin : le vélo cargo gagne la course.</p>", "2026-11-20T13:00:00Z");
        warned["summary"] = "Divulgâcheur";
        warned["sensitive"] = true;
        warned["attachment"] = {{{"type", "Document"},
                                 {"mediaType", "image/png"},
                                 {"url", image_url},
                                 {"name", "Un vélo cargo rouge"},
                                 {"width", 64},
                                 {"height", 48}}};
        const std::string third = seed.create(warned);
        seed.create(note("alice", 4, third, "<p>Merci pour l’avertissement.</p>", "2026-11-20T14:00:00Z"));

        json hostile = note(
            "mallory", 5, post,
            "<p>Hostile<script>window.__fedblogPwned='script'</script>"
            "<img src=x onerror=\"window.__fedblogPwned='img'\">"
            "<a href=\"javascript:window.__fedblogPwned='link'\">clique-moi</a> "
            "<svg onload=\"window.__fedblogPwned='svg'\"><script>window.__fedblogPwned='svg-script'</script></svg>"
            "<iframe src=\"javascript:parent.__fedblogPwned='iframe'\"></iframe>"
            "<a href=\"https://ok.example/\" onclick=\"window.__fedblogPwned='onclick'\" style=\"position:fixed\">lien sûr</a> "
            "&lt;b&gt;pas gras&lt;/b&gt;<style>body{display:none}</style>"
            "<a href=\"data:text/html,<script>alert(1)</script>\">données</a>"
            "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>"
            "<form action=\"https://evil.example/\"><button>Envoyer</button></form></p>",
            "2026-11-20T15:00:00Z");
        hostile["url"] = "javascript:window.__fedblogPwned='url'";
        hostile["summary"] = nullptr;
        hostile["attachment"] = {
            {{"type", "Image"}, {"url", "javascript:window.__fedblogPwned='attachment'"}, {"name", "x"}},
            {{"type", "Document"},
             {"mediaType", "video/mp4"},
             {"url", "https://m.example/v.mp4"},
             {"name", "\"><img src=x onerror=\"window.__fedblogPwned='alt'\">vidéo"}}};
        seed.create(hostile);

        const std::string gone = seed.create(note("dave", 6, post, "<p>Je vais supprimer ceci.</p>", "2026-11-20T16:00:00Z"));
        seed.create(note("erin", 7, gone, "<p>La réponse reste.</p>", "2026-11-20T17:00:00Z"));
        seed.remove("dave", gone);

        seed.create(note("frank", 8, post, "<p>En attente de modération.</p>", "2026-11-20T18:00:00Z"), false);
        seed.create(note("grace", 9, post, "<p>Message privé.</p>", "2026-11-20T19:00:00Z", false));

        seed.react("Like", "alice", post);
        seed.react("Like", "bob", post);
        seed.react("Announce", "carol", post);
        std::cout << slug << "\n";
        return 0;
    } catch (const std::exception& error) {
        std::cerr << "seed_thread: " << error.what() << "\n";
        return 1;
    }
}
