#pragma once
// The operator's view of federation: `fedblog followers ...`, `fedblog deliveries ...`, `fedblog comments ...`. They work on the
// store directly, so they run beside a live server; what they queue is found by its workers' next poll.
#include <string>
#include <vector>

#include "server/app.hpp"

namespace fedblog::server {

// words: the command after "followers" (empty = list). Returns the exit status.
int followers_command(App& app, const std::vector<std::string>& words);
// words: the command after "deliveries" (empty = summary per host).
int deliveries_command(App& app, const std::vector<std::string>& words);
// words: the command after "comments" (empty = the latest comments waiting for approval, then the others).
int comments_command(App& app, const std::vector<std::string>& words);

}  // namespace fedblog::server
