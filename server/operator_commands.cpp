#include "server/operator_commands.hpp"

#include <iostream>

#include "common/log.hpp"
#include "server/backup.hpp"
#include "server/doctor.hpp"

namespace fedblog::server {

namespace {

int backup_command(const std::vector<std::string>& words, const Settings& settings) {
    if (words.size() != 1) {
        std::cerr << "usage: fedblog backup <file>\n";
        return 2;
    }
    BackupResult result = backup(settings, words[0]);
    std::cout << "Backup written to " << result.file.string() << ": the database (" << result.database_bytes
              << " bytes, schema version " << result.schema_version << ") and the actor key.\n"
              << "It holds the blog's private key: keep it as secret as the data folder.\n";
    return 0;
}

int restore_command(const std::vector<std::string>& words, const Settings& settings) {
    std::vector<std::string> files;
    bool force = false;
    for (const auto& word : words) {
        if (word == "--force")
            force = true;
        else
            files.push_back(word);
    }
    if (files.size() != 1) {
        std::cerr << "usage: fedblog restore <file> [--force]\n";
        return 2;
    }
    RestoreResult result = restore(settings, files[0], force);
    std::cout << "Restored " << files[0] << " into " << settings.data_dir << " (schema version "
              << result.schema_version << ").\n";
    if (result.replaced) std::cout << "The files it replaced are in " << result.replaced->string() << ".\n";
    for (const auto& note : result.notes) std::cout << "Note: " << note << ".\n";
    std::cout << "Start fedblog serve to serve it.\n";
    return 0;
}

}  // namespace

std::optional<int> run_operator_command(const std::vector<std::string>& command, const Settings& settings) {
    if (command.empty()) return std::nullopt;
    const std::string& name = command[0];
    if (name != "backup" && name != "restore" && name != "doctor") return std::nullopt;
    const std::vector<std::string> rest(command.begin() + 1, command.end());
    try {
        if (name == "backup") return backup_command(rest, settings);
        if (name == "restore") return restore_command(rest, settings);
        if (!rest.empty()) {
            std::cerr << "usage: fedblog doctor\n";
            return 2;
        }
        DoctorReport report = run_doctor(settings, DoctorOptions::from(settings));
        std::cout << format_report(report);
        return report.exit_status();
    } catch (const std::exception& e) {
        log::error("fatal", {{"command", name}, {"error", e.what()}});
        std::cerr << "fedblog " << name << ": " << e.what() << "\n";
        return 1;
    }
}

}  // namespace fedblog::server
