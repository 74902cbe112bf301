#pragma once
// What every command opens: the data folder, the database, the key. Built once by main() and handed
// to the command that runs.
#include <filesystem>
#include <memory>

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

    const Settings& settings() const { return settings_; }
    store::Database& database() { return *database_; }
    const keys::KeyPair& key() const { return key_; }

    // Brings the store in line with the content folder and logs what changed and every file error.
    publishing::SyncReport sync_content();
    // A fresh snapshot of the store for the request handlers.
    std::shared_ptr<const Site> build_site();

private:
    Settings settings_;
    std::unique_ptr<store::Database> database_;
    keys::KeyPair key_;
    store::Timestamp actor_created_ = 0;
};

}  // namespace fedblog::server
