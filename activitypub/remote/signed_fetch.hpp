#pragma once
// Signs the blog's outbound requests (the transport's before_send hook): GETs so that servers in
// authorized-fetch mode answer them, POSTs because every inbox demands it.
#include <cstdint>
#include <functional>
#include <string>

#include "activitypub/transport/http_client.hpp"
#include "keys/key_pair.hpp"

namespace fedblog::activitypub::remote {

// draft-cavage rsa-sha256 over "(request-target) host date" (and "digest" with a body), as Mastodon signs.
// `key` must outlive the hook.
transport::BeforeSend cavage_signer(const keys::KeyPair& key, std::string key_id, std::function<std::int64_t()> clock);

}  // namespace fedblog::activitypub::remote
