#pragma once
// The owner's moderation: `fedblog block ...` and `fedblog reports ...`. Like the other admin commands they
// work on the store directly, beside a live server, whose inbox reads each block as soon as it commits.
#include <string>
#include <vector>

#include "server/app.hpp"

namespace fedblog::server {

// words: the command after "block" (empty = list). Returns the exit status.
int block_command(App& app, const std::vector<std::string>& words);
// words: the command after "reports" (empty = the open reports).
int reports_command(App& app, const std::vector<std::string>& words);

}  // namespace fedblog::server
