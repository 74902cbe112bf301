#pragma once
// Shared by the transport tests: a test CA the client trusts, loopback servers reached by real names
// (remote.test, other.test), and a blocking way to run fetches to completion.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <optional>
#include <string>
#include <utility>

#include "activitypub/transport/http_client.hpp"
#include "tests/support/test_ca.hpp"
#include "tests/support/tls_test_server.hpp"

namespace fedblog::transport::test {

using testing::TestReply;
using testing::TestRequest;
using testing::TestServer;

inline const testing::TestCa& trusted_ca() {
    static const testing::TestCa ca("fedblog trusted test CA");
    return ca;
}

inline testing::IssuedCertificate remote_test_identity() { return trusted_ca().issue({"remote.test"}); }

inline boost::asio::ip::address loopback() { return boost::asio::ip::make_address("127.0.0.1"); }

// The SSRF guard stays on: only 127.0.0.1 itself is let through, so other private addresses are still refused.
inline ClientOptions loopback_options() {
    ClientOptions options;
    options.public_url = "https://blog.example";
    options.address_policy.always_allowed = {loopback()};
    options.extra_ca_pem = trusted_ca().certificate_pem();
    options.static_hosts = {{"remote.test", {loopback()}},
                            {"other.test", {loopback()}},
                            {"internal.test", {boost::asio::ip::make_address("127.0.0.2")}}};
    return options;
}

inline std::string url(const char* scheme, const char* host, unsigned short port, const std::string& path = "/") {
    return std::string(scheme) + "://" + host + ":" + std::to_string(port) + path;
}

// A client on its own io_context, run on the test's thread until each fetch completes.
class Harness {
public:
    explicit Harness(ClientOptions options = loopback_options()) : client_(io_.get_executor(), std::move(options)) {}

    Result fetch(Request request) {
        std::optional<Result> result;
        boost::asio::co_spawn(io_, store(client_, std::move(request), result), rethrow);
        io_.restart();
        io_.run();
        return std::move(*result);
    }
    Result get(std::string target) {
        Request request;
        request.url = std::move(target);
        return fetch(std::move(request));
    }

    boost::asio::io_context& io() { return io_; }
    HttpClient& client() { return client_; }

    static boost::asio::awaitable<void> store(HttpClient& client, Request request, std::optional<Result>& result) {
        result = co_await client.fetch(std::move(request));
    }
    static void rethrow(std::exception_ptr failure) {
        if (failure) std::rethrow_exception(failure);
    }

private:
    boost::asio::io_context io_;  // before the client: its pooled connections live on it
    HttpClient client_;
};

}  // namespace fedblog::transport::test
