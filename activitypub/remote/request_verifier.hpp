#pragma once
// The whole signature check an inbox runs, in the order that wastes least: the policy's key-free checks,
// then the signer's key (cached or fetched), then the signature — and when that fails with a key we already
// held, the key is fetched again once (the sender may have rotated it) before the request is refused.
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <string>

#include "activitypub/remote/key_directory.hpp"
#include "keys/http_message.hpp"
#include "keys/signature_policy.hpp"

namespace fedblog::activitypub::remote {

struct VerifiedRequest {
    std::string key_id;
    std::string actor_id;  // the key's verified owner: the activity's actor must be this one
};

struct RejectedRequest {
    unsigned status;     // 401: the signature or its key does not hold; 503: the key could not be fetched now
    std::string reason;  // a short machine-readable name, for logs and metrics
    std::string detail;  // for the response body and the log line
};

using RequestVerification = std::variant<VerifiedRequest, RejectedRequest>;

boost::asio::awaitable<RequestVerification> verify_request(KeyDirectory& keys, const keys::HttpMessage& request,
                                                           std::int64_t now);

}  // namespace fedblog::activitypub::remote
