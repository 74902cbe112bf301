// The HTTP request path as a whole, in process: bytes → Beast's request parser under the server's limits (the
// same read algorithm HttpServer runs, on an in-memory stream delivering the bytes in slices, pipelined
// requests one after another) → the Router over a real blog (SQLite, sample posts, comments) → the response,
// serialized. POST /inbox goes to the real Federation inbox endpoint, driven on an io_context here.
// Input: the first byte sets how many bytes each read gets (1-256: slowly dribbled or whole), the rest is
// what a client sends on one connection.
// Fails on: an exception out of the handler (the server would answer 500), a 500, a status outside
// 100-599, a Content-Length that is not the body's, a body in an answer to HEAD.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <cstdint>
#include <cstdlib>
#include <future>
#include <sstream>

#include "fuzz/support/fuzz_blog.hpp"
#include "server/federation.hpp"
#include "server/router.hpp"

using namespace fedblog;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace beast_http = boost::beast::http;

namespace {

struct Server {
    Server()
        : blog(fuzz::fuzz_blog()),
          site(blog.app->build_site()),
          federation(*blog.app, tuning()),
          router(site, blog.app->database(), federation.inbox_endpoint()),
          limits(server::ServerLimits::from(blog.app->settings())) {
        federation.start();
    }

    // No network: the seed hosts resolve to a documentation address, which the SSRF guard refuses before any
    // connection. Only a request that passes every key-free signature check (a Date within the hour of the
    // real clock and a digest of its body) could make the inbox look a key up, and then only at such a host.
    static server::FederationTuning tuning() {
        server::FederationTuning t;
        t.client = transport::ClientOptions::from(fuzz::fuzz_blog().app->settings());
        for (const char* host : fuzz::seed_hosts) t.client.static_hosts[host] = {asio::ip::make_address("192.0.2.1")};
        t.client.limits.connect_timeout = std::chrono::milliseconds(50);
        t.client.limits.total_timeout = std::chrono::milliseconds(200);
        t.threads = 1;
        t.backfill_every = std::chrono::seconds(0);
        return t;
    }

    fuzz::FuzzBlog& blog;
    server::SiteHolder site;
    server::Federation federation;
    server::Router router;
    server::ServerLimits limits;
    asio::io_context io;  // where an inbox coroutine runs, as on the HTTP server's threads
};

Server& server_instance() {
    static Server s;
    return s;
}

http::Response respond(Server& s, const http::Request& request) {
    const server::Peer peer{"203.0.113.7", "203.0.113.7"};  // no proxy: the client is the peer
    server::Reply reply = s.router(request, peer);
    if (auto* ready = std::get_if<http::Response>(&reply)) return std::move(*ready);
    auto done = asio::co_spawn(s.io, std::move(std::get<asio::awaitable<http::Response>>(reply)), asio::use_future);
    s.io.restart();
    s.io.run();
    return done.get();  // rethrows what the coroutine threw
}

void check(const http::Request& request, http::Response& response) {
    const unsigned status = response.result_int();
    if (status < 100 || status > 599 || status == 500) std::abort();
    if (request.method() == beast_http::verb::head) {
        if (!response.body().empty()) std::abort();
    } else if (auto length = response.find(beast_http::field::content_length);
               length != response.end() && length->value() != std::to_string(response.body().size())) {
        std::abort();
    }
    std::ostringstream wire;
    wire << response;
    if (wire.str().empty()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    server_instance();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    Server& s = server_instance();
    const std::size_t slice = std::size_t(data[0]) + 1;
    asio::io_context io;
    beast::test::stream client(io);
    client.append(std::string_view(reinterpret_cast<const char*>(data + 1), size - 1));
    client.read_size(slice);
    client.close_remote();  // the client sent everything, then closed its side

    beast::flat_buffer buffer;
    for (int requests = 0; requests < 16; ++requests) {
        beast_http::request_parser<beast_http::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(s.limits.max_header_bytes));
        parser.body_limit(s.limits.max_body_bytes);
        beast::error_code ec;
        beast_http::read(client, buffer, parser, ec);
        if (ec) break;  // HttpServer answers 400/413/431 or closes: no handler runs
        http::Request request = parser.release();
        http::Response response = respond(s, request);
        check(request, response);
        if (!response.keep_alive()) break;
    }
    return 0;
}
