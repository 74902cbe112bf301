// The remote inboxes of tests/bench/fanout.sh: one process listening on N loopback ports (one per host name
// h0.test … h<N-1>.test, the bench maps the names to 127.0.0.1), plain HTTP or TLS, HTTP/1.1 keep-alive, answering
// 202 to every POST. It does as little as it can, on one io_context run by one thread, since it shares the
// machine's cores with the fedblog process it measures (a real inbox runs on other machines): a lean HTTP/1.1
// request reader of its own (request line, the few fields it counts, Content-Length framing; chunked bodies are
// refused) over one 64 KB buffer per connection, so a 12 KB delivery is one read and one canned answer, where
// Beast's generic parser took ~18 reads of a few hundred bytes each. It still sees every request whole: a POST
// is counted once its body has arrived. On SIGTERM or SIGINT it prints what it received:
//   sink_posts, sink_signed_posts, sink_distinct_inboxes, sink_connections, sink_tls_handshakes, sink_tls_resumed,
//   ...
//
//   bench_fanout_sink --ports-out FILE [--hosts 100] [--tls --ca-out FILE]
// With --tls every port presents one certificate for all the names, issued by tests/support/test_ca (an ECDSA P-256
// key): a new connection costs the client an ECDHE exchange and ECDSA verifications, less than an RSA-2048 server
// key would. Like nginx by default (OpenSSL's server defaults), it issues session tickets (two after a full TLS 1.3
// handshake, one after a resumed one) under one ticket key for all its names, and counts the resumed handshakes.
// FILE gets one port per line (line k is h<k>.test), written once every port listens (written aside, then
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
#include <boost/asio/write.hpp>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "tests/support/test_ca.hpp"

namespace asio = boost::asio;
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
    long tls_resumed = 0;  // of those, abbreviated by a session ticket: no certificate signed or sent
    long tls_failures = 0;
    long open_connections = 0;
    long peak_open_connections = 0;
    std::vector<long> connections_per_port;
    std::unordered_set<std::string> inboxes;  // host + target
};

// One request at the front of a connection's buffer.
struct Parsed {
    enum State { incomplete, complete, bad } state = incomplete;
    std::size_t length = 0;  // header block plus body
    bool post = false;
    bool has_signature = false;
    bool keep_alive = true;
    std::string_view host, target;
};

bool same_name(std::string_view name, std::string_view lower) {
    if (name.size() != lower.size()) return false;
    for (std::size_t i = 0; i < name.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(name[i])) != lower[i]) return false;
    return true;
}

std::string_view trimmed(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

constexpr std::size_t max_header_bytes = 64 * 1024;
constexpr std::size_t max_body_bytes = 1024 * 1024;

// Request line, the fields the sink counts or frames with, Content-Length; anything it cannot frame is bad.
Parsed parse(std::string_view data) {
    Parsed out;
    const std::size_t end = data.find("\r\n\r\n");
    if (end == std::string_view::npos) {
        if (data.size() > max_header_bytes) out.state = Parsed::bad;
        return out;
    }
    std::string_view head = data.substr(0, end + 2);  // every line ends with CRLF
    std::size_t line_end = head.find("\r\n");
    std::string_view line = head.substr(0, line_end);
    const std::size_t space1 = line.find(' '), space2 = line.rfind(' ');
    if (space1 == std::string_view::npos || space2 == space1) return out.state = Parsed::bad, out;
    const std::string_view method = line.substr(0, space1), version = line.substr(space2 + 1);
    out.target = line.substr(space1 + 1, space2 - space1 - 1);
    if (version != "HTTP/1.1" && version != "HTTP/1.0") return out.state = Parsed::bad, out;
    out.post = method == "POST";
    out.keep_alive = version == "HTTP/1.1";
    std::size_t content_length = 0;
    for (std::size_t at = line_end + 2; at < head.size(); at = line_end + 2) {
        line_end = head.find("\r\n", at);
        line = head.substr(at, line_end - at);
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0) return out.state = Parsed::bad, out;
        const std::string_view name = line.substr(0, colon), value = trimmed(line.substr(colon + 1));
        if (same_name(name, "host")) {
            out.host = value;
        } else if (same_name(name, "content-length")) {
            if (value.empty() || value.size() > 9 || value.find_first_not_of("0123456789") != std::string_view::npos)
                return out.state = Parsed::bad, out;
            content_length = std::stoul(std::string(value));
        } else if (same_name(name, "signature") || same_name(name, "signature-input")) {
            out.has_signature = true;
        } else if (same_name(name, "connection")) {
            if (same_name(value, "close")) out.keep_alive = false;
            if (same_name(value, "keep-alive")) out.keep_alive = true;
        } else if (same_name(name, "transfer-encoding")) {
            return out.state = Parsed::bad, out;  // fedblog sends Content-Length
        }
    }
    if (content_length > max_body_bytes) return out.state = Parsed::bad, out;
    out.length = end + 4 + content_length;
    if (data.size() >= out.length) out.state = Parsed::complete;
    return out;
}

constexpr std::string_view accepted = "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n";
constexpr std::string_view accepted_close = "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
constexpr std::string_view not_allowed = "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n";
constexpr std::string_view not_allowed_close =
    "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
constexpr std::string_view bad_request = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

// Reads requests into one buffer, answers each complete one (all of a read together, in one write).
template <typename Stream>
asio::awaitable<void> serve(Stream& stream, Stats& stats) {
    std::vector<char> buffer(64 * 1024);
    std::size_t filled = 0;
    std::string answers;
    for (;;) {
        if (filled == buffer.size()) buffer.resize(buffer.size() * 2);  // a request larger than the buffer
        auto [read_error, read] =
            co_await stream.async_read_some(asio::buffer(buffer.data() + filled, buffer.size() - filled), use_tuple);
        if (read_error) co_return;
        filled += read;
        std::size_t used = 0;
        bool close = false;
        answers.clear();
        while (!close) {
            Parsed request = parse(std::string_view(buffer.data() + used, filled - used));
            if (request.state == Parsed::incomplete) break;
            if (request.state == Parsed::bad) {
                answers += bad_request;
                close = true;
                break;
            }
            close = !request.keep_alive;
            if (request.post) {
                ++stats.posts;
                if (request.has_signature) ++stats.signed_posts;
                std::string key(request.host);
                key += request.target;
                stats.inboxes.insert(std::move(key));
                answers += close ? accepted_close : accepted;
            } else {
                ++stats.other_requests;
                answers += close ? not_allowed_close : not_allowed;
            }
            used += request.length;
        }
        if (used > 0) {
            std::memmove(buffer.data(), buffer.data() + used, filled - used);
            filled -= used;
        }
        if (!answers.empty()) {
            auto [write_error, written] = co_await asio::async_write(stream, asio::buffer(answers), use_tuple);
            if (write_error) co_return;
        }
        if (close) co_return;
    }
}

asio::awaitable<void> session(tcp::socket socket, asio::ssl::context* tls, Stats& stats) {
    ++stats.open_connections;
    stats.peak_open_connections = std::max(stats.peak_open_connections, stats.open_connections);
    socket.set_option(tcp::no_delay(true));
    if (!tls) {
        co_await serve(socket, stats);
    } else {
        asio::ssl::stream<tcp::socket> stream(std::move(socket), *tls);
        auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, use_tuple);
        if (ec) {
            ++stats.tls_failures;
        } else {
            ++stats.tls_handshakes;
            if (SSL_session_reused(stream.native_handle())) ++stats.tls_resumed;
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
    std::printf("sink_tls_resumed %ld\n", stats.tls_resumed);
    std::printf("sink_tls_failures %ld\n", stats.tls_failures);
    std::printf("sink_peak_open_connections %ld\n", stats.peak_open_connections);
    std::printf("sink_max_connections_one_host %ld\n", max_per_port);
    std::printf("sink_cpu_seconds %.2f\n", cpu_seconds());
    std::fflush(stdout);
}
