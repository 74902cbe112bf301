// The remote inboxes of tests/bench/fanout.sh: one process listening on N loopback ports (one per host name
// h0.test … h<N-1>.test, the bench maps the names to 127.0.0.1), plain HTTP or TLS, HTTP/1.1 keep-alive, answering
// 202 to every POST. It does as little as it can, on one io_context run by one thread, since it shares the
// machine's cores with the fedblog process it measures. On SIGTERM or SIGINT it prints what it received:
//   sink_posts, sink_signed_posts, sink_distinct_inboxes, sink_connections, sink_tls_handshakes, ...
//
//   bench_fanout_sink --ports-out FILE [--hosts 100] [--tls --ca-out FILE]
// With --tls every port presents one certificate for all the names, issued by tests/support/test_ca (an ECDSA P-256
// key): a new connection costs the client an ECDHE exchange and ECDSA verifications, less than an RSA-2048 server
// key would. FILE gets one port per line (line k is h<k>.test), written once every port listens (written aside, then
// renamed: its appearance means "ready").
#include <sys/resource.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "tests/support/test_ca.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// Touched only by the io_context's one thread.
struct Stats {
    long posts = 0;
    long signed_posts = 0;   // with a Signature or Signature-Input field
    long other_requests = 0;  // not POST: answered 405
    long connections = 0;
    long tls_handshakes = 0;
    long tls_failures = 0;
    long open_connections = 0;
    long peak_open_connections = 0;
    std::vector<long> connections_per_port;
    std::unordered_set<std::string> inboxes;  // host + target
};

template <typename Stream>
asio::awaitable<void> serve(Stream& stream, Stats& stats) {
    beast::flat_buffer buffer;
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(1024 * 1024);
        beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(60));
        auto [read_error, read] = co_await http::async_read(stream, buffer, parser, use_tuple);
        if (read_error) co_return;
        auto& request = parser.get();
        http::response<http::empty_body> response;
        response.version(request.version());
        if (request.method() == http::verb::post) {
            ++stats.posts;
            if (request.find("signature") != request.end() || request.find("signature-input") != request.end())
                ++stats.signed_posts;
            std::string key(request[http::field::host]);
            key.append(request.target().data(), request.target().size());
            stats.inboxes.insert(std::move(key));
            response.result(http::status::accepted);
        } else {
            ++stats.other_requests;
            response.result(http::status::method_not_allowed);
        }
        response.keep_alive(request.keep_alive());
        response.prepare_payload();
        auto [write_error, written] = co_await http::async_write(stream, response, use_tuple);
        if (write_error || !response.keep_alive()) co_return;
    }
}

asio::awaitable<void> session(tcp::socket socket, asio::ssl::context* tls, Stats& stats) {
    ++stats.open_connections;
    stats.peak_open_connections = std::max(stats.peak_open_connections, stats.open_connections);
    socket.set_option(tcp::no_delay(true));
    beast::tcp_stream tcp_stream(std::move(socket));
    if (!tls) {
        co_await serve(tcp_stream, stats);
    } else {
        asio::ssl::stream<beast::tcp_stream> stream(std::move(tcp_stream), *tls);
        beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(30));
        auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, use_tuple);
        if (ec) {
            ++stats.tls_failures;
        } else {
            ++stats.tls_handshakes;
            co_await serve(stream, stats);
        }
    }
    --stats.open_connections;
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, std::size_t index, asio::ssl::context* tls, Stats& stats) {
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
        if (ec) co_return;
        ++stats.connections;
        ++stats.connections_per_port[index];
        asio::co_spawn(acceptor.get_executor(), session(std::move(socket), tls, stats), asio::detached);
    }
}

void write_file(const std::string& path, const std::string& text) {
    std::string aside = path + ".part";
    std::ofstream(aside, std::ios::binary) << text;
    std::filesystem::rename(aside, path);
}

double cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t hosts = 100;
    bool use_tls = false;
    std::string ports_out, ca_out;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) throw std::runtime_error(arg + " needs a value");
            return argv[++i];
        };
        if (arg == "--hosts") hosts = std::stoul(value());
        else if (arg == "--tls") use_tls = true;
        else if (arg == "--ports-out") ports_out = value();
        else if (arg == "--ca-out") ca_out = value();
        else {
            std::cerr << "usage: bench_fanout_sink --ports-out FILE [--hosts N] [--tls --ca-out FILE]\n";
            return 2;
        }
    }
    if (ports_out.empty() || (use_tls && ca_out.empty())) {
        std::cerr << "bench_fanout_sink: --ports-out is required, and --ca-out with --tls\n";
        return 2;
    }

    asio::io_context io(1);
    std::optional<asio::ssl::context> tls;
    if (use_tls) {
        fedblog::testing::TestCa ca("fedblog fan-out bench CA");
        std::vector<std::string> names;
        for (std::size_t k = 0; k < hosts; ++k) names.push_back("h" + std::to_string(k) + ".test");
        auto identity = ca.issue(names);
        tls.emplace(asio::ssl::context::tls_server);
        tls->use_certificate_chain(asio::buffer(identity.certificate_pem));
        tls->use_private_key(asio::buffer(identity.private_key_pem), asio::ssl::context::pem);
        write_file(ca_out, ca.certificate_pem());
    }

    Stats stats;
    stats.connections_per_port.assign(hosts, 0);
    std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
    std::string ports;
    for (std::size_t k = 0; k < hosts; ++k) {
        auto acceptor = std::make_unique<tcp::acceptor>(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
        acceptor->listen(1024);
        ports += std::to_string(acceptor->local_endpoint().port()) + "\n";
        asio::co_spawn(io, accept_loop(*acceptor, k, tls ? &*tls : nullptr, stats), asio::detached);
        acceptors.push_back(std::move(acceptor));
    }
    write_file(ports_out, ports);

    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](auto, auto) { io.stop(); });
    io.run();

    long max_per_port = 0;
    for (long n : stats.connections_per_port) max_per_port = std::max(max_per_port, n);
    std::printf("sink_mode %s\n", use_tls ? "tls" : "plain");
    std::printf("sink_posts %ld\n", stats.posts);
    std::printf("sink_signed_posts %ld\n", stats.signed_posts);
    std::printf("sink_distinct_inboxes %zu\n", stats.inboxes.size());
    std::printf("sink_other_requests %ld\n", stats.other_requests);
    std::printf("sink_connections %ld\n", stats.connections);
    std::printf("sink_tls_handshakes %ld\n", stats.tls_handshakes);
    std::printf("sink_tls_failures %ld\n", stats.tls_failures);
    std::printf("sink_peak_open_connections %ld\n", stats.peak_open_connections);
    std::printf("sink_max_connections_one_host %ld\n", max_per_port);
    std::printf("sink_cpu_seconds %.2f\n", cpu_seconds());
    std::fflush(stdout);
}
