// The yardstick for fedblog's GET throughput: a Beast server with the same threading model (one
// io_context, one thread per core, coroutines, keep-alive) that answers every request with a fixed body
// and does nothing else. fedblog's figures are reported as a ratio of this one's, measured in the same run.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <iostream>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

static asio::awaitable<void> session(tcp::socket socket, const std::string& body) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    while (true) {
        http::request<http::string_body> request;
        stream.expires_after(std::chrono::seconds(15));
        auto [ec, n] = co_await http::async_read(stream, buffer, request, use_tuple);
        if (ec) break;
        http::response<http::string_body> response{http::status::ok, request.version()};
        response.set(http::field::content_type, "application/activity+json");
        response.keep_alive(request.keep_alive());
        response.body() = body;
        response.prepare_payload();
        auto [write_error, written] = co_await http::async_write(stream, response, use_tuple);
        if (write_error || !response.keep_alive()) break;
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

static asio::awaitable<void> listen(tcp::acceptor& acceptor, const std::string& body) {
    while (true) {
        auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(acceptor.get_executor()), use_tuple);
        if (ec) co_return;
        auto executor = socket.get_executor();
        asio::co_spawn(executor, session(std::move(socket), body), asio::detached);
    }
}

int main(int argc, char** argv) {
    if (argc < 3) {
        std::cerr << "usage: bare_server <port> <body size in bytes>\n";
        return 2;
    }
    auto port = static_cast<unsigned short>(std::stoi(argv[1]));
    std::string body(static_cast<std::size_t>(std::stoul(argv[2])), 'x');
    unsigned threads = std::max(1u, std::thread::hardware_concurrency());
    asio::io_context io(static_cast<int>(threads));
    tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), port});
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](auto, auto) { io.stop(); });
    asio::co_spawn(io, listen(acceptor, body), asio::detached);
    std::vector<std::thread> pool;
    for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&] { io.run(); });
    io.run();
    for (auto& thread : pool) thread.join();
}
