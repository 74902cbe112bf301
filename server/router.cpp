#include "server/router.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/url/parse.hpp>
#include <algorithm>
#include <charconv>
#include <map>

#include "activitypub/article.hpp"
#include "activitypub/collections.hpp"
#include "activitypub/interactions.hpp"
#include "activitypub/json.hpp"
#include "activitypub/nodeinfo.hpp"
#include "activitypub/webfinger.hpp"
#include "common/log.hpp"
#include "common/time.hpp"
#include "server/answer_routes.hpp"
#include "server/media_files.hpp"
#include "server/proxy_check.hpp"
#include "server/thread_endpoints.hpp"
#include "store/comments.hpp"
#include "store/counts.hpp"
#include "store/reactions.hpp"
#include "store/remote_actors.hpp"
#include "web/atom.hpp"
#include "web/pages.hpp"
#include "web/style.hpp"
#include "web/thread.hpp"

namespace fedblog::server {

namespace {

namespace beast_http = boost::beast::http;
using http::Representation;
using http::Status;

// The parts of a request target every route needs: decoded path segments and the raw query.
struct Target {
    std::vector<std::string> segments;  // percent-decoded
    std::string path;                   // as sent (still encoded)
    std::string query;                  // raw, undecoded; empty when none
    bool has_query = false;
    std::vector<std::pair<std::string, std::string>> params;  // decoded query parameters, in order

    std::optional<std::string> param(std::string_view name) const {
        for (const auto& [key, value] : params)
            if (key == name) return value;
        return std::nullopt;
    }
};

std::optional<Target> parse_target(std::string_view target) {
    auto url = boost::urls::parse_origin_form(target);
    if (!url) return std::nullopt;
    Target parsed;
    parsed.path = url->encoded_path();
    parsed.has_query = url->has_query();
    parsed.query = url->encoded_query();
    for (auto segment : url->segments()) parsed.segments.push_back(segment);
    for (auto param : url->params()) parsed.params.emplace_back(param.key, param.value);
    // "/" parses as one empty segment in some forms: normalize to none.
    if (parsed.segments.size() == 1 && parsed.segments[0].empty()) parsed.segments.clear();
    return parsed;
}

// ?page=N with N ≥ 1; nothing when absent; 0 (never a page) when malformed.
std::optional<long> page_parameter(const Target& target) {
    auto requested = target.param("page");
    if (!requested) return std::nullopt;
    const std::string& value = *requested;
    long page = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), page);
    if (ec != std::errc{} || end != value.data() + value.size() || page < 1) return 0;
    return page;
}

http::Response with_cache(http::Response response, std::string_view cache_control) {
    response.set(beast_http::field::cache_control, cache_control);
    return response;
}

class Dispatch {
public:
    Dispatch(const http::Request& request, const Site& site, store::Database& db)
        : request_(request), site_(site), db_(db), view_{site.settings, site.ids, site.catalog} {}

    http::Response run() {
        auto method = request_.method();
        auto parsed = parse_target(request_.target());
        if (!parsed) return http::error(request_, Status::bad_request, "malformed request target");
        target_ = std::move(*parsed);
        const auto& s = target_.segments;

        if (s.size() >= 2 && s.back().empty() && target_.path.size() > 1)  // "/posts/x/" → "/posts/x"
            return http::redirect(request_, Status::permanent_redirect,
                                  target_.path.substr(0, target_.path.size() - 1) +
                                      (target_.has_query ? "?" + target_.query : ""));
        const bool comments_api = s.size() == 4 && s[0] == "api" && s[1] == "posts" && s[3] == "comments";
        if (comments_api && method == beast_http::verb::options) return comments_api_preflight(request_);
        if (method != beast_http::verb::get && method != beast_http::verb::head) return method_not_allowed();
        if (comments_api) return server::comments_api(request_, site_, db_, s[2]);
        if (s.size() == 2 && s[0] == "embed") return embed_page(request_, site_, db_, s[1]);
        if (s.size() == 1 && s[0] == "embed.js") return embed_loader(request_);

        if (s.empty()) return index();
        if (s.size() == 1 && s[0] == "style.css")
            return with_cache(http::make_response(request_, Status::ok, std::string(web::stylesheet()),
                                                  "text/css; charset=utf-8"),
                              "public, max-age=3600");
        if (s.size() == 1 && s[0] == "healthz") return health();
        if (s.size() == 1 && s[0] == "inbox") return inbox_get();
        if (s.size() == 1 && s[0] == "feed.xml")
            return http::make_response(request_, Status::ok, web::render_atom(view_), "application/atom+xml; charset=utf-8");
        if (s.size() == 2 && s[0] == ".well-known") return well_known(s[1]);
        if (s.size() == 2 && s[0] == "nodeinfo" && s[1] == "2.1") return nodeinfo();
        if (s.size() == 1 && s[0] == "@" + site_.ids.handle()) return profile_alias();
        if (s.size() >= 2 && s[0] == "users") return users();
        if (s.size() >= 2 && s[0] == "posts") return posts();
        if (s.size() >= 2 && s[0] == "comments") {
            if (auto answer = answer_resource(request_, site_, db_, view_, s)) return std::move(*answer);
            return not_found("no such answer");
        }
        if (s.size() == 2 && s[0] == "tags") return tag(s[1]);
        if (s.size() == 1 && "/" + s[0] == site_.ids.interaction_path()) return interaction();
        if (s.size() >= 2 && s[0] == "media") return media();
        return not_found("no such page");
    }

private:
    Representation representation() const { return http::negotiate(request_); }

    http::Response not_found(std::string_view message) {
        if (representation() == Representation::html)
            return http::html(request_, web::render_not_found(view_), Status::not_found);
        return http::error(request_, Status::not_found, message, Representation::activity_json);
    }

    http::Response method_not_allowed() {
        http::Response response = http::error(request_, Status::method_not_allowed, "only GET and HEAD are allowed here");
        response.set(beast_http::field::allow, "GET, HEAD");
        return response;
    }

    http::Response health() {
        std::lock_guard lock(db_.mutex());
        auto& probe = db_.prepared("SELECT 1");
        probe.executeStep();
        probe.tryReset();  // a statement left mid-result would hold a read snapshot open
        return http::make_response(request_, Status::ok, "ok\n", "text/plain; charset=utf-8");
    }

    http::Response index() {
        std::size_t page = 1;
        if (auto requested = page_parameter(target_)) page = static_cast<std::size_t>(std::max(0L, *requested));
        if (representation() == Representation::activity_json)
            return http::redirect(request_, Status::found, site_.ids.actor());
        auto body = web::render_index(view_, page);
        if (!body) return not_found("no such page");
        return http::html(request_, std::move(*body));
    }

    http::Response well_known(const std::string& name) {
        namespace ap = activitypub;
        if (name == "webfinger") {
            ap::WebfingerAnswer answer;
            bool whole_jrd = std::count_if(target_.params.begin(), target_.params.end(),
                                           [](const auto& p) { return p.first == "resource"; }) == 1 &&
                             !target_.param("rel");
            if (whole_jrd)  // the common case is served pre-rendered
                answer.status = ap::match_resource(*target_.param("resource"), site_.ids);
            else
                answer = ap::webfinger(target_.query, site_.ids);
            switch (answer.status) {
                case ap::LookupStatus::ok:
                    return with_cache(http::plain_json(request_, whole_jrd ? site_.webfinger_json : ap::serialize(answer.jrd),
                                                       ap::jrd_content_type),
                                      "max-age=259200, public");
                case ap::LookupStatus::not_found:
                    return cors(http::error(request_, Status::not_found, "no such account here",
                                            Representation::activity_json));
                case ap::LookupStatus::bad_request:
                    return cors(http::error(request_, Status::bad_request,
                                            "resource parameter missing or malformed (expected acct:user@host)",
                                            Representation::activity_json));
            }
        }
        if (name == "host-meta")
            return http::plain_json(request_, ap::host_meta_xml(site_.ids), ap::xrd_content_type);
        if (name == "host-meta.json")
            return http::plain_json(request_, ap::serialize(ap::host_meta_json(site_.ids)), ap::jrd_content_type);
        if (name == "nodeinfo") return http::plain_json(request_, ap::serialize(ap::nodeinfo_links(site_.ids)));
        return not_found("no such well-known resource");
    }

    static http::Response cors(http::Response response) {
        response.set(beast_http::field::access_control_allow_origin, "*");
        return response;
    }

    http::Response nodeinfo() {
        store::Counts counts = store::counts(db_);
        // Remote replies are not local comments; the owner's answers are.
        activitypub::NodeUsage usage{counts.posts, counts.local_comments};
        return http::plain_json(request_, activitypub::serialize(activitypub::nodeinfo_2_1(site_.settings, usage)),
                                activitypub::nodeinfo_content_type);
    }

    http::Response profile_page() {
        return http::html(request_, web::render_profile(view_, static_cast<std::size_t>(store::follower_count(db_))));
    }

    // /@handle is the profile's human address; servers asking for JSON go to the actor id.
    http::Response profile_alias() {
        if (representation() == Representation::activity_json)
            return http::redirect(request_, Status::found, site_.ids.actor());
        return profile_page();
    }

    http::Response users() {
        const auto& s = target_.segments;
        if (s[1] != site_.ids.handle()) return not_found("no such account");
        bool json = representation() == Representation::activity_json;
        if (s.size() == 2) return json ? http::activity_json(request_, site_.actor_json) : profile_page();
        if (s.size() != 3) return not_found("no such collection");
        auto page = page_parameter(target_);
        if (s[2] == "outbox") {
            if (!json) return http::redirect(request_, Status::found, site_.ids.home());
            if (!page) return http::activity_json(request_, site_.outbox_json);
            if (*page < 1 || static_cast<std::size_t>(*page) > site_.outbox_pages_json.size())
                return not_found("no such page");
            return http::activity_json(request_, site_.outbox_pages_json[static_cast<std::size_t>(*page) - 1]);
        }
        if (s[2] == "followers") {
            if (!json) return http::redirect(request_, Status::found, site_.ids.profile());
            return followers(page);
        }
        if (s[2] == "following") {
            if (!json) return http::redirect(request_, Status::found, site_.ids.profile());
            return http::activity_json(request_, site_.following_json);
        }
        if (s[2] == "inbox") return inbox_get();
        return not_found("no such collection");
    }

    http::Response followers(std::optional<long> page) {
        namespace ap = activitypub;
        std::int64_t total = store::follower_count(db_);
        if (!page) return http::activity_json(request_, ap::serialize(ap::followers(total, site_.ids)));
        if (*page < 1) return not_found("no such page");
        auto size = static_cast<std::int64_t>(ap::followers_page_size);
        auto ids = store::follower_ids(db_, (*page - 1) * size, size);
        auto document = ap::followers_page(*page, ids, total, site_.ids);
        if (!document) return not_found("no such page");
        return http::activity_json(request_, ap::serialize(*document));
    }

    // The inbox is write-only: no one reads what others sent the blog.
    http::Response inbox_get() {
        http::Response response = http::error(request_, Status::method_not_allowed,
                                              "the inbox only accepts signed POST requests", Representation::activity_json);
        response.set(beast_http::field::allow, "POST");
        return response;
    }

    http::Response posts() {
        const auto& s = target_.segments;
        const store::Post* post = site_.catalog.find(s[1]);
        if (!post) return not_found("no such post");
        bool json = representation() == Representation::activity_json;
        if (post->is_deleted()) {
            // Gone, never 404: Mastodon deletes its copy on 410 and keeps the id retired.
            if (s.size() == 2 && json)
                return http::activity_json(request_, site_.tombstone_json.at(post->slug), Status::gone);
            return http::html(request_, web::render_gone(view_), Status::gone);
        }
        namespace ap = activitypub;
        // The Article is built per request: its replies, counts and whether it takes replies change
        // without a new snapshot (a comment arrives, the post ages past comments_close_after_days).
        if (s.size() == 2 && json) {
            auto interactions = ap::interactions_of(db_, *post, site_.settings, now_seconds());
            return http::activity_json(request_,
                                       ap::serialize(ap::article_object(*post, site_.settings, site_.ids, interactions)));
        }
        if (s.size() == 2) return post_page(*post);
        if (s.size() == 3 && !json) return http::redirect(request_, Status::found, site_.ids.post(post->slug));
        if (s.size() == 3 && s[2] == "activity") return http::activity_json(request_, site_.create_json.at(post->slug));
        if (s.size() == 3 && s[2] == "replies") {
            // Direct replies shown on the blog, all on the first page: Mastodon stops following `next` early.
            auto interactions = ap::interactions_of(db_, *post, site_.settings, now_seconds());
            return http::activity_json(
                request_, ap::serialize(ap::replies_collection(post->slug, interactions.reply_ids, site_.ids)));
        }
        if (s.size() == 3 && (s[2] == "likes" || s[2] == "shares")) {
            auto counts = store::Reactions(db_).counts(post->id);
            return s[2] == "likes" ? http::activity_json(request_, ap::serialize(ap::counted_collection(
                                                                       site_.ids.post_likes(post->slug), counts.likes)))
                                   : http::activity_json(request_, ap::serialize(ap::counted_collection(
                                                                       site_.ids.post_shares(post->slug), counts.shares)));
        }
        return not_found("no such post resource");
    }

    // One page of the thread (?from= / ?before=, see thread_cursor): what one read costs stays bounded.
    http::Response post_page(const store::Post& post) {
        std::string error;
        auto cursor = thread_cursor(request_.target(), error);
        if (!cursor) return http::error(request_, Status::bad_request, error, Representation::html);
        auto thread = web::load_thread_page(db_, view_, post.id, *cursor);
        if (!thread) return not_found("no such page of comments");
        auto reactions = store::Reactions(db_).counts(post.id);
        http::Response response =
            http::html(request_, web::render_post(view_, post, *thread, reactions.likes, reactions.shares));
        // The page runs no script; should remote markup ever slip past the sanitizer, none of it runs either.
        response.set("Content-Security-Policy", "script-src 'none'; object-src 'none'; base-uri 'none'");
        return response;
    }

    http::Response tag(const std::string& name) {
        auto body = web::render_tag(view_, name);
        if (!body) return not_found("no post carries this tag");
        return http::html(request_, std::move(*body));
    }

    // The OStatus subscribe template's target: a post of ours goes to its page, anything else is explained.
    http::Response interaction() {
        std::string uri = target_.param("uri").value_or("");
        for (const store::Post* post : site_.catalog.published())
            if (uri == site_.ids.post(post->slug)) return http::redirect(request_, Status::found, uri);
        if (uri == site_.ids.actor() || uri == site_.ids.acct()) return http::redirect(request_, Status::found, site_.ids.profile());
        return http::html(request_, web::render_interaction(view_, uri));
    }

    http::Response media() {
        std::string relative;
        for (std::size_t i = 1; i < target_.segments.size(); ++i)
            relative += (i > 1 ? "/" : "") + target_.segments[i];
        auto file = read_media_file(site_.settings.content_dir, relative);
        if (!file) return http::error(request_, Status::not_found, "no such image");
        http::Response response = http::make_response(request_, Status::ok, std::move(file->bytes), file->content_type);
        response.set(beast_http::field::cache_control, "public, max-age=86400");
        response.set("X-Content-Type-Options", "nosniff");
        return response;
    }

    const http::Request& request_;
    const Site& site_;
    store::Database& db_;
    web::SiteView view_;
    Target target_;
};

}  // namespace

static bool is_inbox_path(std::string_view target, const activitypub::Ids& ids) {
    std::string_view path = target.substr(0, target.find('?'));
    return path == "/inbox" || path == ids.actor_path() + "/inbox";
}

Reply Router::operator()(const http::Request& request, const Peer& peer) {
    std::shared_ptr<const Site> site = site_.current();
    if (request.method() == beast_http::verb::post && is_inbox_path(request.target(), site->ids)) {
        if (inbox_) return inbox_(request, peer);
        return http::error(request, Status::service_unavailable, "the inbox is not running");
    }
    if (metrics_ && request.target().substr(0, request.target().find('?')) == "/metrics") return metrics_(request, peer);
    // A signed POST that missed the inbox only because the proxy changed its path: say so, to log and sender.
    if (auto hint = path_changed_hint(request, site->ids)) {
        warn_misconfigured_proxy(*hint, peer, request.target());
        return http::error(request, Status::not_found, "no inbox here (" + *hint + ")", Representation::activity_json);
    }
    // A statement left stepping would pin the read connection to this moment's state for every later request:
    // checked however the handler ended, a throw included.
    struct LeftStepping {
        store::Database& db;
        const http::Request& request;
        ~LeftStepping() {
            std::lock_guard lock(db.mutex());
            if (int left = db.reset_active_statements(); left > 0)
                log::error("statements left reading after a request",
                           {{"count", left}, {"target", std::string_view(request.target())}});
        }
    } left_stepping{db_, request};
    http::Response response = Dispatch(request, *site, db_).run();
    if (request.method() == beast_http::verb::head) {
        // Same headers as GET, Content-Length included, and no body.
        response.prepare_payload();
        std::string length = std::to_string(response.body().size());
        response.body().clear();
        response.set(beast_http::field::content_length, length);
    }
    return response;
}

}  // namespace fedblog::server
