#include "activitypub/remote/signed_fetch.hpp"

#include "keys/cavage.hpp"

namespace fedblog::activitypub::remote {

transport::BeforeSend cavage_signer(const keys::KeyPair& key, std::string key_id, std::function<std::int64_t()> clock,
                                    std::optional<keys::Sha256> body_sha256) {
    return [&key, key_id = std::move(key_id), clock = std::move(clock),
            body_sha256](transport::OutgoingRequest& request) {
        keys::HttpMessage message{request.method, request.scheme, request.authority, request.target,
                                  std::move(request.headers), request.body};
        keys::sign_request(message, key, key_id, keys::default_covered(message), clock(), body_sha256);
        request.headers = std::move(message.headers);
    };
}

}  // namespace fedblog::activitypub::remote
