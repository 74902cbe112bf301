#pragma once
// Method + path → handler, with content negotiation on every object URL: the same address serves
// ActivityStreams JSON to servers and HTML to browsers, always with Vary: Accept.
#include <filesystem>

#include "http/message.hpp"
#include "server/http_server.hpp"
#include "server/site.hpp"
#include "store/database.hpp"

namespace fedblog::server {

class Router {
public:
    Router(SiteHolder& site, store::Database& db) : site_(site), db_(db) {}

    http::Response operator()(const http::Request& request, const Peer& peer);

private:
    SiteHolder& site_;
    store::Database& db_;
};

}  // namespace fedblog::server
