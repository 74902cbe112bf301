#pragma once
// Signs the blog's outbound requests (the transport's before_send hook): GETs so that servers in
// authorized-fetch mode answer them, POSTs because every inbox demands it.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "activitypub/transport/http_client.hpp"
#include "keys/digest.hpp"
#include "keys/key_pair.hpp"

namespace fedblog::activitypub::remote {

// draft-cavage rsa-sha256 over "(request-target) host date" (and "digest" with a body), as Mastodon signs.
// `key` must outlive the hook. `body_sha256`, when given, is the SHA-256 of the body the hook will see.
transport::BeforeSend cavage_signer(const keys::KeyPair& key, std::string key_id, std::function<std::int64_t()> clock,
                                    std::optional<keys::Sha256> body_sha256 = std::nullopt);

}  // namespace fedblog::activitypub::remote
