#include "server/commands.hpp"

#include <malloc.h>

#include <iostream>

#include "common/log.hpp"
#include "common/time.hpp"
#include "server/app.hpp"
#include "server/config.hpp"
#include "server/http_server.hpp"
#include "server/router.hpp"

namespace fedblog::server {

namespace {

int serve(App& app) {
    app.sync_content();
    SiteHolder site(app.build_site());
    // Markdown rendering, YAML parsing and a first key generation leave freed scratch memory in the heap;
    // hand it back before settling in to serve.
    malloc_trim(0);
    Router router(site, app.database());
    auto [address, port] = split_listen_address(app.settings().listen);
    HttpServer server(address, port, ServerLimits::from(app.settings()),
                      [&router](const http::Request& request, const Peer& peer) { return router(request, peer); });
    log::info("listening", {{"address", address},
                            {"port", server.port()},
                            {"public_url", app.settings().public_url},
                            {"account", "@" + app.settings().handle + "@" + site.current()->ids.authority()}});
    server.run();
    log::info("stopped");
    return 0;
}

int publish(App& app) {
    publishing::SyncReport report = app.sync_content();
    std::cout << publishing::format_report(report);
    // Exit 1 when a file was skipped, so scripts and CI notice; the other files were still published.
    return report.errors.empty() ? 0 : 1;
}

int keys_show(App& app) {
    std::cout << app.key().public_pem();
    return 0;
}

int keys_rotate(App& app) {
    std::filesystem::path file = std::filesystem::path(app.settings().data_dir) / "actor.key";
    keys::KeyPair fresh = keys::rotate_key(file, now_seconds());
    log::info("actor key rotated", {{"path", file.string()}});
    std::cout << "New key written to " << file.string() << " (the old one is kept beside it as "
              << file.filename().string() << ".retired-<time>).\n"
              << "Restart fedblog serve so the actor publishes it; servers that cached the old key fetch the new\n"
                 "one when a signature fails to verify.\n\n"
              << fresh.public_pem();
    return 0;
}

}  // namespace

int run_command(const std::vector<std::string>& command, const Settings& settings) {
    std::string name;
    for (const auto& word : command) name += (name.empty() ? "" : " ") + word;
    int (*run)(App&) = nullptr;
    if (name == "serve") run = serve;
    if (name == "publish") run = publish;
    if (name == "keys show") run = keys_show;
    if (name == "keys rotate") run = keys_rotate;
    if (!run) {
        std::cerr << "fedblog: unknown command \"" << name << "\"\n\n" << help_text({});
        return 2;
    }
    try {
        App app(settings);
        return run(app);
    } catch (const std::exception& e) {
        log::error("fatal", {{"command", name}, {"error", e.what()}});
        std::cerr << "fedblog " << name << ": " << e.what() << "\n";
        return 1;
    }
}

}  // namespace fedblog::server
