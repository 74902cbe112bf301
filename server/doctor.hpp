#pragma once
// `fedblog doctor`: what is wrong with this blog, named precisely, with how to fix it.
//
// First what this machine can tell alone: the settings, the key file, the database, the delivery queue. Then
// the test from outside, the way another server sees the blog: through public_url (the proxy, the cache, the
// CDN) it fetches WebFinger, the actor and a post, each as ActivityPub JSON and as HTML, and POSTs a signed
// activity to its own inbox. A fault found that way is compared with the same request sent straight to
// `listen` (when this machine can reach it), which tells the proxy's faults from fedblog's own.
#include <chrono>
#include <string>
#include <vector>

#include "activitypub/transport/http_client.hpp"
#include "common/settings.hpp"

namespace fedblog::server {

enum class Severity { ok, info, warning, fault };

struct Finding {
    std::string area;  // "config", "key", "database", "deliveries", "serve", "clock", "webfinger", "actor", "post", "inbox", "tls"
    Severity severity;
    std::string message;
    std::string fix;  // empty when there is nothing to do
};

struct DoctorReport {
    std::string public_url;
    std::vector<Finding> findings;

    // 0: all good; 1: warnings only; 2: at least one fault.
    int exit_status() const;
    bool has(Severity severity, const std::string& area) const;
};

struct DoctorOptions {
    transport::ClientOptions client;  // how public_url is reached (tests add their CA, static host names)
    // Also send probes straight to `listen`, to tell the proxy's faults from fedblog's.
    bool direct = true;
    // Clock differences with the Date that public_url answers: the signature window is ±1 h.
    std::chrono::seconds clock_warning{120};
    std::chrono::seconds clock_fault{900};
    // A pending delivery older than this is reported.
    std::chrono::seconds pending_warning{std::chrono::hours(6)};

    static DoctorOptions from(const Settings& settings);
};

DoctorReport run_doctor(const Settings& settings, const DoctorOptions& options);

// One line per finding ("  FAULT  inbox     ...", the fix indented below it), then a summary line.
std::string format_report(const DoctorReport& report);

}  // namespace fedblog::server
