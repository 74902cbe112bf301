#include "activitypub/remote/signed_fetch.hpp"

#include "keys/cavage.hpp"

namespace fedblog::activitypub::remote {

transport::BeforeSend cavage_signer(const keys::KeyPair& key, std::string key_id, std::function<std::int64_t()> clock) {
    return [&key, key_id = std::move(key_id), clock = std::move(clock)](transport::OutgoingRequest& request) {
        keys::HttpMessage message{request.method, request.scheme, request.authority, request.target, request.headers,
                                  request.body};
        keys::sign_request(message, key, key_id, keys::default_covered(message), clock());
        request.headers = std::move(message.headers);
    };
}

}  // namespace fedblog::activitypub::remote
