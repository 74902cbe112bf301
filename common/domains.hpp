#pragma once
// Domain names as blocks and allow-lists compare them: a domain covers itself and its subdomains, ports
// never count.
#include <optional>
#include <string>
#include <string_view>

namespace fedblog {

// "m.example:8443" → "m.example"; "[::1]:80" → "[::1]".
std::string_view host_without_port(std::string_view authority);

// Whether `host` (lower-case, with or without a port) is `domain` or one of its subdomains.
bool within_domain(std::string_view host, std::string_view domain);

// A domain as the owner types it ("Spam.Example", "*.spam.example", ".spam.example.") in the form blocks
// store ("spam.example"); nothing when it is not an ASCII host name (an IDN must be given as xn--...).
std::optional<std::string> normalize_domain(std::string_view text);

}  // namespace fedblog
