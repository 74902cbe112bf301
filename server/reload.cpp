#include "server/reload.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <thread>

#include "common/log.hpp"

namespace fedblog::server {

namespace {

std::string text(const std::string& value) { return value; }
std::string text(bool value) { return value ? "true" : "false"; }
std::string text(unsigned value) { return std::to_string(value); }
std::string text(std::size_t value) { return std::to_string(value); }
std::string text(ObjectType value) { return value == ObjectType::note ? "note" : "article"; }
std::string text(const std::vector<std::string>& values) {
    std::string joined;
    for (const auto& value : values) joined += (joined.empty() ? "" : ",") + value;
    return joined;
}

// One row per setting: its config name, whether a running serve can take a new value, and how to compare and
// copy it. A setting missing here would never be reported: settings.hpp and this table change together.
struct Field {
    const char* name;
    bool live;
    std::function<std::string(const Settings&)> value;
    std::function<void(Settings&, const Settings&)> copy;
};

#define FEDBLOG_FIELD(member, live) \
    Field { #member, live, [](const Settings& s) { return text(s.member); }, [](Settings& to, const Settings& from) { to.member = from.member; } }

const std::vector<Field>& fields() {
    static const std::vector<Field> table = {
        FEDBLOG_FIELD(data_dir, false),
        FEDBLOG_FIELD(content_dir, false),
        FEDBLOG_FIELD(listen, false),
        FEDBLOG_FIELD(public_url, false),
        FEDBLOG_FIELD(handle, false),
        FEDBLOG_FIELD(blog_name, true),
        FEDBLOG_FIELD(blog_summary, true),
        FEDBLOG_FIELD(blog_icon, true),
        FEDBLOG_FIELD(blog_header, true),
        FEDBLOG_FIELD(language, true),
        FEDBLOG_FIELD(author_name, true),
        FEDBLOG_FIELD(object_type, false),
        FEDBLOG_FIELD(manually_approves_followers, true),
        FEDBLOG_FIELD(blocked_domains, true),
        FEDBLOG_FIELD(comments_close_after_days, true),
        FEDBLOG_FIELD(comments_moderation, true),
        FEDBLOG_FIELD(comment_max_bytes, true),
        FEDBLOG_FIELD(comments_per_page, true),
        FEDBLOG_FIELD(comments_actor_rate, true),
        FEDBLOG_FIELD(comments_domain_rate, true),
        FEDBLOG_FIELD(comments_new_per_domain, true),
        FEDBLOG_FIELD(comments_max_mentions, true),
        FEDBLOG_FIELD(comments_hold_links_only, true),
        FEDBLOG_FIELD(delivery_concurrency, false),
        FEDBLOG_FIELD(delivery_per_host, false),
        FEDBLOG_FIELD(fetch_per_host, false),
        FEDBLOG_FIELD(inbox_rate_per_host, true),
        FEDBLOG_FIELD(inbox_burst_per_host, true),
        FEDBLOG_FIELD(inbox_max_in_flight, true),
        FEDBLOG_FIELD(allow_private_addresses, false),
        FEDBLOG_FIELD(allow_plain_http, false),
        FEDBLOG_FIELD(signature_scheme, false),
        FEDBLOG_FIELD(threads, false),
        FEDBLOG_FIELD(max_header_bytes, false),
        FEDBLOG_FIELD(max_body_bytes, false),
        FEDBLOG_FIELD(read_timeout_seconds, false),
        FEDBLOG_FIELD(max_connections, false),
        FEDBLOG_FIELD(max_connections_per_client, false),
        FEDBLOG_FIELD(shutdown_grace_seconds, false),
        FEDBLOG_FIELD(trusted_proxies, false),
        FEDBLOG_FIELD(metrics_allowed, false),
        FEDBLOG_FIELD(log_format, true),
        FEDBLOG_FIELD(log_level, true),
    };
    return table;
}

#undef FEDBLOG_FIELD

std::string joined(const std::vector<std::string>& names) { return text(names); }

}  // namespace

SettingsChange compare_settings(const Settings& running, const Settings& fresh) {
    SettingsChange change{{}, {}, running};
    for (const Field& field : fields()) {
        if (field.value(running) == field.value(fresh)) continue;
        if (field.live) {
            field.copy(change.merged, fresh);
            change.applied.emplace_back(field.name);
        } else {
            change.need_restart.emplace_back(field.name);
        }
    }
    return change;
}

ReloadReport reload(App& app, SiteHolder& site, Federation& federation, const std::function<Settings()>& reread) {
    ReloadReport report;
    log::info("reload requested");
    try {
        Settings fresh = reread();
        report.config_read = true;
        report.settings = compare_settings(app.settings(), fresh);
    } catch (const std::exception& e) {
        log::error("reload: the configuration does not read; the settings in force are kept", {{"error", e.what()}});
    }
    const SettingsChange& change = report.settings;
    if (!change.applied.empty()) {
        app.replace_settings(change.merged);
        federation.apply_settings(app.settings());
        log::configure(log::parse_level(app.settings().log_level), log::parse_format(app.settings().log_format));
        log::info("settings changed", {{"settings", joined(change.applied)}});
    }
    if (!change.need_restart.empty())
        log::warn("settings changed that take effect at the next start; restart fedblog serve to apply them",
                  {{"settings", joined(change.need_restart)}});

    report.content = app.sync_content([&federation] { federation.wake_deliveries(); });
    try {
        report.blocks = app.apply_configured_blocks();
        if (report.blocks.changed()) federation.wake_deliveries();
    } catch (const std::exception& e) {
        log::error("reload: the blocked_domains setting could not be applied", {{"error", e.what()}});
    }
    report.profile_announced = app.announce_profile(app.key().public_pem());
    if (report.profile_announced) {
        log::info("profile change announced to followers");
        federation.wake_deliveries();
    }
    site.replace(app.build_site());
    log::info("reloaded", {{"settings_changed", change.applied.size()},
                           {"posts_created", report.content.created.size()},
                           {"posts_updated", report.content.updated.size()},
                           {"posts_deleted", report.content.deleted.size()},
                           {"file_errors", report.content.errors.size()}});
    return report;
}

struct HangupListener::State {
    boost::asio::io_context io;
    boost::asio::signal_set signals{io, SIGHUP};
    std::function<void()> on_hangup;
    std::thread thread;

    void wait() {
        signals.async_wait([this](const boost::system::error_code& ec, int) {
            if (ec) return;
            try {
                on_hangup();
            } catch (const std::exception& e) {
                log::error("reload failed", {{"error", e.what()}});
            }
            wait();
        });
    }
};

HangupListener::HangupListener(std::function<void()> on_hangup) : state_(std::make_unique<State>()) {
    state_->on_hangup = std::move(on_hangup);
    state_->wait();
    state_->thread = std::thread([state = state_.get()] { state->io.run(); });
}

HangupListener::~HangupListener() {
    state_->io.stop();
    state_->thread.join();
}

}  // namespace fedblog::server
