#pragma once
// SIGHUP in `fedblog serve`: the content folder synced again (as `fedblog publish` does, deliveries queued), the
// config re-read and the settings that can change while running put in force, the site snapshot swapped.
//
// Changed live: blog_name, blog_summary, blog_icon, blog_header, author_name, language (the actor's change is
// announced to followers with an Update), manually_approves_followers, blocked_domains,
// comments_close_after_days, comments_moderation, comment_max_bytes, comments_per_page, comments_actor_rate, comments_domain_rate,
// comments_new_per_domain, comments_max_mentions, comments_hold_links_only, log_level, log_format.
// Every other setting is read at start only: a change is logged as waiting for a restart, and the running
// value is kept.
#include <functional>
#include <string>
#include <vector>

#include "common/settings.hpp"
#include "publishing/sync.hpp"
#include "server/app.hpp"
#include "server/federation.hpp"
#include "server/site.hpp"

namespace fedblog::server {

struct SettingsChange {
    std::vector<std::string> applied;       // names of reloadable settings that changed
    std::vector<std::string> need_restart;  // names of others that changed (their old value stays in force)
    Settings merged;                        // `running` with the reloadable settings of `fresh`
};

// Pure: which settings differ, and the settings to run with from now on.
SettingsChange compare_settings(const Settings& running, const Settings& fresh);

struct ReloadReport {
    bool config_read = false;
    SettingsChange settings;
    publishing::SyncReport content;
    bool profile_announced = false;  // an Update of the actor was queued
    activitypub::inbox::ConfiguredBlocksSync blocks;  // what the blocked_domains setting blocked or lifted
};

// Does one reload and logs what it changed. `reread` parses the command line, environment and config file
// again (it throws on a bad config: the settings are then kept as they are, the content still synced).
ReloadReport reload(App& app, SiteHolder& site, Federation& federation, const std::function<Settings()>& reread);

// Calls `on_hangup` on a thread of its own for each SIGHUP received while it lives.
class HangupListener {
public:
    explicit HangupListener(std::function<void()> on_hangup);
    ~HangupListener();
    HangupListener(const HangupListener&) = delete;
    HangupListener& operator=(const HangupListener&) = delete;

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace fedblog::server
