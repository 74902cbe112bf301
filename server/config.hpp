#pragma once
// Settings from flags, a config file and FEDBLOG_* environment variables (flags win, then the
// environment, then the file). One naming rule for every setting: flag --allow-private-addresses,
// config key allow_private_addresses, environment FEDBLOG_ALLOW_PRIVATE_ADDRESSES.
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/settings.hpp"

namespace fedblog::server {

struct CommandLine {
    std::vector<std::string> command;  // e.g. {"serve"} or {"keys", "rotate"}
    Settings settings;
    std::string config_file;  // empty when none
    bool help = false;
    bool version = false;
};

// Throws ConfigError with a message fit for the terminal.
struct ConfigError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// `environment` is a null-terminated array like environ, injected so tests need not touch the process.
CommandLine parse_command_line(int argc, const char* const argv[], const char* const* environment);

// Everything `--help` prints: usage, commands, and every setting with its file and environment names.
std::string help_text(const std::vector<std::string>& command);

// Checks what one setting alone cannot (public URL form, listen address, handle syntax).
void validate(const Settings& settings);

// "127.0.0.1:8080" → {"127.0.0.1", 8080}; "[::1]:8080" → {"::1", 8080}. Throws ConfigError.
std::pair<std::string, unsigned short> split_listen_address(const std::string& listen);

}  // namespace fedblog::server
