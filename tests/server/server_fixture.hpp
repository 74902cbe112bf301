#pragma once
// The real server on a loopback port: temp data and content folders, a real SQLite file, the real
// router and HttpServer on their own thread. Tests talk to it through sockets only.
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <thread>
#include <vector>

#include "server/app.hpp"
#include "server/federation.hpp"
#include "server/http_server.hpp"
#include "server/metrics.hpp"
#include "server/router.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/temp_dir.hpp"

namespace fedblog::testing {

inline void write_file(const std::filesystem::path& path, const std::string& text) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
}

// Federation for a blog whose remote instances are `hosts`, all served on 127.0.0.1 with certificates from the
// test CA `ca_pem`: the client trusts that CA and that one address, and the engine looks at its queue often.
inline server::FederationTuning loopback_federation(const std::string& ca_pem, const std::vector<std::string>& hosts) {
    server::FederationTuning tuning;
    tuning.client.public_url = "http://localhost";
    tuning.client.extra_ca_pem = ca_pem;
    for (const auto& host : hosts) tuning.client.static_hosts[host] = {boost::asio::ip::make_address("127.0.0.1")};
    tuning.client.address_policy.always_allowed = {boost::asio::ip::make_address("127.0.0.1")};
    tuning.poll_interval = std::chrono::milliseconds(100);
    tuning.threads = 2;
    return tuning;
}

class ServerFixture : public ::testing::Test {
protected:
    // Tests may adjust settings and content before start().
    ServerFixture() {
        settings.data_dir = (dir / "data").string();
        settings.content_dir = (dir / "content").string();
        settings.listen = "127.0.0.1:0";
        settings.threads = 2;
        settings.blog_name = "L'atelier vélo";
        settings.blog_summary = "Réparations & entraide.";
        std::filesystem::create_directories(dir / "content");
    }

    void write_post(const std::string& file, const std::string& front_matter, const std::string& body) {
        write_file(dir / "content" / file, "---\n" + front_matter + "---\n" + body);
    }

    // With `federation_tuning` set before start(), the inbox and the delivery workers run too.
    void start() {
        server = std::make_unique<server::HttpServer>(
            "127.0.0.1", 0, server::ServerLimits::from(settings),
            [this](const http::Request& request, const server::Peer& peer) { return (*router)(request, peer); },
            [this](const http::Request& request, const http::Response& response) {
                metrics.count_response(request, response);
            },
            [this](std::string_view limit) { metrics.count_refused_connection(limit); });
        port = server->port();
        settings.public_url = "http://localhost:" + std::to_string(port);
        app = std::make_unique<server::App>(settings);
        app->sync_content();
        app->announce_profile(app->key().public_pem());  // as serve does at start
        site = std::make_unique<server::SiteHolder>(app->build_site());
        if (federation_tuning) {
            federation = std::make_unique<server::Federation>(*app, *federation_tuning, &metrics);
            router = std::make_unique<server::Router>(*site, app->reader(), federation->inbox_endpoint());
            federation->start();
        } else {
            router = std::make_unique<server::Router>(*site, app->reader());
        }
        router->serve_metrics(server::metrics_endpoint(
            metrics, app->database(),
            [this]() -> const activitypub::delivery::EngineCounters* {
                return federation ? &federation->deliveries().counters() : nullptr;
            },
            server::AddressSet::parse(settings.metrics_allowed), server::AddressSet::parse(settings.trusted_proxies)));
        thread = std::thread([this] { server->run(false); });
    }

    // Re-reads the content folder, as `fedblog publish` followed by a reload would.
    void resync() {
        app->sync_content([this] {
            if (federation) federation->wake_deliveries();
        });
        site->replace(app->build_site());
    }

    ~ServerFixture() override {
        if (server) server->stop();
        if (thread.joinable()) thread.join();
        if (federation) federation->stop(std::chrono::seconds(0));
    }

    std::string url(const std::string& path) const { return settings.public_url + path; }
    HttpClient client() const { return HttpClient(port); }

    TempDir dir;
    Settings settings;
    unsigned short port = 0;
    std::optional<server::FederationTuning> federation_tuning;
    server::Metrics metrics;  // counted as serve counts them; GET /metrics answers as configured in settings
    std::unique_ptr<server::App> app;
    std::unique_ptr<server::Federation> federation;
    std::unique_ptr<server::SiteHolder> site;
    std::unique_ptr<server::Router> router;
    std::unique_ptr<server::HttpServer> server;
    std::thread thread;
};

}  // namespace fedblog::testing
