#include "activitypub/comments/backfill.hpp"

#include <deque>
#include <map>
#include <optional>
#include <set>

#include "activitypub/remote/actor_document.hpp"

namespace fedblog::activitypub::comments {

namespace asio = boost::asio;
using nlohmann::json;

namespace {

// One entry of a collection page, and the URL of the page that listed it (what vouches for an embedded one).
struct Item {
    json node;
    std::string page_url;
};

class Crawl {
public:
    Crawl(const Walker& walker, WalkBudget& budget) : walker_(walker), budget_(budget) {}

    asio::awaitable<void> walk(const std::vector<std::string>& held) {
        for (const auto& id : held) queue_.push_back({id, 0, std::nullopt});
        while (!queue_.empty() && !stopped()) {
            Node node = std::move(queue_.front());
            queue_.pop_front();
            if (!walked_.insert(node.id).second) continue;
            if (!node.reply) {
                auto fetched = co_await fetch_reply(walker_, node.id, budget_);
                if (std::holds_alternative<ReplyRefused>(fetched)) continue;
                node.reply = std::move(std::get<FetchedReply>(fetched));
            }
            ++objects_read_;
            co_await read_conversation(node);
        }
    }

    // Keeps the replies whose parent is in our thread or kept before them, whose author could be cached.
    asio::awaitable<BackfillWalk> placed(std::int64_t now) {
        BackfillWalk result;
        result.objects_read = objects_read_;
        std::set<std::string> placed, unknown_authors;
        std::vector<bool> done(found_.size(), false);
        for (bool progress = true; progress;) {
            progress = false;
            for (std::size_t i = 0; i < found_.size(); ++i) {
                const FetchedReply& reply = found_[i];
                if (done[i] || !(walker_.holds(reply.in_reply_to) || placed.contains(reply.in_reply_to))) continue;
                done[i] = true;
                progress = true;
                if (unknown_authors.contains(reply.author)) continue;
                if (!co_await remember_author(walker_, reply.author, budget_, now)) {
                    unknown_authors.insert(reply.author);
                    continue;
                }
                placed.insert(reply.id);
                result.replies.push_back(reply);
            }
        }
        result.unplaced = static_cast<int>(found_.size() - result.replies.size());
        co_return result;
    }

private:
    struct Node {
        std::string id;
        int depth = 0;  // levels below a comment we hold
        std::optional<FetchedReply> reply;
    };

    bool stopped() {
        if (static_cast<int>(found_.size()) >= budget_.limits().max_replies) {
            budget_.exhaust("replies");
            return true;
        }
        return budget_.spent();
    }

    asio::awaitable<void> read_conversation(const Node& node) {
        const json& object = node.reply->object;
        const auto origin = remote::origin_of(node.reply->id);
        // The object was served from its id's origin: that is what vouches for what it embeds.
        const std::string& served_from = node.reply->id;
        std::string context = node_id(object.value("context", json()));
        if (!context.empty() && remote::origin_of(context) == origin) {
            if (contexts_read_.contains(context)) co_return;
            if (auto items = co_await read_collection(json(context), served_from)) {
                contexts_read_.insert(context);
                co_await take(*items, node, "", context);
                co_return;
            }
        }
        auto replies = object.find("replies");
        if (replies == object.end()) co_return;
        if (auto items = co_await read_collection(*replies, served_from))
            co_await take(*items, node, node.reply->id, "");
    }

    // The items of a collection given by URL or embedded in a document served from `served_from`: its own,
    // then those of `first` and each `next` (at most max_pages of them), every page on the collection's
    // origin. Nothing when the collection itself cannot be read.
    asio::awaitable<std::optional<std::vector<Item>>> read_collection(json page, std::string page_url) {
        const auto origin = remote::origin_of(page_url);
        std::vector<Item> items;
        int pages = 0;
        for (bool start = true;; start = false) {
            if (page.is_string()) {
                const std::string url = page.get<std::string>();
                if (remote::origin_of(url) != origin || !pages_read_.insert(url).second) {
                    if (start) co_return std::nullopt;
                    break;
                }
                if (!start && pages >= budget_.limits().max_pages) {
                    budget_.exhaust("pages");
                    break;
                }
                if (!budget_.take_fetch()) break;
                auto fetched = co_await walker_.fetcher.fetch(url);
                auto* document = std::get_if<remote::FetchedDocument>(&fetched);
                if (!document || remote::origin_of(document->url) != origin) {
                    if (start) co_return std::nullopt;
                    break;
                }
                if (!start) ++pages;
                page = std::move(document->document);
                page_url = document->url;
            } else if (page.is_object()) {
                if (auto id = node_id(page); !id.empty()) pages_read_.insert(id);
            } else {
                if (start) co_return std::nullopt;
                break;
            }
            for (const char* key : {"orderedItems", "items"}) {
                auto list = page.find(key);
                if (list == page.end()) continue;
                if (list->is_array())
                    for (auto& item : *list) items.push_back({item, page_url});
                else
                    items.push_back({*list, page_url});
            }
            json next = page.contains("first") ? page["first"] : page.value("next", json());
            if (next.is_null()) break;
            page = std::move(next);
        }
        co_return items;
    }

    // New replies among `items`. From a `replies` collection (`parent` set) only answers to that object count;
    // from a context, any (their chain is checked once all are in). Each is walked in turn unless the context
    // just read covers it.
    asio::awaitable<void> take(const std::vector<Item>& items, const Node& node, const std::string& parent,
                               const std::string& context) {
        for (const auto& item : items) {
            if (stopped()) co_return;
            const std::string id = node_id(item.node);
            if (id.empty() || !seen_.insert(id).second || walker_.holds(id)) continue;
            std::variant<FetchedReply, ReplyRefused> reply = ReplyRefused{};
            if (item.node.is_object() && remote::origin_of(id) == remote::origin_of(item.page_url))
                reply = read_reply(item.node, item.page_url);
            else
                reply = co_await fetch_reply(walker_, id, budget_);
            auto* found = std::get_if<FetchedReply>(&reply);
            if (!found || (!parent.empty() && found->in_reply_to != parent)) continue;
            found_.push_back(*found);
            if (!context.empty() && node_id(found->object.value("context", json())) == context) continue;
            if (node.depth + 1 < budget_.limits().max_depth)
                queue_.push_back({found->id, node.depth + 1, std::move(*found)});
            else
                budget_.exhaust("depth");
        }
    }

    const Walker& walker_;
    WalkBudget& budget_;
    std::deque<Node> queue_;
    std::set<std::string> walked_, seen_, pages_read_, contexts_read_;
    std::vector<FetchedReply> found_;
    int objects_read_ = 0;
};

}  // namespace

asio::awaitable<BackfillWalk> collect_missing_replies(const Walker& walker, std::vector<std::string> held,
                                                      WalkBudget& budget, std::int64_t now) {
    Crawl crawl(walker, budget);
    co_await crawl.walk(held);
    co_return co_await crawl.placed(now);
}

}  // namespace fedblog::activitypub::comments
