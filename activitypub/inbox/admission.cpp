#include "activitypub/inbox/admission.hpp"

#include <boost/url/parse.hpp>

#include "keys/cavage.hpp"
#include "keys/rfc9421.hpp"

namespace fedblog::activitypub::inbox {

namespace {

// The host of a keyId URL, lower-cased, without the port; empty when it is no http(s) URL.
std::string key_host(std::string_view key_id) {
    auto url = boost::urls::parse_uri(key_id);  // a keyId has a fragment (#main-key)
    if (!url || (url->scheme() != "https" && url->scheme() != "http")) return {};
    std::string host(url->encoded_host());
    for (char& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return host;
}

// The keyId as the request names it, parsed and nothing more: RFC 9421 when Signature-Input is there (as
// read_signature chooses), draft-cavage otherwise.
std::string claimed_key_id(const keys::HttpMessage& message) {
    if (!message.values("signature-input").empty()) {
        auto parsed = keys::rfc9421::parse(message);
        if (auto* entries = std::get_if<std::vector<keys::rfc9421::SignatureEntry>>(&parsed))
            for (const auto& entry : *entries)
                if (entry.keyid) return *entry.keyid;
        return {};
    }
    auto header = message.joined("signature");
    if (!header) return {};
    auto parsed = keys::parse_signature_header(*header);
    if (auto* signature = std::get_if<keys::CavageSignature>(&parsed)) return signature->key_id;
    return {};
}

}  // namespace

std::string rate_key(const keys::HttpMessage& message, const std::string& client) {
    std::string host = key_host(claimed_key_id(message));
    if (!host.empty()) return "host:" + host;
    return "address:" + client;
}

}  // namespace fedblog::activitypub::inbox
