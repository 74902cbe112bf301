#include "activitypub/transport/exchange.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>
#include <string>
#include <tuple>

namespace fedblog::transport {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Clock = Budget::Clock;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

bool closed_by_peer(const beast::error_code& ec) {
    return ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::ssl::error::stream_truncated ||
           ec == asio::error::connection_reset || ec == asio::error::connection_aborted ||
           ec == asio::error::broken_pipe;
}

bool is_parse_error(const beast::error_code& ec) {
    return ec.category() == http::make_error_code(http::error::bad_version).category() &&
           ec != http::error::end_of_stream && ec != http::error::partial_message;
}

Error failure(const beast::error_code& ec, std::string_view phase, std::string_view host, Clock::time_point due,
              const Limits& limits) {
    std::string where = std::string(phase) + " (" + std::string(host) + ")";
    // The stream's expiry closes the socket; TLS may report that as a different error, so the clock decides.
    if (ec == beast::error::timeout || Clock::now() >= due) return {ErrorKind::timeout, where + " timed out"};
    if (ec == http::error::body_limit)
        return {ErrorKind::too_large, where + ": body over " + std::to_string(limits.max_body_bytes) + " bytes"};
    if (ec == http::error::header_limit)
        return {ErrorKind::too_large, where + ": headers over " + std::to_string(limits.max_header_bytes) + " bytes"};
    if (is_parse_error(ec)) return {ErrorKind::malformed_response, where + ": " + ec.message()};
    if (closed_by_peer(ec)) return {ErrorKind::network, where + ": connection closed by the server"};
    return {ErrorKind::network, where + ": " + ec.message()};
}

// Over plain TCP, Beast hands the header fields and the body to one gathering write.
asio::awaitable<std::tuple<beast::error_code, std::size_t>> send(Connection::Plain& stream, const WireRequest& request) {
    co_return co_await http::async_write(stream, request, use_tuple);
}

// Asio's TLS stream encrypts one buffer per write (up to 8 KB of small ones copied together), so Beast's field-by-
// field buffers and the body went out as two records and two sends (a 12 KB delivery). Copied into one buffer,
// the request is one record when it fits (16 KB) and one send: half the system calls and the receiver's wakeups.
asio::awaitable<std::tuple<beast::error_code, std::size_t>> send(Connection::Tls& stream, const WireRequest& request) {
    if (request.chunked()) co_return co_await http::async_write(stream, request, use_tuple);  // framing left to Beast
    http::request_serializer<WireRequest::body_type> serializer(request);
    serializer.split(true);
    std::string wire;
    wire.reserve(1024 + request.body().size());
    beast::error_code ec;
    while (!ec && !serializer.is_header_done()) {
        serializer.next(ec, [&](beast::error_code&, const auto& buffers) {
            for (const auto buffer : beast::buffers_range_ref(buffers))
                wire.append(static_cast<const char*>(buffer.data()), buffer.size());
            serializer.consume(beast::buffer_bytes(buffers));
        });
    }
    if (ec) co_return std::tuple{ec, std::size_t{0}};
    wire.append(request.body().data(), request.body().size());
    co_return co_await asio::async_write(stream, asio::buffer(wire), use_tuple);
}

template <typename Stream>
asio::awaitable<Exchange> exchange_on(Stream& stream, beast::flat_buffer& buffer, const WireRequest& request,
                                      std::string_view host, const Budget& budget) {
    Exchange out;
    auto& tcp_stream = beast::get_lowest_layer(stream);
    auto headers_due = budget.within(budget.limits.response_timeout);
    tcp_stream.expires_at(headers_due);
    auto [write_error, written] = co_await send(stream, request);
    (void)written;
    if (write_error) {
        out.nothing_received = closed_by_peer(write_error);
        out.error = failure(write_error, "sending the request", host, headers_due, budget.limits);
        co_return out;
    }

    http::response_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(budget.limits.max_header_bytes));
    parser.body_limit(budget.limits.max_body_bytes);
    parser.skip(request.method() == http::verb::head);
    auto [header_error, header_bytes] = co_await http::async_read_header(stream, buffer, parser, use_tuple);
    (void)header_bytes;
    if (header_error) {
        out.nothing_received = !parser.got_some() && closed_by_peer(header_error);
        out.error = failure(header_error, "reading the response headers", host, headers_due, budget.limits);
        co_return out;
    }

    tcp_stream.expires_at(budget.deadline);
    auto [body_error, body_bytes] = co_await http::async_read(stream, buffer, parser, use_tuple);
    (void)body_bytes;
    if (body_error) {
        out.error = failure(body_error, "reading the response body", host, budget.deadline, budget.limits);
        co_return out;
    }
    tcp_stream.expires_never();
    // Bytes past the response would be taken for the next response: such a connection is not reused.
    out.reusable = parser.keep_alive() && buffer.size() == 0;
    out.response = parser.release();
    co_return out;
}

}  // namespace

asio::awaitable<Exchange> exchange(Connection& connection, const WireRequest& request, std::string_view host,
                                   const Budget& budget) {
    co_return co_await std::visit(
        [&](auto& stream) { return exchange_on(stream, connection.buffer, request, host, budget); }, connection.stream);
}

}  // namespace fedblog::transport
