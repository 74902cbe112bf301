#pragma once
// What every command opens: the data folder, the database, the key. Built once by main() and handed
// to the command that runs.
#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "activitypub/inbox/configured_blocks.hpp"
#include "common/settings.hpp"
#include "keys/key_pair.hpp"
#include "publishing/sync.hpp"
#include "server/site.hpp"
#include "store/database.hpp"

namespace fedblog::server {

class App {
public:
    // Creates the data folder (mode 0700) when missing, opens and migrates the database, loads the key
    // or generates it. Throws std::runtime_error with a message for the operator.
    explicit App(Settings settings);

    // The settings in force. Any thread may read them; a reference stays valid for the App's whole life, since
    // replaced settings are kept, not freed.
    const Settings& settings() const { return *settings_.load(std::memory_order_acquire); }
    // Puts new settings in force (serve's SIGHUP). The caller decides which of them may change while running.
    void replace_settings(Settings settings);
    store::Database& database() { return *database_; }
    // The connection GET handlers read from (store::Database::Access::read_only), opened on first use: pages
    // and documents do not wait for the delivery engine's or the inbox's writes.
    store::Database& reader();
    const keys::KeyPair& key() const { return key_; }

    // Brings the store in line with the content folder and logs what changed and every file error. Each
    // new, edited or removed post queues its Create, Update or Delete for the followers in the same
    // transaction; `deliveries_queued` is then told (it wakes the workers of a running server).
    publishing::SyncReport sync_content(std::function<void()> deliveries_queued = {});
    // Queues an Update of the actor when its document changed since the last one announced (the key,
    // name, summary, icon...). `public_pem` is the key the actor publishes from now on.
    bool announce_profile(const std::string& public_pem);
    // Makes the blocked_domains setting in force act as `fedblog block add` would (and lifts the domains
    // taken out of it). Rejects it queues go out when the delivery workers next look.
    activitypub::inbox::ConfiguredBlocksSync apply_configured_blocks();
    // Replaces the key pair the process signs with (after `keys rotate` in this process).
    void replace_key(keys::KeyPair key) { key_ = std::move(key); }
    // A fresh snapshot of the store for the request handlers.
    std::shared_ptr<const Site> build_site();

private:
    std::mutex settings_mutex_;
    std::vector<std::unique_ptr<const Settings>> settings_versions_;  // guarded by settings_mutex_
    std::atomic<const Settings*> settings_;
    std::unique_ptr<store::Database> database_;
    std::once_flag reader_opened_;
    std::unique_ptr<store::Database> reader_;  // after database_: closed first
    keys::KeyPair key_;
    store::Timestamp actor_created_ = 0;
};

}  // namespace fedblog::server
