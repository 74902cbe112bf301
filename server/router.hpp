#pragma once
// Method + path → handler, with content negotiation on every object URL: the same address serves
// ActivityStreams JSON to servers and HTML to browsers, always with Vary: Accept.
#include <filesystem>

#include "http/message.hpp"
#include "server/http_server.hpp"
#include "server/site.hpp"
#include "store/database.hpp"

namespace fedblog::server {

// Answers a POST to the blog's inbox or the shared inbox.
using InboxEndpoint = std::function<boost::asio::awaitable<http::Response>(const http::Request&, const Peer&)>;
// Answers GET /metrics (server/metrics.hpp); without one, /metrics is 404 like any unknown path.
using MetricsEndpoint = std::function<http::Response(const http::Request&, const Peer&)>;

class Router {
public:
    // Without an inbox endpoint (tools, tests of pages) inbox POSTs answer 503. `db` is what pages and documents
    // are read from: the App's reader, so that they do not wait for writes.
    Router(SiteHolder& site, store::Database& db, InboxEndpoint inbox = {})
        : site_(site), db_(db), inbox_(std::move(inbox)) {}

    Reply operator()(const http::Request& request, const Peer& peer);
    // Set before serving.
    void serve_metrics(MetricsEndpoint metrics) { metrics_ = std::move(metrics); }

private:
    SiteHolder& site_;
    store::Database& db_;
    InboxEndpoint inbox_;
    MetricsEndpoint metrics_;
};

}  // namespace fedblog::server
