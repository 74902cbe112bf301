// fedblog doctor, the part this machine can tell alone: settings, key file, database, delivery queue.
#include <sys/stat.h>

#include <SQLiteCpp/Database.h>
#include <boost/url/parse.hpp>
#include <fstream>
#include <sstream>

#include "common/time.hpp"
#include "server/backup.hpp"
#include "server/config.hpp"
#include "server/doctor_checks.hpp"
#include "store/catalog.hpp"
#include "store/delivery_health.hpp"
#include "store/posts.hpp"

namespace fedblog::server::doctor {

namespace fs = std::filesystem;

namespace {

bool is_loopback_host(std::string_view host) {
    return host == "localhost" || host.starts_with("127.") || host == "[::1]" || host == "::1" ||
           host.ends_with(".localhost");
}

std::string hours(std::int64_t seconds) {
    if (seconds < 3600) return std::to_string(seconds / 60) + " min";
    if (seconds < 2 * 86400) return std::to_string(seconds / 3600) + " h";
    return std::to_string(seconds / 86400) + " days";
}

}  // namespace

void check_config(const Settings& settings, Findings& findings) {
    auto url = boost::urls::parse_absolute_uri(settings.public_url);
    if (!url) {
        add(findings, "config", Severity::fault, "public_url \"" + settings.public_url + "\" is not a URL",
            "set public_url to the blog's origin, e.g. https://blog.example");
        return;
    }
    const std::string host(url->host());
    const bool https = url->scheme() == "https";
    auto [listen_host, listen_port] = split_listen_address(settings.listen);
    if (https) {
        add(findings, "config", Severity::ok, "public_url " + settings.public_url + " is an https origin");
    } else if (is_loopback_host(host)) {
        add(findings, "config", Severity::info,
            "public_url " + settings.public_url + " is plain http on a loopback name: a development setup that no "
            "other server can follow");
    } else {
        add(findings, "config", Severity::fault,
            "public_url " + settings.public_url + " is plain http: Mastodon and most servers fetch and deliver over "
            "https only, so nobody can follow this blog",
            "terminate TLS in a reverse proxy (deploy/nginx/fedblog.conf) and set public_url = https://" + host);
    }
    if (https && url->has_port() && url->port_number() == listen_port &&
        (is_loopback_host(host) || listen_host == host))
        add(findings, "config", Severity::fault,
            "public_url names port " + std::to_string(listen_port) + ", fedblog's own listen port, but fedblog "
            "speaks plain HTTP there",
            "public_url is the address readers use: the proxy's https port (usually none, i.e. 443)");
    if (https && (listen_host == "0.0.0.0" || listen_host == "::"))
        add(findings, "config", Severity::warning,
            "listen = " + settings.listen + ": fedblog answers on every interface, so clients can reach it around "
            "the proxy, without TLS",
            "listen = 127.0.0.1:" + std::to_string(listen_port) + " and let only the proxy connect");
    if (https && (settings.allow_private_addresses || settings.allow_plain_http))
        add(findings, "config", Severity::warning,
            std::string("allow_private_addresses or allow_plain_http is on for a public blog: remote documents can "
                        "point fedblog at this machine's private network or at plain http"),
            "remove both settings: they are for test deployments");
}

std::optional<keys::KeyPair> check_key(const Settings& settings, Findings& findings) {
    const fs::path file = fs::path(settings.data_dir) / "actor.key";
    struct stat info {};
    if (::stat(file.c_str(), &info) != 0) {
        add(findings, "key", Severity::fault, "no key at " + file.string(),
            "a blog that never federated gets one at the first `fedblog serve`; one that did must get its own back "
            "(fedblog restore <backup>): a new key breaks every follower's cached copy");
        return std::nullopt;
    }
    std::ifstream in(file, std::ios::binary);
    std::stringstream pem;
    pem << in.rdbuf();
    if (!in) {
        add(findings, "key", Severity::fault, "cannot read " + file.string() + " as this user",
            "run fedblog doctor as the user fedblog serve runs as");
        return std::nullopt;
    }
    std::optional<keys::KeyPair> key;
    try {
        key = keys::KeyPair::from_private_pem(pem.str());
    } catch (const std::exception& e) {
        add(findings, "key", Severity::fault, file.string() + " does not hold a usable private key: " + e.what(),
            "restore actor.key from a backup (fedblog restore)");
        return std::nullopt;
    }
    if (info.st_mode & (S_IRWXG | S_IRWXO))
        add(findings, "key", Severity::fault,
            file.string() + " is readable by group or others (serve refuses to start with it)",
            "chmod 600 " + file.string());
    else
        add(findings, "key", Severity::ok, file.string() + " parses and is private (0600)");
    return key;
}

StoreFacts check_store(const Settings& settings, const DoctorOptions& options, Findings& findings) {
    StoreFacts facts;
    const fs::path file = fs::path(settings.data_dir) / "fedblog.db";
    if (!fs::exists(file)) {
        add(findings, "database", Severity::fault, "no database at " + file.string(),
            "check data_dir; `fedblog serve` creates it, `fedblog restore` brings back a backup");
        return facts;
    }
    bool current = false;
    try {
        SQLite::Database db(file.string(), SQLite::OPEN_READWRITE);  // never creates
        db.setBusyTimeout(5000);
        std::string problems;
        SQLite::Statement check(db, "PRAGMA quick_check");
        while (check.executeStep())
            if (std::string line = check.getColumn(0).getString(); line != "ok") problems += (problems.empty() ? "" : "; ") + line;
        const int version = db.execAndGet("PRAGMA user_version").getInt();
        const int latest = store::Database::latest_schema_version();
        const std::string mode = db.execAndGet("PRAGMA journal_mode").getString();
        if (!problems.empty())
            add(findings, "database", Severity::fault, file.string() + " fails PRAGMA quick_check: " + problems,
                "stop serve and restore the last good backup (fedblog restore <file> --force)");
        if (version > latest)
            add(findings, "database", Severity::fault,
                "schema version " + std::to_string(version) + " is newer than this fedblog knows (" +
                    std::to_string(latest) + ")",
                "run the same fedblog version as the server");
        else if (version < latest)
            add(findings, "database", Severity::warning,
                "schema version " + std::to_string(version) + ", this fedblog is at " + std::to_string(latest) +
                    ": the running serve is an older binary",
                "restart fedblog serve after an upgrade (it migrates at start)");
        if (mode != "wal")
            add(findings, "database", Severity::warning, "journal mode is " + mode + ", not WAL",
                "restart fedblog serve (it sets WAL at start); nothing else should open the file for writing");
        current = problems.empty() && version == latest;
        if (current && mode == "wal")
            add(findings, "database", Severity::ok,
                file.string() + ": quick_check ok, schema version " + std::to_string(version) + " (current), WAL");
    } catch (const std::exception& e) {
        add(findings, "database", Severity::fault, "cannot open " + file.string() + ": " + e.what(),
            "run fedblog doctor as the user fedblog serve runs as; check the file is a fedblog database");
        return facts;
    }

    try {
        std::string holder;
        if (auto lock = DataDirLock::try_acquire(settings.data_dir, &holder))
            add(findings, "serve", Severity::warning, "no fedblog serve is running on " + settings.data_dir,
                "start it (systemctl start fedblog): nothing is served or delivered meanwhile");
        else
            add(findings, "serve", Severity::ok, "fedblog serve" + (holder.empty() ? "" : " (pid " + holder + ")") +
                                                     " is running on " + settings.data_dir);
    } catch (const std::exception& e) {
        add(findings, "serve", Severity::warning, std::string("cannot tell whether serve runs: ") + e.what(),
            "run fedblog doctor as the user fedblog serve runs as");
    }

    if (!current) return facts;  // the queries below need the current schema
    store::Database db(file);
    store::Catalog catalog(store::Posts(db).all());
    if (!catalog.published().empty()) facts.latest_post = catalog.published().front()->slug;

    const store::DeliveryHealth health = store::delivery_health(db);
    const std::int64_t now = now_seconds();
    bool healthy = true;
    if (health.dead > 0) {
        healthy = false;
        add(findings, "deliveries", Severity::warning,
            std::to_string(health.dead) + " deliveries were given up (dead) after two days of failures",
            "see them with `fedblog deliveries list`; send them again with `fedblog deliveries retry all`");
    }
    if (!health.parked.empty()) {
        healthy = false;
        std::string hosts;
        for (const auto& parked : health.parked)
            hosts += (hosts.empty() ? "" : ", ") + parked.host + " (" + std::to_string(parked.pending) + " waiting, since " +
                     format_rfc3339(parked.since) + ")";
        add(findings, "deliveries", Severity::warning, "servers parked as unavailable: " + hosts,
            "they are probed now and then on their own; `fedblog deliveries retry <host>` tries now");
    }
    if (health.oldest_pending && now - health.oldest_pending->created_at > options.pending_warning.count()) {
        healthy = false;
        const auto& oldest = *health.oldest_pending;
        add(findings, "deliveries", Severity::warning,
            "the oldest pending delivery (to " + oldest.host + ") has waited " + hours(now - oldest.created_at) +
                ", " + std::to_string(oldest.attempts) + " attempts" +
                (oldest.last_error.empty() ? "" : ", last error: " + oldest.last_error),
            "`fedblog deliveries` shows every host's state; is serve running?");
    }
    if (healthy)
        add(findings, "deliveries", Severity::ok,
            std::to_string(health.pending) + " pending, none dead, no server parked");
    return facts;
}

}  // namespace fedblog::server::doctor
