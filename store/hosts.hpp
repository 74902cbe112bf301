#pragma once
// What the blog knows of each remote server it delivers to. Mastodon's rule: a host that failed on N different
// UTC days with no success between is unavailable (its deliveries wait, with an occasional probe); any success
// or validly signed request from it resets it.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/database.hpp"
#include "store/post.hpp"

namespace fedblog::store {

struct HostHealth {
    std::string host;
    int failure_days = 0;
    std::optional<std::int64_t> last_failure_day;  // Unix seconds / 86400
    std::optional<Timestamp> unavailable_since;
    std::optional<Timestamp> last_probe;
};

class Hosts {
public:
    explicit Hosts(Database& db) : db_(db) {}

    static constexpr int default_unavailable_after_days = 7;

    // A failed delivery: counts its UTC day (now / 86400) once. Returns true when this call made the host unavailable.
    bool record_failure(std::string_view host, Timestamp now,
                        int unavailable_after_days = default_unavailable_after_days);
    // A success: failure days reset; returns true when the host was unavailable until now.
    bool record_success(std::string_view host);
    // record_success() for many (distinct) hosts, in one query when all are healthy, as they mostly are.
    // Returns the hosts that were unavailable until now.
    std::vector<std::string> record_successes(const std::vector<std::string>& hosts);
    bool is_unavailable(std::string_view host);
    std::optional<HostHealth> find(std::string_view host);
    // Ordered by host.
    std::vector<HostHealth> unavailable();

    // The signature scheme a host accepted last ("cavage" or "rfc9421"), remembered across restarts.
    std::optional<std::string> signature_scheme(std::string_view host);
    // Throws SQLite::Exception for any other scheme.
    void set_signature_scheme(std::string_view host, std::string_view scheme);
    // (host, scheme) pairs ordered by host.
    std::vector<std::pair<std::string, std::string>> signature_schemes();

private:
    Database& db_;
};

}  // namespace fedblog::store
