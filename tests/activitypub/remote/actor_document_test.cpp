#include "activitypub/remote/actor_document.hpp"

#include <gtest/gtest.h>

using namespace fedblog::activitypub::remote;
using nlohmann::json;

namespace {

json alice() {
    return json::parse(R"({
      "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
      "id": "https://m.example/users/alice", "type": "Person", "preferredUsername": "alice", "name": "Alice 🚲",
      "inbox": "https://m.example/users/alice/inbox", "endpoints": {"sharedInbox": "https://m.example/inbox"},
      "url": "https://m.example/@alice", "icon": {"type": "Image", "url": "https://files.m.example/a.png"},
      "publicKey": {"id": "https://m.example/users/alice#main-key", "owner": "https://m.example/users/alice",
                    "publicKeyPem": "PEM"}})");
}

}  // namespace

TEST(ActorDocument, ReadsWhatTrustAndCommentsNeed) {
    auto read = read_document(alice(), "https://m.example/users/alice");
    auto* actor = std::get_if<ActorDocument>(&read);
    ASSERT_NE(actor, nullptr);
    EXPECT_EQ(actor->inbox, "https://m.example/users/alice/inbox");
    EXPECT_EQ(actor->shared_inbox, "https://m.example/inbox");
    EXPECT_EQ(actor->name, "Alice 🚲");
    EXPECT_EQ(actor->icon_url, "https://files.m.example/a.png");
    EXPECT_EQ(actor->profile_url, "https://m.example/@alice");
    ASSERT_NE(find_key(*actor, "https://m.example/users/alice#main-key"), nullptr);
    EXPECT_EQ(find_key(*actor, "https://m.example/users/alice#other"), nullptr);
}

TEST(ActorDocument, KeyListsAndOwnersAreChecked) {
    json document = alice();
    document["publicKey"] = json::array(
        {{{"id", "https://m.example/users/alice#main-key"}, {"owner", "https://m.example/users/bob"}, {"publicKeyPem", "X"}},
         {{"id", "https://m.example/users/alice#second"}, {"owner", "https://m.example/users/alice"}, {"publicKeyPem", "Y"}}});
    auto read = read_document(document, "https://m.example/users/alice");
    auto& actor = std::get<ActorDocument>(read);
    EXPECT_EQ(find_key(actor, "https://m.example/users/alice#main-key"), nullptr);  // owned by someone else
    ASSERT_NE(find_key(actor, "https://m.example/users/alice#second"), nullptr);
}

TEST(ActorDocument, IdMustBeTheUrlItWasFetchedFrom) {
    EXPECT_TRUE(std::holds_alternative<DocumentError>(read_document(alice(), "https://m.example/users/alice/")));
    EXPECT_TRUE(std::holds_alternative<DocumentError>(read_document(alice(), "https://evil.example/users/alice")));
    EXPECT_TRUE(std::holds_alternative<DocumentError>(read_document(alice(), "http://m.example/users/alice")));
    // Byte equality, as Mastodon checks it: even a differently cased host is another id.
    EXPECT_TRUE(std::holds_alternative<DocumentError>(read_document(alice(), "https://M.EXAMPLE/users/alice")));
    EXPECT_TRUE(std::holds_alternative<ActorDocument>(read_document(alice(), "https://m.example/users/alice#main-key")));
}

TEST(ActorDocument, ProfileUrlOnAnotherHostIsDropped) {
    json document = alice();
    document["url"] = "https://phishing.example/@alice";
    EXPECT_EQ(std::get<ActorDocument>(read_document(document, "https://m.example/users/alice")).profile_url, "");
}

TEST(ActorDocument, BareKeyDocumentNeedsAnOwnerOnItsOrigin) {
    json key = {{"id", "https://m.example/keys/1"}, {"owner", "https://m.example/users/alice"}, {"publicKeyPem", "P"}};
    auto read = read_document(key, "https://m.example/keys/1");
    auto* document = std::get_if<KeyDocument>(&read);
    ASSERT_NE(document, nullptr);
    EXPECT_EQ(document->key.owner, "https://m.example/users/alice");
    EXPECT_TRUE(std::holds_alternative<DocumentError>(read_document(key, "https://other.example/keys/1")));
    key.erase("owner");
    EXPECT_TRUE(std::holds_alternative<DocumentError>(read_document(key, "https://m.example/keys/1")));
}

TEST(ActorDocument, GarbageIsAnErrorNotACrash) {
    for (const char* text : {"[]", "null", "\"x\"", "{}", R"j({"id": 5})j", R"j({"id": "javascript:alert(1)"})j",
                             R"j({"id": "https://m.example/users/alice", "type": "Person"})j",
                             R"j({"id": "https://m.example/users/alice", "type": ["Person"], "inbox": 7})j"})
        EXPECT_TRUE(std::holds_alternative<DocumentError>(read_document(json::parse(text), "https://m.example/users/alice")))
            << text;
}
