#include "activitypub/comments/fetched_reply.hpp"

#include <algorithm>

#include "activitypub/remote/actor_document.hpp"
#include "common/log.hpp"
#include "store/remote_actors.hpp"

namespace fedblog::activitypub::comments {

namespace asio = boost::asio;
using nlohmann::json;

WalkBudget::WalkBudget(WalkLimits limits, Clock clock)
    : limits_(limits), clock_(std::move(clock)), deadline_(clock_() + limits.time_budget) {}

bool WalkBudget::take_fetch() {
    if (spent()) return false;
    ++fetches_;
    return true;
}

bool WalkBudget::spent() {
    if (clock_() >= deadline_) {
        exhaust("time");
        return true;
    }
    if (fetches_ >= limits_.max_fetches) {
        exhaust("fetches");
        return true;
    }
    return false;
}

void WalkBudget::exhaust(const std::string& bound) {
    if (std::find(reached_.begin(), reached_.end(), bound) == reached_.end()) reached_.push_back(bound);
}

std::string WalkBudget::exhausted() const {
    std::string joined;
    for (const auto& bound : reached_) joined += (joined.empty() ? "" : ", ") + bound;
    return joined;
}

std::string node_id(const json& node) {
    if (node.is_string()) return node.get<std::string>();
    if (node.is_object())
        if (auto id = node.find("id"); id != node.end() && id->is_string()) return id->get<std::string>();
    return {};
}

namespace {

bool is_reply_type(const std::string& type) {
    return type == "Note" || type == "Article" || type == "Question" || type == "Page";
}

ReplyRefused refused(std::string detail) { return {false, std::move(detail)}; }

}  // namespace

std::variant<FetchedReply, ReplyRefused> read_reply(const json& object, const std::string& served_from) {
    if (!object.is_object()) return refused(served_from + " did not serve an object");
    FetchedReply reply;
    reply.id = node_id(object.value("id", json()));
    reply.author = node_id(object.value("attributedTo", json()));
    reply.in_reply_to = node_id(object.value("inReplyTo", json()));
    const std::string type = object.value("type", json()).is_string() ? object["type"].get<std::string>() : "";
    if (!is_reply_type(type)) return refused(reply.id + " is not a Note, Article, Question or Page");
    auto origin = remote::origin_of(served_from);
    if (!origin || remote::origin_of(reply.id) != origin)
        return refused("the object \"" + reply.id + "\" is not on the origin that served it (" + served_from + ")");
    if (remote::origin_of(reply.author) != origin)
        return refused("the author of " + reply.id + " is not on its origin");
    reply.object = object;
    return reply;
}

asio::awaitable<std::variant<FetchedReply, ReplyRefused>> fetch_reply(const Walker& walker, const std::string& url,
                                                                     WalkBudget& budget) {
    if (walker.blocked && walker.blocked(url)) co_return refused(url + " is on a blocked domain");
    if (remote::origin_of(url) == walker.own_origin) co_return refused(url + " is on this blog's own origin");
    if (!budget.take_fetch()) co_return refused("the walk's budget is spent (" + budget.exhausted() + ")");
    auto fetched = co_await walker.fetcher.fetch(url);
    if (auto* error = std::get_if<remote::FetchError>(&fetched))
        co_return ReplyRefused{error->kind == remote::FetchErrorKind::unavailable, error->detail};
    const auto& document = std::get<remote::FetchedDocument>(fetched);
    if (node_id(document.document.value("id", json())) != url)
        co_return refused(url + " serves a document with another id");
    co_return read_reply(document.document, document.url);
}

asio::awaitable<bool> remember_author(const Walker& walker, const std::string& actor_id, WalkBudget& budget,
                                      std::int64_t now) {
    if (auto cached = store::RemoteActors(walker.db).find(actor_id)) co_return !cached->deleted;
    if (walker.blocked && walker.blocked(actor_id)) co_return false;
    if (!budget.take_fetch()) co_return false;
    auto fetched = co_await walker.fetcher.fetch(actor_id);
    if (auto* error = std::get_if<remote::FetchError>(&fetched)) {
        log::info("reply author unavailable", {{"actor", actor_id}, {"error", error->detail}});
        co_return false;
    }
    const auto& document = std::get<remote::FetchedDocument>(fetched);
    auto read = remote::read_document(document.document, document.url);
    auto* actor = std::get_if<remote::ActorDocument>(&read);
    if (!actor || actor->id != actor_id) {
        log::info("reply author refused", {{"actor", actor_id}, {"reason", "not an actor with that id"}});
        co_return false;
    }
    store::RemoteActors(walker.db).save(remote::to_remote_actor(*actor, nullptr, document.document, now));
    co_return true;
}

}  // namespace fedblog::activitypub::comments
