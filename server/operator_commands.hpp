#pragma once
// The operator's commands that must not open the data folder the way the others do (App creates a missing
// folder and a missing key, and migrates the database): backup, restore and doctor look at it as it is.
#include <optional>
#include <string>
#include <vector>

#include "common/settings.hpp"

namespace fedblog::server {

// The exit status of `backup`, `restore` or `doctor`; nothing when `command` is another command.
std::optional<int> run_operator_command(const std::vector<std::string>& command, const Settings& settings);

}  // namespace fedblog::server
