#pragma once
// Request and response types shared by every handler, and the few ways we build a response. Handlers are
// pure: a Request in, a Response out; only server/ does I/O.
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string>
#include <string_view>

namespace fedblog::http {

namespace beast_http = boost::beast::http;
using Request = beast_http::request<beast_http::string_body>;
using Response = beast_http::response<beast_http::string_body>;
using Status = beast_http::status;

inline constexpr std::string_view activity_json_type = "application/activity+json";
inline constexpr std::string_view html_type = "text/html; charset=utf-8";

// What the client asked for, decided from Accept with q-values. ActivityPub servers send
// application/activity+json or application/ld+json (with the ActivityStreams profile); browsers text/html.
enum class Representation { html, activity_json };
Representation negotiate(std::string_view accept_header);
Representation negotiate(const Request& request);

// A response with body, Content-Type, the request's HTTP version and keep-alive, and Content-Length.
Response make_response(const Request& request, Status status, std::string body, std::string_view content_type);
// An ActivityStreams document: Content-Type application/activity+json, Vary: Accept.
Response activity_json(const Request& request, std::string body, Status status = Status::ok);
// An HTML page, Vary: Accept.
Response html(const Request& request, std::string body, Status status = Status::ok);
// Plain JSON for non-ActivityPub endpoints (WebFinger, NodeInfo), with CORS open to every origin.
Response plain_json(const Request& request, std::string body, std::string_view content_type = "application/json");
// {"error": message} for JSON clients, a short page for browsers; message is public and must hold no secret.
Response error(const Request& request, Status status, std::string_view message);
Response error(const Request& request, Status status, std::string_view message, Representation representation);
// 301/308 to an absolute or root-relative location.
Response redirect(const Request& request, Status status, std::string location);

}  // namespace fedblog::http
