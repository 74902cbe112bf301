#pragma once
// The parts of an HTTP request that signatures cover, as plain views: no Beast, no I/O, so the
// signature code is pure and both the inbox and the outbound client can feed it.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fedblog::keys {

struct HttpMessage {
    std::string method;     // upper case as sent: "POST"
    std::string scheme;     // "https" (or "http" in tests): the public scheme, not the proxy's
    std::string authority;  // the Host header value as the client sent it, e.g. "blog.example"
    std::string target;     // request target as sent: path plus "?query" when there is one
    // Header fields in arrival order, names lower-cased, values as received (repeats kept separate).
    std::vector<std::pair<std::string, std::string>> headers;
    std::string_view body;  // the exact bytes received (digests are over these, never re-serialized JSON)

    // Every value of a header, in order. Signature schemes join repeats with ", ".
    std::vector<std::string_view> values(std::string_view lower_case_name) const {
        std::vector<std::string_view> found;
        for (const auto& [name, value] : headers)
            if (name == lower_case_name) found.emplace_back(value);
        return found;
    }
    std::optional<std::string> joined(std::string_view lower_case_name) const {
        std::string buffer;
        auto value = joined(lower_case_name, buffer);
        if (!value) return std::nullopt;
        return std::string(*value);
    }
    // The same value without copying in the usual case of a header sent once: a view into this message,
    // or into `buffer` when repeats had to be joined. Every inbox request reads several headers this way.
    std::optional<std::string_view> joined(std::string_view lower_case_name, std::string& buffer) const {
        const std::string* first = nullptr;
        bool repeated = false;
        for (const auto& [name, value] : headers) {
            if (name != lower_case_name) continue;
            if (!first) {
                first = &value;
                continue;
            }
            if (!repeated) buffer.assign(*first);
            repeated = true;
            buffer += ", ";
            buffer += value;
        }
        if (!first) return std::nullopt;
        if (repeated) return std::string_view(buffer);
        return std::string_view(*first);
    }
    // How often the header occurs, without collecting the values.
    std::size_t count(std::string_view lower_case_name) const {
        std::size_t n = 0;
        for (const auto& header : headers) n += header.first == lower_case_name;
        return n;
    }
    void set(std::string lower_case_name, std::string value) {
        for (auto& [name, existing] : headers)
            if (name == lower_case_name) {
                existing = std::move(value);
                return;
            }
        headers.emplace_back(std::move(lower_case_name), std::move(value));
    }
};

}  // namespace fedblog::keys
