#pragma once
#include <functional>
#include <string>
#include <vector>

#include "common/settings.hpp"

namespace fedblog::server {

// Runs one subcommand ("serve", "publish", "keys show"); returns the process exit status. `reread_settings`
// reads the settings again from the same command line, environment and config file (serve's SIGHUP).
int run_command(const std::vector<std::string>& command, const Settings& settings,
                std::function<Settings()> reread_settings = {});

}  // namespace fedblog::server
