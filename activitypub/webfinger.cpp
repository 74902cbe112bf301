#include "activitypub/webfinger.hpp"

#include <algorithm>
#include <boost/url/params_view.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/parse_query.hpp>
#include <cctype>
#include <optional>

#include "activitypub/html_text.hpp"

namespace fedblog::activitypub {

namespace {

constexpr std::string_view profile_page_rel = "http://webfinger.net/rel/profile-page";
// OStatus remote interaction: where a link to a fediverse object is opened "as this account".
constexpr std::string_view subscribe_rel = "http://ostatus.org/schema/1.0/subscribe";

bool equal_ignoring_case(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
               return std::tolower(x) == std::tolower(y);
           });
}

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
    return text.size() >= prefix.size() && equal_ignoring_case(text.substr(0, prefix.size()), prefix);
}

std::string_view trim(std::string_view text) {
    auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!text.empty() && blank(text.front())) text.remove_prefix(1);
    while (!text.empty() && blank(text.back())) text.remove_suffix(1);
    return text;
}

// "handle@authority", the part after "acct:" or the whole scheme-less form.
LookupStatus match_account(std::string_view account, const Ids& ids) {
    std::size_t at = account.rfind('@');
    if (at == std::string_view::npos || at == 0 || at + 1 == account.size()) return LookupStatus::bad_request;
    std::string_view user = account.substr(0, at);
    std::string_view authority = account.substr(at + 1);
    return equal_ignoring_case(user, ids.handle()) && equal_ignoring_case(authority, ids.authority())
               ? LookupStatus::ok
               : LookupStatus::not_found;
}

LookupStatus match_url(std::string_view resource, const Ids& ids) {
    auto url = boost::urls::parse_absolute_uri(resource);
    if (!url || !url->has_authority()) return LookupStatus::bad_request;
    std::string origin = std::string(url->scheme()) + "://" + std::string(url->encoded_authority());
    if (!equal_ignoring_case(origin, ids.origin()) || url->has_query() || url->has_fragment())
        return LookupStatus::not_found;
    std::string path = url->path();  // decoded: "/%40blog" is "/@blog"
    return path == ids.actor_path() || path == ids.profile_path() ? LookupStatus::ok : LookupStatus::not_found;
}

Json link(std::string_view rel, std::string_view type, std::string href) {
    return {{"rel", rel}, {"type", type}, {"href", std::move(href)}};
}

}  // namespace

LookupStatus match_resource(std::string_view resource, const Ids& ids) {
    resource = trim(resource);
    if (resource.empty()) return LookupStatus::bad_request;
    if (starts_with_ignoring_case(resource, "acct:")) return match_account(resource.substr(5), ids);
    if (resource.find("://") != std::string_view::npos) return match_url(resource, ids);
    if (resource.front() == '@') resource.remove_prefix(1);
    return match_account(resource, ids);
}

WebfingerAnswer webfinger(std::string_view raw_query, const Ids& ids) {
    if (!raw_query.empty() && raw_query.front() == '?') raw_query.remove_prefix(1);
    // Boost.URL 1.81's parse_query measures its input again with strlen: it gets a NUL-terminated copy, or it
    // would read past the view (and take what follows it as part of the last parameter).
    const std::string query(raw_query);
    auto encoded = boost::urls::parse_query(query);
    if (!encoded) return {};

    std::optional<std::string> resource;
    std::vector<std::string> rels;
    const boost::urls::params_view decoded = *encoded;  // percent-decoded; '+' stays '+' (RFC 3986)
    for (const auto& param : decoded) {
        if (param.key == "resource") {
            if (resource) return {};  // RFC 7033 §4.1: exactly one
            resource = param.value;
        } else if (param.key == "rel") {
            rels.push_back(param.value);
        }
    }
    if (!resource) return {};
    LookupStatus status = match_resource(*resource, ids);
    if (status != LookupStatus::ok) return {status, nullptr};
    return {LookupStatus::ok, webfinger_jrd(ids, rels)};
}

Json webfinger_jrd(const Ids& ids, const std::vector<std::string>& rels) {
    Json links = Json::array();
    auto add = [&](Json link) {
        if (rels.empty() || std::find(rels.begin(), rels.end(), link["rel"].get<std::string>()) != rels.end())
            links.push_back(std::move(link));
    };
    add(link("self", "application/activity+json", ids.actor()));
    add(link(profile_page_rel, "text/html", ids.profile()));
    Json subscribe = {{"rel", subscribe_rel}, {"template", ids.interaction_template()}};
    add(std::move(subscribe));
    return {
        {"subject", ids.acct()},
        {"aliases", Json::array({ids.actor(), ids.profile()})},
        {"links", std::move(links)},
    };
}

std::string host_meta_xml(const Ids& ids) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
           "<XRD xmlns=\"http://docs.oasis-open.org/ns/xri/xrd-1.0\">\n"
           "  <Link rel=\"lrdd\" template=\"" +
           escape_html(ids.webfinger_template()) +
           "\"/>\n"
           "</XRD>\n";
}

Json host_meta_json(const Ids& ids) {
    return {{"links", Json::array({{{"rel", "lrdd"}, {"template", ids.webfinger_template()}}})}};
}

}  // namespace fedblog::activitypub
