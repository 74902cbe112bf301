#pragma once
// A small synchronous HTTPS client for end-to-end tests: it connects to 127.0.0.1:port, sends SNI for a name
// and verifies the certificate against a test CA for that name, as a remote server would. It can bind its
// end of the connection to another loopback address (127.0.0.5), to be a different client for the server.
#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <stdexcept>
#include <string>

#include "tests/support/http_client.hpp"

namespace fedblog::testing {

class TlsClient {
public:
    // `authority` is what the Host header says ("blog.test:8443"); its host part is the TLS name.
    TlsClient(unsigned short port, std::string authority, const std::string& ca_pem, std::string local_address = {})
        : port_(port), authority_(std::move(authority)), local_(std::move(local_address)),
          tls_(boost::asio::ssl::context::tls_client) {
        tls_.add_certificate_authority(boost::asio::buffer(ca_pem));
        tls_.set_verify_mode(boost::asio::ssl::verify_peer);
    }

    Reply request(beast_http::verb method, const std::string& target, Headers headers = {}, std::string body = {}) {
        namespace asio = boost::asio;
        std::string host = authority_.substr(0, authority_.rfind(':'));
        asio::ssl::stream<asio::ip::tcp::socket> stream(io_, tls_);
        auto& socket = stream.next_layer();
        socket.open(asio::ip::tcp::v4());
        if (!local_.empty()) socket.bind({asio::ip::make_address(local_), 0});
        socket.connect({asio::ip::make_address("127.0.0.1"), port_});
        if (!SSL_set_tlsext_host_name(stream.native_handle(), host.c_str())) throw std::runtime_error("SNI failed");
        stream.set_verify_callback(asio::ssl::host_name_verification(host));
        stream.handshake(asio::ssl::stream_base::client);

        beast_http::request<beast_http::string_body> request{method, target, 11};
        request.set(beast_http::field::host, authority_);
        for (const auto& [name, value] : headers) request.set(name, value);
        if (!body.empty() || method == beast_http::verb::post) {
            request.body() = std::move(body);
            request.prepare_payload();
        }
        request.keep_alive(false);
        beast_http::write(stream, request);
        boost::beast::flat_buffer buffer;
        beast_http::response_parser<beast_http::string_body> parser;
        parser.body_limit(64 * 1024 * 1024);
        parser.skip(method == beast_http::verb::head);
        beast_http::read(stream, buffer, parser);
        boost::system::error_code ignored;
        stream.shutdown(ignored);
        return parser.release();
    }

    Reply get(const std::string& target, Headers headers = {}) { return request(beast_http::verb::get, target, headers); }
    Reply get_activity(const std::string& target) { return get(target, {{"Accept", "application/activity+json"}}); }

private:
    unsigned short port_;
    std::string authority_;
    std::string local_;
    boost::asio::io_context io_;
    boost::asio::ssl::context tls_;
};

}  // namespace fedblog::testing
