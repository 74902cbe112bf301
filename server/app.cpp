#include "server/app.hpp"

#include <sys/stat.h>

#include "activitypub/actor.hpp"
#include "activitypub/delivery/publication.hpp"
#include "activitypub/ids.hpp"
#include "common/log.hpp"
#include "common/time.hpp"
#include "store/meta.hpp"
#include "store/posts.hpp"

namespace fedblog::server {

namespace {

std::filesystem::path prepare_data_dir(const std::string& data_dir) {
    std::filesystem::path path(data_dir);
    if (!std::filesystem::exists(path)) {
        std::filesystem::create_directories(path);
        // The folder holds the private key: only the service user may enter it.
        std::filesystem::permissions(path, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace);
        log::info("data folder created", {{"path", path.string()}});
    }
    if (!std::filesystem::is_directory(path)) throw std::runtime_error("data_dir " + data_dir + " is not a folder");
    return path;
}

keys::KeyPair load_key(const std::filesystem::path& file) {
    keys::LoadedKey loaded = keys::load_or_create(file);
    if (loaded.created) log::info("actor key generated", {{"path", file.string()}, {"type", "RSA-2048"}});
    return std::move(loaded.key);
}

const Settings* first_version(std::vector<std::unique_ptr<const Settings>>& versions, Settings settings) {
    versions.push_back(std::make_unique<const Settings>(std::move(settings)));
    return versions.back().get();
}

}  // namespace

App::App(Settings settings)
    : settings_(first_version(settings_versions_, std::move(settings))),
      database_(std::make_unique<store::Database>(prepare_data_dir(this->settings().data_dir) / "fedblog.db")),
      key_(load_key(std::filesystem::path(this->settings().data_dir) / "actor.key")) {
    const Settings& current = this->settings();
    actor_created_ = std::stoll(store::get_or_set_meta(*database_, "actor_created_at", std::to_string(now_seconds())));
    activitypub::Ids ids(current.public_url, current.handle);
    activitypub::delivery::record_actor_baseline(
        *database_, activitypub::actor_document(current, ids, key_.public_pem(), actor_created_));
}

store::Database& App::reader() {
    std::call_once(reader_opened_, [this] {
        reader_ = std::make_unique<store::Database>(std::filesystem::path(settings().data_dir) / "fedblog.db",
                                                    store::Database::Access::read_only);
    });
    return *reader_;
}

void App::replace_settings(Settings settings) {
    std::lock_guard lock(settings_mutex_);
    settings_versions_.push_back(std::make_unique<const Settings>(std::move(settings)));
    settings_.store(settings_versions_.back().get(), std::memory_order_release);
}

publishing::SyncReport App::sync_content(std::function<void()> deliveries_queued) {
    const Settings& current = settings();
    activitypub::Ids ids(current.public_url, current.handle);
    store::Posts posts(*database_, activitypub::delivery::post_fanout(*database_, current, ids, now_seconds,
                                                                      std::move(deliveries_queued)));
    publishing::SyncOptions options;
    options.default_language = current.language;
    options.media_url_base = activitypub::Ids(current.public_url, current.handle).media("");
    publishing::SyncReport report = publishing::sync_content(current.content_dir, posts, options, now_seconds());
    for (const auto& issue : report.errors)
        log::warn("content file skipped", {{"file", issue.file}, {"line", issue.line}, {"error", issue.message}});
    for (const auto& issue : report.warnings)
        log::warn("content file warning", {{"file", issue.file}, {"line", issue.line}, {"warning", issue.message}});
    log::info("content synced", {{"created", report.created.size()},
                                 {"updated", report.updated.size()},
                                 {"deleted", report.deleted.size()},
                                 {"unchanged", report.unchanged},
                                 {"errors", report.errors.size()}});
    return report;
}

bool App::announce_profile(const std::string& public_pem) {
    const Settings& current = settings();
    activitypub::Ids ids(current.public_url, current.handle);
    return activitypub::delivery::announce_actor_changes(
        *database_, activitypub::actor_document(current, ids, public_pem, actor_created_), ids, now_seconds());
}

activitypub::inbox::ConfiguredBlocksSync App::apply_configured_blocks() {
    const Settings& current = settings();
    return activitypub::inbox::sync_configured_blocks(*database_, activitypub::Ids(current.public_url, current.handle),
                                                      current.blocked_domains, now_seconds());
}

std::shared_ptr<const Site> App::build_site() {
    const Settings& current = settings();
    store::Posts posts(*database_);
    return server::build_site(current, store::Catalog(posts.all()), key_.public_pem(), actor_created_);
}

}  // namespace fedblog::server
