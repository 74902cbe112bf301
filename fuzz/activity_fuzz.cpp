// The activity parser and the inbox's local handling of what it reads (Follow, Undo, Create of a reply,
// Update, Delete, Like, Announce, Flag, Move) against a real SQLite blog (fuzz/support/fuzz_blog).
// The signature is not checked here: no fuzzer input could carry a valid one. The Inbox declares
// InboxFuzzAccess a friend, and only this file defines it: it calls handle_locally and move_follower, the
// steps that follow a verified signature in Inbox::receive; production code has no other way in.
// Input: one activity as JSON, or a JSON array of activities handled in order (a Follow then its Undo...).
// A Move's "target", when embedded as an object, stands for the actor document its origin would serve.
// Each input runs inside a transaction rolled back at its end, so every input meets the same blog.
// Fails on: an exception, an answer outside 202/4xx/503, or an answer without a reason.
#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <cstdlib>

#include "activitypub/inbox/inbox.hpp"
#include "activitypub/remote/document_fetcher.hpp"
#include "activitypub/remote/key_directory.hpp"
#include "fuzz/support/fuzz_blog.hpp"
#include "store/transaction.hpp"

using namespace fedblog;
using namespace fedblog::activitypub;

namespace fedblog::activitypub::inbox {

struct InboxFuzzAccess {
    static InboxAnswer handle(Inbox& inbox, const IncomingActivity& activity) {
        if (activity.type != "Move") return inbox.handle_locally(activity);
        const Json& target = activity.document.value("target", Json());
        if (!target.is_object()) {
            InboxAnswer ignored;  // by field, so a field added to InboxAnswer keeps its default here
            ignored.reason = "ignored";
            ignored.detail = "no embedded target to stand for the fetched one";
            ignored.activity_type = activity.type;
            return ignored;
        }
        return inbox.move_follower(activity, remote::FetchedDocument{nlohmann::json(target), id_of(target)});
    }
};

}  // namespace fedblog::activitypub::inbox

namespace {

constexpr std::int64_t now = 1'795'000'000;

struct Harness {
    Harness()
        : blog(fuzz::fuzz_blog()),
          client(io.get_executor(), transport::ClientOptions::from(blog.app->settings())),
          keys(client, blog.app->database(), {}, {}, [] { return now; }),
          fetcher(client, {}),
          inbox(blog.app->database(), blog.ids, keys, fetcher,
                inbox::InboxOptions{.blocked_domains = {"evil.example"}}, [] { return now; }, {}) {}

    fuzz::FuzzBlog& blog;
    boost::asio::io_context io;  // never run: nothing here goes to the network
    transport::HttpClient client;
    remote::KeyDirectory keys;
    remote::DocumentFetcher fetcher;
    inbox::Inbox inbox;
};

Harness& harness() {
    static Harness h;
    return h;
}

void handle(Harness& h, Json document) {
    auto read = inbox::read_activity(std::move(document));
    if (std::holds_alternative<inbox::MalformedActivity>(read)) return;
    const inbox::InboxAnswer answer = inbox::InboxFuzzAccess::handle(h.inbox, std::get<inbox::IncomingActivity>(read));
    const bool expected = answer.status == 202 || (answer.status >= 400 && answer.status < 500) || answer.status == 503;
    if (!expected || answer.reason.empty()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    harness();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Json document = Json::parse(data, data + size, nullptr, false);
    if (document.is_discarded()) return 0;
    Harness& h = harness();
    store::WriteTransaction rolled_back(h.blog.app->database());
    if (document.is_array()) {
        for (std::size_t i = 0; i < document.size() && i < 16; ++i) handle(h, std::move(document[i]));
    } else {
        handle(h, std::move(document));
    }
    return 0;
}
