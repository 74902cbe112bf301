#pragma once
// One request and its response on an open connection, under the budget's deadlines and size limits.
#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/span_body.hpp>
#include <boost/beast/http/string_body.hpp>
#include <optional>
#include <string_view>

#include "activitypub/transport/connection_pool.hpp"
#include "activitypub/transport/error.hpp"
#include "activitypub/transport/limits.hpp"

namespace fedblog::transport {

// The body is a view of the caller's Request::body, which outlives the exchange: a delivery's 12 KB are not
// copied once more for the wire.
using WireRequest = boost::beast::http::request<boost::beast::http::span_body<const char>>;
using WireResponse = boost::beast::http::response<boost::beast::http::string_body>;

struct Exchange {
    std::optional<Error> error;
    WireResponse response;
    bool reusable = false;          // complete, keep-alive, nothing extra buffered: may go back to the pool
    bool nothing_received = false;  // closed before any byte of a response: a stale keep-alive if it was reused
};

// Awaited on the connection's strand. host only names the peer in error details.
boost::asio::awaitable<Exchange> exchange(Connection& connection, const WireRequest& request, std::string_view host,
                                          const Budget& budget);

}  // namespace fedblog::transport
