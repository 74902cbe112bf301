#pragma once
// A request a test server received, as the view the signature code reads: what a remote inbox verifies.
#include <algorithm>
#include <boost/beast/http.hpp>
#include <cctype>
#include <string>

#include "keys/http_message.hpp"

namespace fedblog::testing {

inline keys::HttpMessage received_message(const boost::beast::http::request<boost::beast::http::string_body>& request,
                                          std::string scheme = "https") {
    keys::HttpMessage message;
    message.method = std::string(request.method_string());
    message.scheme = std::move(scheme);
    message.authority = std::string(request[boost::beast::http::field::host]);
    message.target = std::string(request.target());
    for (const auto& field : request) {
        std::string name(field.name_string());
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        message.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    message.body = request.body();  // a view: the request must outlive the message
    return message;
}

}  // namespace fedblog::testing
