#include "server/thread_endpoints.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/url/parse.hpp>
#include <charconv>

#include "keys/digest.hpp"
#include "store/reactions.hpp"
#include "web/comments_api.hpp"
#include "web/embed.hpp"
#include "web/pages.hpp"
#include "web/thread.hpp"

namespace fedblog::server {

namespace {

namespace beast_http = boost::beast::http;
using http::Status;

constexpr std::string_view thread_cache_control = "public, max-age=60";

// A strong validator: the body's SHA-256, shortened (collisions would only cost a stale minute).
std::string etag_of(std::string_view body) {
    keys::Sha256 hash = keys::sha256(body);
    static constexpr char hex[] = "0123456789abcdef";
    std::string tag = "\"";
    for (std::size_t i = 0; i < 12; ++i) {
        tag += hex[hash[i] >> 4];
        tag += hex[hash[i] & 0xF];
    }
    return tag + "\"";
}

// If-None-Match: "*", or a list of tags (weak ones compare by their opaque part).
bool matches(std::string_view if_none_match, std::string_view etag) {
    return if_none_match.find('*') != std::string_view::npos || if_none_match.find(etag) != std::string_view::npos;
}

// The body with its validator; a 304 without body when the client holds it already. `headers` are set on
// both (a 304 carries the headers a 200 would, RFC 9110 §15.4.5).
template <typename SetHeaders>
http::Response cached(const http::Request& request, std::string body, std::string_view content_type,
                      std::string_view cache_control, SetHeaders set_headers) {
    const std::string etag = etag_of(body);
    auto condition = request.find(beast_http::field::if_none_match);
    http::Response response = condition != request.end() && matches(condition->value(), etag)
                                  ? http::make_response(request, Status::not_modified, {}, content_type)
                                  : http::make_response(request, Status::ok, std::move(body), content_type);
    if (response.result() == Status::not_modified) response.erase(beast_http::field::content_length);
    response.set(beast_http::field::etag, etag);
    response.set(beast_http::field::cache_control, cache_control);
    set_headers(response);
    return response;
}

void cors_headers(http::Response& response) {
    response.set(beast_http::field::access_control_allow_origin, "*");
    response.set(beast_http::field::access_control_expose_headers, "ETag");
}

http::Response json_error(const http::Request& request, Status status, std::string_view message) {
    http::Response response = http::error(request, status, message, http::Representation::activity_json);
    response.erase(beast_http::field::vary);
    cors_headers(response);
    return response;
}

// A comment id: digits only, positive, within int64.
std::optional<std::int64_t> comment_id(std::string_view text) {
    std::int64_t id = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (text.empty() || text[0] == '+' || text[0] == '-' || ec != std::errc{} || end != text.data() + text.size() ||
        id < 1)
        return std::nullopt;
    return id;
}

}  // namespace

std::optional<web::ThreadCursor> thread_cursor(std::string_view target, std::string& error) {
    web::ThreadCursor cursor;
    auto url = boost::urls::parse_origin_form(target);
    if (!url) {
        error = "malformed request target";
        return std::nullopt;
    }
    for (auto param : url->params()) {
        if (param.key != "from" && param.key != "before") continue;
        auto& slot = param.key == "from" ? cursor.from : cursor.before;
        auto id = comment_id(param.value);
        if (!id || slot) {
            error = param.key + " must be one comment id (a positive whole number)";
            return std::nullopt;
        }
        slot = id;
    }
    if (cursor.from && cursor.before) {
        error = "from and before cannot be combined";
        return std::nullopt;
    }
    return cursor;
}

http::Response comments_api(const http::Request& request, const Site& site, store::Database& db, std::string_view slug) {
    const store::Post* post = site.catalog.find(std::string(slug));
    if (!post) return json_error(request, Status::not_found, "no such post");
    if (post->is_deleted()) return json_error(request, Status::gone, "this post was deleted");
    std::string error;
    auto cursor = thread_cursor(request.target(), error);
    if (!cursor) return json_error(request, Status::bad_request, error);
    web::SiteView view{site.settings, site.ids, site.catalog};
    auto page = web::load_thread_page(db, view, post->id, *cursor);
    if (!page) return json_error(request, Status::not_found, "no such page of comments");
    auto reactions = store::Reactions(db).counts(post->id);
    std::string body = activitypub::serialize(web::comments_document(view, *post, *page, reactions));
    return cached(request, std::move(body), "application/json; charset=utf-8", thread_cache_control, cors_headers);
}

http::Response comments_api_preflight(const http::Request& request) {
    http::Response response = http::make_response(request, Status::no_content, {}, "text/plain; charset=utf-8");
    response.erase(beast_http::field::content_type);
    response.set(beast_http::field::access_control_allow_origin, "*");
    response.set(beast_http::field::access_control_allow_methods, "GET, HEAD, OPTIONS");
    response.set(beast_http::field::access_control_allow_headers, "If-None-Match");
    response.set(beast_http::field::access_control_max_age, "86400");
    response.set(beast_http::field::allow, "GET, HEAD, OPTIONS");
    return response;
}

http::Response embed_page(const http::Request& request, const Site& site, store::Database& db, std::string_view slug) {
    web::SiteView view{site.settings, site.ids, site.catalog};
    auto page_headers = [](http::Response& response) {
        response.set("Content-Security-Policy", web::embed_content_security_policy());
        response.set("X-Content-Type-Options", "nosniff");
        response.set("Referrer-Policy", "strict-origin-when-cross-origin");
    };
    const store::Post* post = site.catalog.find(std::string(slug));
    if (!post) {
        http::Response response = http::error(request, Status::not_found, "no such post", http::Representation::html);
        page_headers(response);
        return response;
    }
    if (post->is_deleted()) {
        http::Response response =
            http::make_response(request, Status::gone, web::render_embed_gone(view), http::html_type);
        page_headers(response);
        return response;
    }
    std::string error;
    auto cursor = thread_cursor(request.target(), error);
    if (!cursor) {
        http::Response response = http::error(request, Status::bad_request, error, http::Representation::html);
        page_headers(response);
        return response;
    }
    auto page = web::load_thread_page(db, view, post->id, *cursor);
    if (!page) {
        http::Response response =
            http::error(request, Status::not_found, "no such page of comments", http::Representation::html);
        page_headers(response);
        return response;
    }
    auto reactions = store::Reactions(db).counts(post->id);
    std::string body = web::render_embed(view, *post, *page, reactions);
    return cached(request, std::move(body), http::html_type, thread_cache_control, page_headers);
}

http::Response embed_loader(const http::Request& request) {
    return cached(request, std::string(web::embed_loader_script()), "text/javascript; charset=utf-8",
                  "public, max-age=3600", [](http::Response& response) {
                      response.set(beast_http::field::access_control_allow_origin, "*");
                      response.set("X-Content-Type-Options", "nosniff");
                  });
}

}  // namespace fedblog::server
