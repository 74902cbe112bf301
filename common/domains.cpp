#include "common/domains.hpp"

namespace fedblog {

std::string_view host_without_port(std::string_view authority) {
    if (authority.starts_with('[')) return authority.substr(0, authority.find(']') + 1);
    return authority.substr(0, authority.find(':'));
}

bool within_domain(std::string_view host, std::string_view domain) {
    host = host_without_port(host);
    if (domain.empty() || host.size() < domain.size() || !host.ends_with(domain)) return false;
    return host.size() == domain.size() || host[host.size() - domain.size() - 1] == '.';
}

std::optional<std::string> normalize_domain(std::string_view text) {
    if (text.starts_with("*.")) text.remove_prefix(2);
    if (text.starts_with('.')) text.remove_prefix(1);
    if (text.ends_with('.')) text.remove_suffix(1);
    if (text.empty() || text.size() > 253) return std::nullopt;
    std::string domain;
    std::size_t label = 0;
    for (char c : text) {
        char lower = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        bool allowed = (lower >= 'a' && lower <= 'z') || (lower >= '0' && lower <= '9') || lower == '-' ||
                       lower == '_' || lower == '.';
        if (!allowed) return std::nullopt;
        if (lower == '.') {
            if (label == 0) return std::nullopt;  // an empty label: "a..b"
            label = 0;
        } else if (++label > 63) {
            return std::nullopt;
        }
        domain += lower;
    }
    return domain;
}

}  // namespace fedblog
