#pragma once
#include <string>
#include <vector>

#include "common/settings.hpp"

namespace fedblog::server {

// Runs one subcommand ("serve", "publish", "keys show"); returns the process exit status.
int run_command(const std::vector<std::string>& command, const Settings& settings);

}  // namespace fedblog::server
