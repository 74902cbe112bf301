#pragma once
// A blog with one post on a real SQLite file, and replies to it as the inbox reads them.
#include <gtest/gtest.h>

#include "activitypub/ids.hpp"
#include "activitypub/inbox/incoming.hpp"
#include "store/followers.hpp"
#include "store/posts.hpp"
#include "tests/support/temp_dir.hpp"

namespace fedblog::activitypub::inbox::testing {

class InboxStoreTest : public ::testing::Test {
protected:
    InboxStoreTest() : db(dir / "db"), ids("https://blog.example", "blog") {
        store::Post post;
        post.slug = "bonjour";
        post.source_path = "bonjour.md";
        post.source_hash = "h";
        post.title = "Bonjour";
        post.summary_html = post.content_html = "<p>Bonjour</p>";
        post.language = "fr";
        post.published = 1000;
        post_id = store::Posts(db).insert(post);
    }

    // A Create of a public Note answering the post.
    IncomingActivity reply(const std::string& actor, const std::string& html, Json extra = Json::object()) {
        Json note = {{"id", actor + "/statuses/" + std::to_string(++serial)},
                     {"type", "Note"},
                     {"attributedTo", actor},
                     {"inReplyTo", ids.post("bonjour")},
                     {"content", html},
                     {"to", Json::array({"https://www.w3.org/ns/activitystreams#Public"})}};
        note.update(extra);
        return activity({{"id", note["id"].get<std::string>() + "/activity"},
                         {"type", "Create"},
                         {"actor", actor},
                         {"object", note}});
    }

    static IncomingActivity activity(Json document) { return std::get<IncomingActivity>(read_activity(std::move(document))); }

    void follows(const std::string& actor) {
        store::Follower follower;
        follower.actor_id = actor;
        follower.inbox = actor + "/inbox";
        follower.shared_inbox = actor.substr(0, actor.find("/users/")) + "/inbox";
        follower.follow_activity_id = actor + "#follow";
        follower.accepted = true;
        follower.created_at = 500;
        store::Followers(db).save(follower);
    }

    fedblog::testing::TempDir dir;
    store::Database db;
    Ids ids;
    std::int64_t post_id = 0;
    int serial = 0;
};

}  // namespace fedblog::activitypub::inbox::testing
