#pragma once
// The owner's side of a conversation: `fedblog comments reply <id> --text …`, `comments edit <id> --text …`
// (or --file <path>, - for standard input) and `comments delete <id>` of one of the owner's answers. The text is
// Markdown, rendered like the posts; the answer and its delivery are written in one transaction, and a running
// server's workers send it at their next poll.
#include <cstdint>
#include <string>
#include <vector>

#include "server/app.hpp"

namespace fedblog::server {

// The largest answer text accepted, in bytes of Markdown (a reply, not a post).
inline constexpr std::size_t max_answer_bytes = 64 * 1024;

// words: {"reply" or "edit", <id>, "--text", <markdown>} or {…, "--file", <path>}. Returns the exit status.
int answer_command(App& app, const std::vector<std::string>& words);
// Deletes one of the owner's answers and sends the Delete. Exit status 1 when `id` is not one.
int delete_answer_command(App& app, std::int64_t id);

}  // namespace fedblog::server
