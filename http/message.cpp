#include "http/message.hpp"

#include <boost/beast/http/field.hpp>
#include <nlohmann/json.hpp>

#include "common/html.hpp"
#include "http/media_type.hpp"

namespace fedblog::http {

Representation negotiate(std::string_view accept_header) {
    if (accept_header.empty()) return Representation::html;
    double activity_q = 0, html_q = 0;
    for (const MediaRange& range : parse_accept(accept_header)) {
        if (is_activity_pub_type(range)) activity_q = std::max(activity_q, range.q);
        if ((range.type == "text" && (range.subtype == "html" || range.subtype == "*")) ||
            (range.type == "application" && range.subtype == "xhtml+xml") || (range.type == "*"))
            html_q = std::max(html_q, range.q);
    }
    // A tie (e.g. "*/*" alone, or both at q=1) goes to ActivityPub only when it was named explicitly.
    return activity_q > 0 && activity_q >= html_q ? Representation::activity_json : Representation::html;
}

Representation negotiate(const Request& request) {
    auto it = request.find(beast_http::field::accept);
    return negotiate(it == request.end() ? std::string_view{} : std::string_view(it->value()));
}

Response make_response(const Request& request, Status status, std::string body, std::string_view content_type) {
    Response response{status, request.version()};
    response.set(beast_http::field::content_type, content_type);
    response.keep_alive(request.keep_alive());
    response.body() = std::move(body);
    response.prepare_payload();
    return response;
}

Response activity_json(const Request& request, std::string body, Status status) {
    Response response = make_response(request, status, std::move(body), activity_json_type);
    response.set(beast_http::field::vary, "Accept");
    response.set(beast_http::field::access_control_allow_origin, "*");
    return response;
}

Response html(const Request& request, std::string body, Status status) {
    Response response = make_response(request, status, std::move(body), html_type);
    response.set(beast_http::field::vary, "Accept");
    return response;
}

Response plain_json(const Request& request, std::string body, std::string_view content_type) {
    Response response = make_response(request, Status::ok, std::move(body), content_type);
    response.set(beast_http::field::access_control_allow_origin, "*");
    return response;
}

Response error(const Request& request, Status status, std::string_view message, Representation representation) {
    Response response = [&] {
        if (representation == Representation::activity_json) {
            nlohmann::json body = {{"error", std::string(message)}};
            // A message may quote what the client sent (a Content-Type, a path): invalid UTF-8 becomes U+FFFD
            // instead of throwing, which would turn a 4xx into a 500.
            return make_response(request, status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                                 "application/json");
        }
        std::string title = std::to_string(static_cast<unsigned>(status)) + " " +
                            std::string(beast_http::obsolete_reason(status));
        std::string body = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" +
                           escape_html(title) +
                           "</title><link rel=\"stylesheet\" href=\"/style.css\"></head><body><main class=\"error\"><h1>" +
                           escape_html(title) + "</h1><p>" + escape_html(message) +
                           "</p><p><a href=\"/\">Accueil</a></p></main></body></html>\n";
        return make_response(request, status, std::move(body), html_type);
    }();
    response.set(beast_http::field::vary, "Accept");
    return response;
}

Response error(const Request& request, Status status, std::string_view message) {
    return error(request, status, message, negotiate(request));
}

Response redirect(const Request& request, Status status, std::string location) {
    Response response = make_response(request, status, {}, "text/plain; charset=utf-8");
    response.set(beast_http::field::location, location);
    return response;
}

}  // namespace fedblog::http
