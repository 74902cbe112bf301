#pragma once
// The parts of `fedblog doctor` (server/doctor.hpp), one concern per file: what this machine can tell alone
// (doctor_local.cpp) and the test from outside through public_url (doctor_probe.cpp).
#include <optional>
#include <string>
#include <vector>

#include "keys/key_pair.hpp"
#include "server/doctor.hpp"

namespace fedblog::server::doctor {

using Findings = std::vector<Finding>;

inline void add(Findings& findings, std::string area, Severity severity, std::string message, std::string fix = {}) {
    findings.push_back({std::move(area), severity, std::move(message), std::move(fix)});
}

// public_url's form against listen and the test-only settings.
void check_config(const Settings& settings, Findings& findings);
// The key file: there, 0600, parses. The key when it does.
std::optional<keys::KeyPair> check_key(const Settings& settings, Findings& findings);

struct StoreFacts {
    std::optional<std::string> latest_post;  // slug of the newest published post, to fetch from outside
};
// The database (quick_check, schema version, WAL), the delivery queue, and whether serve holds the data folder.
StoreFacts check_store(const Settings& settings, const DoctorOptions& options, Findings& findings);

// Through public_url: WebFinger, the actor, a post (JSON and HTML), the clock, a signed POST to the inbox.
void probe_from_outside(const Settings& settings, const DoctorOptions& options, const keys::KeyPair* key,
                        const StoreFacts& facts, Findings& findings);

}  // namespace fedblog::server::doctor
