// fedblog: wires the parts together. Nothing else includes server/.
#include <unistd.h>

#include <iostream>

#include "common/log.hpp"
#include "common/version.hpp"
#include "server/app.hpp"
#include "server/commands.hpp"
#include "server/config.hpp"

extern char** environ;

int main(int argc, char** argv) {
    using namespace fedblog;
    server::CommandLine command_line;
    try {
        command_line = server::parse_command_line(argc, argv, environ);
        if (command_line.help) {
            std::cout << server::help_text(command_line.command);
            return 0;
        }
        if (command_line.version || (command_line.command.size() == 1 && command_line.command[0] == "version")) {
            std::cout << software_name << " " << version << "\n";
            return 0;
        }
        if (command_line.command.empty()) {
            std::cerr << server::help_text({});
            return 2;
        }
        server::validate(command_line.settings);
    } catch (const server::ConfigError& e) {
        std::cerr << "fedblog: " << e.what() << "\n(fedblog --help lists every setting)\n";
        return 2;
    }
    log::configure(log::parse_level(command_line.settings.log_level), log::parse_format(command_line.settings.log_format));
    // serve's SIGHUP reads the config file (and the rest) again, the way the process started.
    auto reread = [argc, argv] {
        server::CommandLine again = server::parse_command_line(argc, argv, environ);
        server::validate(again.settings);
        return again.settings;
    };
    int status = server::run_command(command_line.command, command_line.settings, reread);
    log::flush();
    return status;
}
