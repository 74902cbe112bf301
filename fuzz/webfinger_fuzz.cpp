// WebFinger resource parsing: the raw query string of /.well-known/webfinger (percent-encoded or not) → the
// blog's JRD, 404 or 400, for a blog on a plain origin and one on a port. Checked: an answer names the blog
// and serializes; a resource that matches also matches with its "acct:" and '@' forms swapped.
// Input: the raw query string.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "activitypub/webfinger.hpp"

using namespace fedblog::activitypub;

namespace {

const Ids blogs[] = {{"https://blog.example", "blog"}, {"http://localhost:8080", "Atelier"}};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view query(reinterpret_cast<const char*>(data), size);
    for (const Ids& ids : blogs) {
        const WebfingerAnswer answer = webfinger(query, ids);
        if (answer.status == LookupStatus::ok) {
            if (answer.jrd.at("subject") != ids.acct() || serialize(answer.jrd).empty()) std::abort();
        } else if (!answer.jrd.is_null()) {
            std::abort();
        }

        const LookupStatus direct = match_resource(query, ids);
        if (direct == LookupStatus::ok && query.find("://") == std::string_view::npos) {
            // "acct:blog@host", "blog@host" and "@blog@host" name the same account.
            std::string_view account = query;
            while (!account.empty() && (account.front() == ' ' || account.front() == '\t' || account.front() == '\r' ||
                                        account.front() == '\n'))
                account.remove_prefix(1);
            std::string scheme(account.substr(0, 5));
            for (char& c : scheme) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
            if (scheme == "acct:")
                account.remove_prefix(5);
            else if (!account.empty() && account.front() == '@')
                account.remove_prefix(1);
            if (match_resource("acct:" + std::string(account), ids) != LookupStatus::ok) std::abort();
        }
    }
    return 0;
}
