#include "activitypub/remote/request_verifier.hpp"

namespace fedblog::activitypub::remote {

namespace asio = boost::asio;

namespace {

RejectedRequest rejected(const KeyError& error) {
    switch (error.kind) {
        case KeyErrorKind::unavailable: return {503, "key_unavailable", error.detail};
        case KeyErrorKind::gone: return {401, "key_gone", error.detail};
        case KeyErrorKind::invalid: return {401, "key_invalid", error.detail};
    }
    return {401, "key_invalid", error.detail};
}

RejectedRequest rejected(const keys::VerificationFailure& failure) {
    return {401, std::string(keys::to_string(failure.reason)), failure.detail};
}

}  // namespace

asio::awaitable<RequestVerification> verify_request(KeyDirectory& keys, const keys::HttpMessage& request,
                                                    std::int64_t now) {
    auto read = keys::read_signature(request, now);
    if (auto* failure = std::get_if<keys::VerificationFailure>(&read)) co_return rejected(*failure);
    const auto& claim = std::get<keys::SignatureClaim>(read);

    auto key = co_await keys.lookup(claim.key_id);
    if (auto* error = std::get_if<KeyError>(&key)) co_return rejected(*error);
    auto result = keys::verify_signature(claim, std::get<VerifiedKey>(key).key.get());
    // A key fetched just now is as fresh as it gets: only a key we held already is worth a second fetch.
    if (!result.verified() && result.failure->reason == keys::VerificationFailure::Reason::bad_signature &&
        !std::get<VerifiedKey>(key).just_fetched) {
        key = co_await keys.lookup(claim.key_id, true);
        if (auto* error = std::get_if<KeyError>(&key)) co_return rejected(*error);
        result = keys::verify_signature(claim, std::get<VerifiedKey>(key).key.get());
    }
    if (!result.verified()) co_return rejected(*result.failure);
    const auto& verified = std::get<VerifiedKey>(key);
    co_return VerifiedRequest{verified.key_id, verified.actor_id};
}

}  // namespace fedblog::activitypub::remote
