#pragma once
// A remote fediverse instance on loopback, TLS with a test CA, for end-to-end federation tests: it serves
// actors (one RSA key shared by all, to keep tests fast), notes, paged collections and arbitrary documents,
// records every POST to its
// inboxes with whether the blog's signature on it verifies, answers them as scripted (202 by default), and
// sends the blog activities signed as one of its actors. One server answers several host names (routing
// by Host), so "another domain" costs nothing.
#include <algorithm>
#include <chrono>
#include <deque>
#include <map>
#include <set>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "common/time.hpp"
#include "keys/cavage.hpp"
#include "keys/key_pair.hpp"
#include "keys/rfc9421.hpp"
#include "keys/signature_policy.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/received_message.hpp"
#include "tests/support/test_ca.hpp"
#include "tests/support/tls_test_server.hpp"

namespace fedblog::testing {

struct ReceivedDelivery {
    std::string host;  // without the port
    std::string path;
    nlohmann::json body;
    bool verified = false;
    std::string key_id;
    bool rfc9421 = false;  // signed with RFC 9421 rather than draft-cavage
    std::string failure;   // why the signature did not verify
    std::chrono::steady_clock::time_point at;
};

class FakeInstance {
public:
    explicit FakeInstance(const TestCa& ca, std::vector<std::string> hosts = {"remote.test"})
        : key_(keys::KeyPair::generate_rsa()),
          hosts_(hosts),
          server_(ca.issue(hosts), [this](const TestRequest& request) { return answer(request); }) {}

    // Plain HTTP at http://127.0.0.1:<port>, for a blog in another process (`fedblog serve` with
    // --allow-private-addresses and --allow-plain-http), which can neither resolve test names nor trust the test CA.
    struct PlainHttp {};
    explicit FakeInstance(PlainHttp)
        : key_(keys::KeyPair::generate_rsa()),
          hosts_({"127.0.0.1"}),
          scheme_("http"),
          server_(std::nullopt, [this](const TestRequest& request) { return answer(request); }) {}

    unsigned short port() const { return server_.port(); }
    const std::vector<std::string>& hosts() const { return hosts_; }
    // Behind a reverse proxy, the instance's ids carry the proxy's port rather than its own. Call first.
    void set_public_port(unsigned short port) { public_port_ = port; }
    std::string origin(const std::string& host = "remote.test") const {
        return scheme_ + "://" + host + ":" + std::to_string(public_port_ ? public_port_ : port());
    }
    std::string actor_id(const std::string& name, const std::string& host = "remote.test") const {
        return origin(host) + "/users/" + name;
    }
    const keys::KeyPair& key() const { return key_; }

    // A Person at /users/<name>, with a personal inbox and (unless told otherwise) the shared /inbox.
    std::string add_actor(const std::string& name, const std::string& host = "remote.test", bool shared_inbox = true,
                          nlohmann::json extra = nlohmann::json::object()) {
        std::string id = actor_id(name, host);
        nlohmann::json actor = {
            {"@context", {"https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"}},
            {"id", id},
            {"type", "Person"},
            {"preferredUsername", name},
            {"name", "Display " + name},
            {"inbox", id + "/inbox"},
            {"publicKey", {{"id", id + "#main-key"}, {"owner", id}, {"publicKeyPem", key_.public_pem()}}}};
        if (shared_inbox) actor["endpoints"] = {{"sharedInbox", origin(host) + "/inbox"}};
        actor.update(extra);
        set_document(host, "/users/" + name, actor);
        return id;
    }

    // A Person whose key is a document of its own (<actor>/key, owner: the actor), as some servers serve it:
    // checking a signature then takes two fetches, the key and its owner. Returns the key id.
    std::string add_actor_with_key_document(const std::string& name, const std::string& host = "remote.test") {
        std::string id = add_actor(name, host);
        std::string key_id = id + "/key";
        nlohmann::json actor = document_at(id);
        actor["publicKey"]["id"] = key_id;
        set_document_at(id, actor);
        set_document_at(key_id, {{"@context", "https://w3id.org/security/v1"},
                                 {"id", key_id},
                                 {"type", "Key"},
                                 {"owner", id},
                                 {"publicKeyPem", key_.public_pem()}});
        return key_id;
    }

    // Every GET is answered after this long (without holding up other requests): a slow server.
    void set_fetch_delay(std::chrono::milliseconds delay) {
        std::lock_guard lock(mutex_);
        fetch_delay_ = delay;
    }
    // The most GETs and POSTs this instance was answering at once, for one host name.
    std::size_t max_concurrent_requests(const std::string& host) const { return server_.max_concurrent(host); }

    // Serves `document` at host + path (an activity to fetch again, a Move target...).
    void set_document(const std::string& host, const std::string& path, nlohmann::json document) {
        std::lock_guard lock(mutex_);
        documents_[host + path] = std::move(document);
        gone_.erase(host + path);
    }
    // Serves `document` at an absolute URL on this instance ("https://remote.test:<port>/notes/1").
    void set_document_at(const std::string& url, nlohmann::json document) {
        auto [host, path] = split_url(url);
        set_document(host, path, std::move(document));
    }
    // What is served at an absolute URL (null when nothing is), to change it and serve it again.
    nlohmann::json document_at(const std::string& url) const {
        auto [host, path] = split_url(url);
        std::lock_guard lock(mutex_);
        auto found = documents_.find(host + path);
        return found == documents_.end() ? nlohmann::json() : found->second;
    }

    // A public Note by `author` (an actor on this instance) at <author>/statuses/<number>, answering
    // `in_reply_to`, as Mastodon shapes one; `extra` is merged in (replies, context, to...). Returns its id.
    std::string add_note(const std::string& author, const std::string& number, const std::string& in_reply_to,
                         const std::string& html, nlohmann::json extra = nlohmann::json::object()) {
        std::string id = author + "/statuses/" + number;
        set_document_at(id, note(id, author, in_reply_to, html, std::move(extra)));
        return id;
    }
    static nlohmann::json note(const std::string& id, const std::string& author, const std::string& in_reply_to,
                               const std::string& html, nlohmann::json extra = nlohmann::json::object()) {
        nlohmann::json document = {{"@context", "https://www.w3.org/ns/activitystreams"},
                                   {"id", id},
                                   {"type", "Note"},
                                   {"attributedTo", author},
                                   {"inReplyTo", in_reply_to.empty() ? nlohmann::json() : nlohmann::json(in_reply_to)},
                                   {"content", html},
                                   {"published", "2026-11-20T10:00:00Z"},
                                   {"url", id + "/page"},
                                   {"to", {"https://www.w3.org/ns/activitystreams#Public"}},
                                   {"cc", {author + "/followers"}}};
        document.update(extra);
        return document;
    }

    // A paged collection at `url` (absolute, on this instance), as Mastodon serves `replies`: the collection
    // names its first page `<url>?page=1`, each page lists `page_size` items (ids or embedded objects) and names
    // the next. `ordered`: OrderedCollection and orderedItems, as FEP-7888 contexts are. Returns `url`.
    std::string add_collection(const std::string& url, const std::vector<nlohmann::json>& items,
                               std::size_t page_size = 10, bool ordered = false) {
        const std::string page_type = ordered ? "OrderedCollectionPage" : "CollectionPage";
        const std::string items_key = ordered ? "orderedItems" : "items";
        std::size_t pages = std::max<std::size_t>(1, (items.size() + page_size - 1) / page_size);
        set_document_at(url, {{"@context", "https://www.w3.org/ns/activitystreams"},
                              {"id", url},
                              {"type", ordered ? "OrderedCollection" : "Collection"},
                              {"totalItems", items.size()},
                              {"first", url + "?page=1"}});
        for (std::size_t page = 1; page <= pages; ++page) {
            nlohmann::json listed = nlohmann::json::array();
            for (std::size_t i = (page - 1) * page_size; i < std::min(items.size(), page * page_size); ++i)
                listed.push_back(items[i]);
            nlohmann::json document = {{"@context", "https://www.w3.org/ns/activitystreams"},
                                       {"id", url + "?page=" + std::to_string(page)},
                                       {"type", page_type},
                                       {"partOf", url},
                                       {items_key, listed}};
            if (page < pages) document["next"] = url + "?page=" + std::to_string(page + 1);
            set_document_at(url + "?page=" + std::to_string(page), document);
        }
        return url;
    }

    // GETs of host + path get this reply instead of a document: a redirect, an odd status.
    void set_reply(const std::string& host, const std::string& path, TestReply reply) {
        std::lock_guard lock(mutex_);
        replies_[host + path] = std::move(reply);
    }

    // From now on host + path answers 410 Gone (a deleted actor).
    void remove_document(const std::string& host, const std::string& path) {
        std::lock_guard lock(mutex_);
        documents_.erase(host + path);
        gone_.insert(host + path);
    }
    // The next POSTs to host + path get these replies, in order; then 202.
    void script_inbox(const std::string& host, const std::string& path, std::vector<TestReply> replies) {
        std::lock_guard lock(mutex_);
        for (auto& reply : replies) scripts_[host + path].push_back(std::move(reply));
    }
    // Signatures are checked against this key (the blog's), as the blog's actor document would give it.
    void trust_blog_key(const std::string& key_id, const std::string& public_pem) {
        std::lock_guard lock(mutex_);
        blog_key_id_ = key_id;
        blog_key_ = keys::public_key_from_pem(public_pem);
    }

    std::vector<ReceivedDelivery> deliveries() const {
        std::lock_guard lock(mutex_);
        return deliveries_;
    }
    std::vector<ReceivedDelivery> deliveries_to(const std::string& host, const std::string& path) const {
        std::vector<ReceivedDelivery> found;
        for (auto& delivery : deliveries())
            if (delivery.host == host && delivery.path == path) found.push_back(delivery);
        return found;
    }
    // GET requests received (paths), to check what the blog fetched.
    std::vector<std::string> fetched_paths() const {
        std::vector<std::string> paths;
        for (const auto& request : server_.requests())
            if (request.method() == boost::beast::http::verb::get) paths.emplace_back(request.target());
        return paths;
    }

    // How many GETs asked for this absolute URL on this instance.
    std::size_t fetch_count(const std::string& url) const {
        auto [host, path] = split_url(url);
        std::size_t count = 0;
        for (const auto& request : server_.requests()) {
            std::string asked(request[boost::beast::http::field::host]);
            if (request.method() == boost::beast::http::verb::get && asked.substr(0, asked.find(':')) == host &&
                std::string(request.target()) == path)
                ++count;
        }
        return count;
    }

    // Waits until `ready()` holds, at most `timeout`.
    template <typename Predicate>
    static bool wait_for(Predicate ready, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        while (!ready()) {
            if (std::chrono::steady_clock::now() > deadline) return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return true;
    }

    enum class Scheme { cavage, rfc9421 };

    // A POST to the blog at 127.0.0.1:blog_port, signed with the instance's key under `key_id`: draft-cavage
    // as Mastodon signs, or RFC 9421 as Mastodon 4.5+ and Fedify can.
    Reply post_signed(unsigned short blog_port, const std::string& target, const nlohmann::json& activity,
                      const std::string& key_id, std::string content_type = "application/activity+json",
                      Scheme scheme = Scheme::cavage) const {
        std::string body = activity.dump();
        keys::HttpMessage message;
        message.method = "POST";
        message.scheme = "http";
        message.authority = "localhost:" + std::to_string(blog_port);
        message.target = target;
        message.headers = {{"host", message.authority}, {"content-type", content_type}};
        message.body = body;
        if (scheme == Scheme::cavage) {
            keys::sign_request(message, key_, key_id, keys::default_covered(message), now_seconds());
        } else {
            auto error = keys::rfc9421::sign_request(
                message, key_, {.key_id = key_id, .created = now_seconds(), .components = {"@method", "@target-uri", "content-digest"}});
            if (error) throw std::runtime_error("RFC 9421 signing failed: " + error->detail);
        }
        HttpClient client(blog_port);
        return client.request(boost::beast::http::verb::post, target, Headers(message.headers.begin(), message.headers.end()),
                              body);
    }

private:
    // "https://remote.test:1234/a?b" → {"remote.test", "/a?b"}: how documents are keyed.
    static std::pair<std::string, std::string> split_url(const std::string& url) {
        std::size_t authority = url.find("://");
        authority = authority == std::string::npos ? 0 : authority + 3;
        std::size_t path = url.find('/', authority);
        std::string host = url.substr(authority, path == std::string::npos ? std::string::npos : path - authority);
        return {host.substr(0, host.find(':')), path == std::string::npos ? "/" : url.substr(path)};
    }

    TestReply answer(const TestRequest& request) {
        std::string host(request[boost::beast::http::field::host]);
        host = host.substr(0, host.find(':'));
        std::string path(request.target());
        std::lock_guard lock(mutex_);
        if (request.method() == boost::beast::http::verb::post) return receive(request, host, path);
        if (auto it = replies_.find(host + path); it != replies_.end()) return it->second;
        TestReply reply;
        reply.delay = fetch_delay_;
        if (auto it = documents_.find(host + path); it != documents_.end()) {
            reply.headers = {{"Content-Type", "application/activity+json"}};
            reply.body = it->second.dump();
        } else {
            reply.status = gone_.contains(host + path) ? 410 : 404;
        }
        return reply;
    }

    TestReply receive(const TestRequest& request, const std::string& host, const std::string& path) {
        ReceivedDelivery delivery{host, path, nlohmann::json::parse(request.body(), nullptr, false), false, {}, false,
                                  {}, std::chrono::steady_clock::now()};
        auto read = keys::read_signature(received_message(request, scheme_), now_seconds());
        if (auto* failure = std::get_if<keys::VerificationFailure>(&read)) {
            delivery.failure = failure->detail;
        } else {
            const auto& claim = std::get<keys::SignatureClaim>(read);
            delivery.key_id = claim.key_id;
            delivery.rfc9421 = claim.scheme == keys::SignatureScheme::rfc9421;
            auto result = blog_key_ ? keys::verify_signature(claim, blog_key_.get()) : keys::VerificationResult{};
            delivery.verified = blog_key_ && claim.key_id == blog_key_id_ && result.verified();
            if (!delivery.verified) delivery.failure = result.failure ? result.failure->detail : "unknown key";
        }
        deliveries_.push_back(std::move(delivery));
        auto& script = scripts_[host + path];
        if (script.empty()) {
            TestReply accepted;
            accepted.status = 202;
            return accepted;
        }
        TestReply next = std::move(script.front());
        script.pop_front();
        return next;
    }

    keys::KeyPair key_;
    std::vector<std::string> hosts_;
    unsigned short public_port_ = 0;
    mutable std::mutex mutex_;
    std::map<std::string, nlohmann::json> documents_;
    std::set<std::string> gone_;
    std::map<std::string, TestReply> replies_;
    std::map<std::string, std::deque<TestReply>> scripts_;
    std::vector<ReceivedDelivery> deliveries_;
    std::string blog_key_id_;
    keys::EvpPkeyPtr blog_key_;
    std::string scheme_ = "https";
    std::chrono::milliseconds fetch_delay_{0};
    TestServer server_;  // last: its thread stops before the state it reads is destroyed
};

}  // namespace fedblog::testing
