#pragma once
// What can go wrong with an outbound request, as a value: callers decide (retry, give up, log) from the kind.
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace fedblog::transport {

enum class ErrorKind {
    invalid_request,     // not an absolute http(s) URL, user info in the URL, unknown method, CR/LF in a header
    plain_http_refused,  // an http:// URL while allow_plain_http is off
    dns,                 // the name does not resolve
    refused_address,     // every address of the host is private or reserved (the SSRF guard)
    connect,             // TCP connection refused or unreachable
    tls,                 // handshake failed: certificate untrusted, expired, or not for this host
    timeout,             // a phase deadline or the total deadline passed
    too_large,           // response headers or body over the limit
    too_many_redirects,
    insecure_redirect,   // https → http
    malformed_response,  // not HTTP, or a redirect whose Location is not a URL
    network,             // the connection broke once set up (reset, closed before or during the response)
};

std::string_view to_string(ErrorKind kind);

struct Error {
    ErrorKind kind;
    std::string detail;  // for the log: host, address, underlying error; never shown to remote peers
};

// A value or the Error that prevented it, shaped like C++23 std::expected so it can be swapped for it later.
template <typename T>
class Expected {
public:
    Expected() = default;  // a default T, as std::expected does; co_spawn needs it
    Expected(T value) : state_(std::in_place_index<0>, std::move(value)) {}
    Expected(Error error) : state_(std::in_place_index<1>, std::move(error)) {}

    bool has_value() const { return state_.index() == 0; }
    explicit operator bool() const { return has_value(); }
    T& value() { return std::get<0>(state_); }
    const T& value() const { return std::get<0>(state_); }
    T& operator*() { return value(); }
    const T& operator*() const { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    const Error& error() const { return std::get<1>(state_); }

private:
    std::variant<T, Error> state_;
};

}  // namespace fedblog::transport
