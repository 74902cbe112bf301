#pragma once
// A small synchronous HTTP/1.1 client over a real loopback socket, for the HTTP-level tests.
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <vector>
#include <string>
#include <utility>

namespace fedblog::testing {

namespace beast_http = boost::beast::http;
using Reply = beast_http::response<beast_http::string_body>;
using Headers = std::vector<std::pair<std::string, std::string>>;

class HttpClient {
public:
    // `local_address` (e.g. "127.0.0.5") makes the connection come from another loopback address.
    explicit HttpClient(unsigned short port, std::string local_address = {})
        : port_(port), local_(std::move(local_address)), socket_(io_) {
        connect();
    }

    void connect() {
        boost::asio::ip::tcp::endpoint endpoint(boost::asio::ip::make_address("127.0.0.1"), port_);
        if (!local_.empty()) {
            socket_.open(boost::asio::ip::tcp::v4());
            socket_.bind({boost::asio::ip::make_address(local_), 0});
        }
        socket_.connect(endpoint);
    }

    Reply request(beast_http::verb method, const std::string& target, Headers headers = {}, std::string body = {}) {
        beast_http::request<beast_http::string_body> request{method, target, 11};
        request.set(beast_http::field::host, "localhost:" + std::to_string(port_));
        for (const auto& [name, value] : headers) request.set(name, value);
        if (!body.empty() || method == beast_http::verb::post) {
            request.body() = std::move(body);
            request.prepare_payload();
        }
        beast_http::write(socket_, request);
        return read_reply(method == beast_http::verb::head);
    }

    Reply get(const std::string& target, Headers headers = {}) {
        return request(beast_http::verb::get, target, headers);
    }
    Reply get_activity(const std::string& target) {
        return get(target, {{"Accept", "application/activity+json"}});
    }

    // Sends raw bytes (malformed requests), then reads one reply.
    Reply raw(const std::string& bytes) {
        boost::asio::write(socket_, boost::asio::buffer(bytes));
        return read_reply(false);
    }

    Reply read_reply(bool head) {
        beast_http::response_parser<beast_http::string_body> parser;
        parser.body_limit(64 * 1024 * 1024);
        parser.skip(head);
        beast_http::read(socket_, buffer_, parser);
        return parser.release();
    }

    // True when the server closed the connection (a read gets EOF).
    bool closed_by_server() {
        boost::system::error_code ec;
        char byte;
        socket_.read_some(boost::asio::buffer(&byte, 1), ec);
        return ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset;
    }

    boost::asio::ip::tcp::socket& socket() { return socket_; }

private:
    unsigned short port_;
    std::string local_;
    boost::asio::io_context io_;
    boost::asio::ip::tcp::socket socket_;
    boost::beast::flat_buffer buffer_;
};

}  // namespace fedblog::testing
