#include "server/commands.hpp"

#include <malloc.h>

#include <iostream>

#include "common/log.hpp"
#include "common/time.hpp"
#include "server/admin_commands.hpp"
#include "server/app.hpp"
#include "server/federation.hpp"
#include "server/config.hpp"
#include "server/http_server.hpp"
#include "server/backup.hpp"
#include "server/moderation_commands.hpp"
#include "server/metrics.hpp"
#include "server/operator_commands.hpp"
#include "server/reload.hpp"
#include "server/router.hpp"

namespace fedblog::server {

namespace {

int serve(App& app, const std::function<Settings()>& reread) {
    std::string holder;
    auto lock = DataDirLock::try_acquire(app.settings().data_dir, &holder);
    if (!lock)
        throw std::runtime_error("another fedblog serve" + (holder.empty() ? "" : " (pid " + holder + ")") +
                                 " is running on " + app.settings().data_dir);
    app.sync_content();
    app.apply_configured_blocks();
    app.announce_profile(app.key().public_pem());
    SiteHolder site(app.build_site());
    // Markdown rendering, YAML parsing and a first key generation leave freed scratch memory in the heap;
    // hand it back before settling in to serve.
    malloc_trim(0);
    Metrics metrics;
    Federation federation(app, {}, &metrics);
    Router router(site, app.reader(), federation.inbox_endpoint());
    router.serve_metrics(metrics_endpoint(metrics, app.database(), [&federation] { return &federation.deliveries().counters(); },
                                          AddressSet::parse(app.settings().metrics_allowed),
                                          AddressSet::parse(app.settings().trusted_proxies)));
    auto [address, port] = split_listen_address(app.settings().listen);
    HttpServer server(
        address, port, ServerLimits::from(app.settings()),
        [&router](const http::Request& request, const Peer& peer) { return router(request, peer); },
        [&metrics](const http::Request& request, const http::Response& response) {
            metrics.count_response(request, response);
        },
        [&metrics](std::string_view limit) { metrics.count_refused_connection(limit); });
    federation.start();
    // SIGHUP: the content folder and the settings that can change while running (server/reload.hpp).
    HangupListener hangup([&] {
        reload(app, site, federation, reread ? reread : [&app] { return app.settings(); });
    });
    log::info("listening", {{"address", address},
                            {"port", server.port()},
                            {"public_url", app.settings().public_url},
                            {"account", "@" + app.settings().handle + "@" + site.current()->ids.authority()}});
    server.run();
    federation.stop(std::chrono::seconds(app.settings().shutdown_grace_seconds));
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
    // Followers' servers refetch the actor on this Update and verify later deliveries with the new key.
    app.announce_profile(fresh.public_pem());
    std::cout << "New key written to " << file.string() << " (the old one is kept beside it as "
              << file.filename().string() << ".retired-<time>).\n"
              << "An Update of the actor is queued for the followers. Restart fedblog serve so it signs and\n"
                 "publishes with the new key; servers that cached the old one fetch it again on that Update or\n"
                 "when a signature fails to verify.\n\n"
              << fresh.public_pem();
    return 0;
}

// Walks the post's conversations from this process (a running server does it too, every few hours).
int comments_backfill(App& app, const std::vector<std::string>& words) {
    if (words.size() != 1) {
        std::cerr << "usage: fedblog comments backfill <slug>\n";
        return 2;
    }
    Federation federation(app);
    auto report = federation.backfill(words[0]);
    if (!report) {
        std::cerr << "fedblog comments backfill: no post \"" << words[0] << "\"\n";
        return 1;
    }
    std::cout << format_backfill_report(*report);
    return 0;
}

}  // namespace

int run_command(const std::vector<std::string>& command, const Settings& settings,
                std::function<Settings()> reread_settings) {
    if (auto status = run_operator_command(command, settings)) return *status;
    std::string name;
    for (const auto& word : command) {
        if (word.starts_with("--")) break;  // a command option (--text …) and what follows are not its name
        name += (name.empty() ? "" : " ") + word;
    }
    std::function<int(App&)> run;
    if (name == "serve") run = [&reread_settings](App& app) { return serve(app, reread_settings); };
    if (name == "publish") run = publish;
    if (name == "keys show") run = keys_show;
    if (name == "keys rotate") run = keys_rotate;
    const std::vector<std::string> rest(command.empty() ? command.end() : command.begin() + 1, command.end());
    if (!command.empty() && command[0] == "followers") run = [&rest](App& app) { return followers_command(app, rest); };
    if (!command.empty() && command[0] == "deliveries") run = [&rest](App& app) { return deliveries_command(app, rest); };
    if (!command.empty() && command[0] == "comments") run = [&rest](App& app) { return comments_command(app, rest); };
    if (!command.empty() && command[0] == "block") run = [&rest](App& app) { return block_command(app, rest); };
    if (!command.empty() && command[0] == "reports") run = [&rest](App& app) { return reports_command(app, rest); };
    if (command.size() >= 2 && command[0] == "comments" && command[1] == "backfill")
        run = [&command](App& app) { return comments_backfill(app, {command.begin() + 2, command.end()}); };
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
