#include "server/doctor.hpp"

#include <algorithm>
#include <sstream>

#include "server/doctor_checks.hpp"

namespace fedblog::server {

namespace {

const char* label(Severity severity) {
    switch (severity) {
        case Severity::ok: return "ok   ";
        case Severity::info: return "info ";
        case Severity::warning: return "WARN ";
        case Severity::fault: return "FAULT";
    }
    return "?    ";
}

}  // namespace

int DoctorReport::exit_status() const {
    auto any = [this](Severity s) {
        return std::any_of(findings.begin(), findings.end(), [s](const Finding& f) { return f.severity == s; });
    };
    return any(Severity::fault) ? 2 : any(Severity::warning) ? 1 : 0;
}

bool DoctorReport::has(Severity severity, const std::string& area) const {
    return std::any_of(findings.begin(), findings.end(),
                       [&](const Finding& f) { return f.severity == severity && f.area == area; });
}

DoctorOptions DoctorOptions::from(const Settings& settings) {
    DoctorOptions options;
    options.client = transport::ClientOptions::from(settings);
    return options;
}

DoctorReport run_doctor(const Settings& settings, const DoctorOptions& options) {
    DoctorReport report;
    report.public_url = settings.public_url;
    doctor::check_config(settings, report.findings);
    std::optional<keys::KeyPair> key = doctor::check_key(settings, report.findings);
    doctor::StoreFacts facts = doctor::check_store(settings, options, report.findings);
    doctor::probe_from_outside(settings, options, key ? &*key : nullptr, facts, report.findings);
    return report;
}

std::string format_report(const DoctorReport& report) {
    std::ostringstream out;
    out << "fedblog doctor: " << report.public_url << "\n\n";
    int counts[4] = {0, 0, 0, 0};
    for (const Finding& finding : report.findings) {
        ++counts[static_cast<int>(finding.severity)];
        std::string area = finding.area;
        area.resize(std::max<std::size_t>(area.size(), 10), ' ');
        out << "  " << label(finding.severity) << "  " << area << " " << finding.message << "\n";
        if (!finding.fix.empty()) out << "  " << std::string(5 + 2 + 10, ' ') << " fix: " << finding.fix << "\n";
    }
    out << "\n" << counts[0] << " ok, " << counts[2] << " warning" << (counts[2] == 1 ? "" : "s") << ", " << counts[3]
        << " fault" << (counts[3] == 1 ? "" : "s") << "\n";
    return out.str();
}

}  // namespace fedblog::server
