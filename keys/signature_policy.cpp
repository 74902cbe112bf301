#include "keys/signature_policy.hpp"

#include <algorithm>
#include <array>

#include "keys/content_digest.hpp"
#include "keys/digest.hpp"
#include "keys/rfc9421.hpp"

namespace fedblog::keys {

namespace {

using Reason = VerificationFailure::Reason;

// Details end up in a JSON 401 body and a log line: printable ASCII only, and bounded.
VerificationFailure fail(Reason reason, std::string detail) {
    constexpr std::size_t max_detail = 300;
    if (detail.size() > max_detail) detail = detail.substr(0, max_detail) + "...";
    for (char& c : detail)
        if (c < 0x20 || c > 0x7e) c = '?';
    return {reason, std::move(detail)};
}

Reason reason_for(SignatureError::Kind kind) {
    switch (kind) {
        case SignatureError::Kind::malformed:
            return Reason::malformed_header;
        case SignatureError::Kind::duplicate_parameter:
            return Reason::duplicate_parameter;
        case SignatureError::Kind::unsupported_algorithm:
            return Reason::unsupported_algorithm;
        case SignatureError::Kind::missing_header:
            return Reason::missing_header;
        case SignatureError::Kind::key_type_mismatch:
            return Reason::key_type_mismatch;
        case SignatureError::Kind::bad_signature:
            return Reason::bad_signature;
    }
    return Reason::malformed_header;
}

// "3h12m", "1h05m", "4m30s", "59s".
std::string format_duration(std::int64_t seconds) {
    const std::int64_t hours = seconds / 3600, minutes = seconds % 3600 / 60, rest = seconds % 60;
    auto two_digits = [](std::int64_t n) { return (n < 10 ? "0" : "") + std::to_string(n); };
    std::string out;
    if (hours)
        out = std::to_string(hours) + "h" + two_digits(minutes) + "m";
    else if (minutes)
        out = std::to_string(minutes) + "m";
    if (rest || out.empty()) out += (out.empty() ? std::to_string(rest) : two_digits(rest)) + "s";
    return out;
}

// What a draft-cavage signature covers of what the policy asks about, read once from its `headers`.
struct CavageCoverage {
    bool request_target = false, host = false, date = false, created = false, digest = false;
    explicit CavageCoverage(const CavageSignature& signature) {
        for (const std::string& name : signature.headers) {
            request_target |= name == "(request-target)";
            host |= name == "host";
            date |= name == "date";
            created |= name == "(created)";
            digest |= name == "digest";
        }
    }
};

std::optional<VerificationFailure> check_window(std::string_view what, std::int64_t time, std::int64_t now) {
    const std::int64_t future = max_clock_skew_future.count(), age = max_signature_age.count();
    if (time > now + future)
        return fail(Reason::date_in_future, std::string(what) + " is " + format_duration(time - now) +
                                                " in the future (limit " + format_duration(future) + ")");
    if (time < now - age)
        return fail(Reason::date_too_old, std::string(what) + " is " + format_duration(now - time) +
                                              " in the past (limit " + format_duration(age) + ")");
    return std::nullopt;
}

std::optional<VerificationFailure> check_coverage(const CavageCoverage& coverage, const HttpMessage& request) {
    if (!coverage.request_target)
        return fail(Reason::missing_covered_component, "signature does not cover \"(request-target)\"");
    if (!coverage.host) return fail(Reason::missing_covered_component, "signature does not cover \"host\"");
    if (!coverage.date && !coverage.created)
        return fail(Reason::missing_covered_component, "signature does not cover \"date\" or \"(created)\"");
    if ((request.method == "POST" || !request.body.empty()) && !coverage.digest)
        return fail(Reason::missing_covered_component, "signature does not cover \"digest\"");
    return std::nullopt;
}

std::optional<VerificationFailure> check_date_header(const HttpMessage& request, std::int64_t now) {
    std::string repeats;
    const auto date = request.joined("date", repeats);
    if (!date) return fail(Reason::date_missing, "Date is covered but the request has no Date header");
    const auto time = parse_imf_fixdate(*date);
    if (!time) return fail(Reason::date_malformed, "Date is not an IMF-fixdate: \"" + std::string(*date) + "\"");
    return check_window("Date", *time, now);
}

std::optional<VerificationFailure> check_digest(const HttpMessage& request) {
    std::string repeats;
    const std::string_view value = request.joined("digest", repeats).value_or("");
    switch (check_digest_header(value, request.body)) {
        case DigestCheck::ok:
            return std::nullopt;
        case DigestCheck::missing:
            return fail(Reason::digest_missing, "Digest is covered but empty");
        case DigestCheck::unsupported_algorithm:
            return fail(Reason::digest_unsupported, "Digest has no SHA-256 entry: \"" + std::string(value) + "\"");
        case DigestCheck::malformed:
            return fail(Reason::digest_malformed, "Digest is malformed: \"" + std::string(value) + "\"");
        case DigestCheck::mismatch:
            return fail(Reason::digest_mismatch, "Digest mismatch: the " + std::to_string(request.body.size()) +
                                                     "-byte body has " + digest_header(request.body));
    }
    return fail(Reason::digest_malformed, "Digest is malformed");
}

std::variant<SignatureClaim, VerificationFailure> read_cavage(const HttpMessage& request, std::int64_t now) {
    const std::size_t headers = request.count("signature");
    if (headers == 0) return fail(Reason::missing_signature, "the request has no Signature header");
    if (headers > 1) return fail(Reason::malformed_header, "the request has several Signature headers");
    std::string unused;  // the header is there once: never joined
    auto parsed = parse_signature_header(*request.joined("signature", unused));
    if (auto* e = std::get_if<SignatureError>(&parsed)) return fail(reason_for(e->kind), e->detail);
    const CavageSignature& signature = std::get<CavageSignature>(parsed);
    const CavageCoverage coverage(signature);

    // Cheap first: coverage, the clock, then the covered headers; hashing the body comes last.
    if (auto failure = check_coverage(coverage, request)) return *failure;
    if (coverage.date)
        if (auto failure = check_date_header(request, now)) return *failure;
    if (coverage.digest && request.count("digest") == 0)
        return fail(Reason::digest_missing, "Digest is covered but the request has no Digest header");
    auto text = signing_string(signature, request);
    if (auto* e = std::get_if<SignatureError>(&text)) return fail(reason_for(e->kind), e->detail);
    if (coverage.created)  // signing_string has checked that the parameter is there
        if (auto failure = check_window("(created)", *signature.created, now)) return *failure;
    if (signature.expires && *signature.expires < now - max_clock_skew_future.count())
        return fail(Reason::signature_expired, "signature expired " + format_duration(now - *signature.expires) +
                                                   " ago (limit " + format_duration(max_clock_skew_future.count()) +
                                                   ")");
    if (coverage.digest)
        if (auto failure = check_digest(request)) return *failure;

    return SignatureClaim{SignatureScheme::cavage, signature.key_id, signature.headers,
                          std::move(std::get<std::string>(text)), std::move(std::get<CavageSignature>(parsed))};
}

Reason reason_for(rfc9421::Reason reason) {
    using R = rfc9421::Reason;
    switch (reason) {
        case R::no_signature: return Reason::missing_signature;
        case R::duplicate_label:
        case R::invalid_parameter: return Reason::duplicate_parameter;
        case R::unsupported_algorithm:
        case R::unsupported_component: return Reason::unsupported_algorithm;
        case R::algorithm_mismatch: return Reason::key_type_mismatch;
        case R::missing_component: return Reason::missing_header;
        case R::content_digest_mismatch: return Reason::digest_mismatch;
        case R::invalid_signature: return Reason::bad_signature;
        case R::malformed_field:
        case R::unpaired_label:
        case R::invalid_component:
        case R::invalid_component_value: return Reason::malformed_header;
    }
    return Reason::malformed_header;
}

// What Mastodon requires of an RFC 9421 signature (docs/mastodon.md §3 item 16), for one entry.
std::optional<VerificationFailure> check_rfc9421_coverage(const rfc9421::SignatureEntry& entry,
                                                          const HttpMessage& request) {
    const std::string label = "Signature-Input \"" + entry.label + "\"";
    if (!entry.keyid || entry.keyid->empty()) return fail(Reason::malformed_header, label + " has no keyid");
    if (!entry.created) return fail(Reason::missing_covered_component, label + " has no created parameter");
    for (std::string_view required : {"@method", "@target-uri"})
        if (!entry.covers(required))
            return fail(Reason::missing_covered_component, label + " does not cover \"" + std::string(required) + "\"");
    if ((request.method == "POST" || !request.body.empty()) && !entry.covers("content-digest"))
        return fail(Reason::missing_covered_component, label + " does not cover \"content-digest\"");
    if (entry.alg) {
        auto algorithm = rfc9421::algorithm_named(*entry.alg);
        // HMAC needs a shared secret: no public-key inbox can accept it.
        if (!algorithm || *algorithm == rfc9421::Algorithm::hmac_sha256)
            return fail(Reason::unsupported_algorithm, label + " uses unsupported algorithm \"" + *entry.alg + "\"");
    }
    return std::nullopt;
}

// Several signatures may come (a proxy adds its own); each costs a public-key operation, so only the first
// few are looked at, and the first that meets the policy is the one verified.
constexpr std::size_t max_rfc9421_entries = 4;

std::variant<SignatureClaim, VerificationFailure> read_rfc9421(const HttpMessage& request, std::int64_t now) {
    auto parsed = rfc9421::parse(request);
    if (auto* e = std::get_if<rfc9421::Error>(&parsed)) return fail(reason_for(e->reason), e->detail);
    auto& entries = std::get<std::vector<rfc9421::SignatureEntry>>(parsed);
    std::optional<VerificationFailure> first_failure;
    for (std::size_t i = 0; i < entries.size() && i < max_rfc9421_entries; ++i) {
        rfc9421::SignatureEntry& entry = entries[i];
        auto failure = check_rfc9421_coverage(entry, request);
        if (!failure) failure = check_window("created", *entry.created, now);
        if (!failure && entry.expires && *entry.expires < now - max_clock_skew_future.count())
            failure = fail(Reason::signature_expired, "signature expired " + format_duration(now - *entry.expires) + " ago");
        if (!failure && entry.covers("content-digest")) {
            // Cheap before the signature: the body must be what the signer hashed.
            const auto header = request.joined("content-digest");
            if (!header) {
                failure = fail(Reason::digest_missing, "Content-Digest is covered but the request has none");
            } else if (auto e = check_content_digest(*header, request.body)) {
                failure = fail(e->reason == ContentDigestError::Reason::mismatch ? Reason::digest_mismatch
                               : e->reason == ContentDigestError::Reason::no_supported_algorithm
                                   ? Reason::digest_unsupported
                                   : Reason::digest_malformed,
                               e->detail);
            }
        }
        if (failure) {
            if (!first_failure) first_failure = failure;
            continue;
        }
        auto base = rfc9421::signature_base(entry, request);
        if (auto* e = std::get_if<rfc9421::Error>(&base)) return fail(reason_for(e->reason), e->detail);
        std::vector<std::string> covered;
        for (const auto& component : entry.components) covered.push_back(component.name);
        std::string key_id = *entry.keyid;
        return SignatureClaim{SignatureScheme::rfc9421, std::move(key_id), std::move(covered),
                              std::move(std::get<std::string>(base)), std::move(entry)};
    }
    return *first_failure;
}

// The entry's alg when it names one, else what the key is: RSA signs rsa-v1_5-sha256 in the fediverse.
std::variant<rfc9421::Algorithm, VerificationFailure> rfc9421_algorithm(const rfc9421::SignatureEntry& entry,
                                                                        EVP_PKEY* key) {
    if (entry.alg) return *rfc9421::algorithm_named(*entry.alg);  // checked when read
    if (EVP_PKEY_is_a(key, "RSA")) return rfc9421::Algorithm::rsa_v1_5_sha256;
    if (EVP_PKEY_is_a(key, "ED25519")) return rfc9421::Algorithm::ed25519;
    if (EVP_PKEY_is_a(key, "EC")) return rfc9421::Algorithm::ecdsa_p256_sha256;
    return fail(Reason::key_type_mismatch, "the key for this signature is of a type RFC 9421 signatures here cannot use");
}

int two_digits(std::string_view text, std::size_t at) {
    const char a = text[at], b = text[at + 1];
    if (a < '0' || a > '9' || b < '0' || b > '9') return -1;
    return (a - '0') * 10 + (b - '0');
}

}  // namespace

std::string_view to_string(VerificationFailure::Reason reason) {
    switch (reason) {
        case Reason::missing_signature:
            return "missing_signature";
        case Reason::malformed_header:
            return "malformed_header";
        case Reason::duplicate_parameter:
            return "duplicate_parameter";
        case Reason::unsupported_algorithm:
            return "unsupported_algorithm";
        case Reason::missing_covered_component:
            return "missing_covered_component";
        case Reason::missing_header:
            return "missing_header";
        case Reason::date_missing:
            return "date_missing";
        case Reason::date_malformed:
            return "date_malformed";
        case Reason::date_too_old:
            return "date_too_old";
        case Reason::date_in_future:
            return "date_in_future";
        case Reason::signature_expired:
            return "signature_expired";
        case Reason::digest_missing:
            return "digest_missing";
        case Reason::digest_malformed:
            return "digest_malformed";
        case Reason::digest_mismatch:
            return "digest_mismatch";
        case Reason::digest_unsupported:
            return "digest_unsupported";
        case Reason::key_type_mismatch:
            return "key_type_mismatch";
        case Reason::bad_signature:
            return "bad_signature";
    }
    return "unknown";
}

std::variant<SignatureClaim, VerificationFailure> read_signature(const HttpMessage& request, std::int64_t now) {
    // Signature-Input marks RFC 9421; a draft-cavage request has only Signature.
    if (request.count("signature-input") != 0) return read_rfc9421(request, now);
    return read_cavage(request, now);
}

VerificationResult verify_signature(const SignatureClaim& claim, EVP_PKEY* public_key) {
    if (const auto* entry = std::get_if<rfc9421::SignatureEntry>(&claim.parsed)) {
        auto algorithm = rfc9421_algorithm(*entry, public_key);
        if (auto* failure = std::get_if<VerificationFailure>(&algorithm)) return {*failure};
        if (auto e = rfc9421::verify_signature_base(claim.signing_string, entry->signature, public_key,
                                                    std::get<rfc9421::Algorithm>(algorithm)))
            return {fail(reason_for(e->reason), e->detail)};
        return {};
    }
    const auto& signature = std::get<CavageSignature>(claim.parsed);
    if (auto e = verify_signature_bytes(signature, claim.signing_string, public_key))
        return {fail(reason_for(e->kind), e->detail)};
    return {};
}

std::optional<std::int64_t> parse_imf_fixdate(std::string_view text) {
    // "Sun, 06 Nov 1994 08:49:37 GMT": fixed width, English names, always GMT.
    static constexpr std::array<std::string_view, 7> days{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    static constexpr std::array<std::string_view, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    if (text.size() != 29 || text.substr(3, 2) != ", " || text[7] != ' ' || text[11] != ' ' || text[16] != ' ' ||
        text[19] != ':' || text[22] != ':' || text.substr(25) != " GMT")
        return std::nullopt;
    if (std::find(days.begin(), days.end(), text.substr(0, 3)) == days.end()) return std::nullopt;
    const auto month_name = std::find(months.begin(), months.end(), text.substr(8, 3));
    const int day = two_digits(text, 5), century = two_digits(text, 12), year_in_century = two_digits(text, 14);
    const int hour = two_digits(text, 17), minute = two_digits(text, 20), second = two_digits(text, 23);
    if (month_name == months.end() || day < 0 || century < 0 || year_in_century < 0 || hour < 0 || hour > 23 ||
        minute < 0 || minute > 59 || second < 0 || second > 60)
        return std::nullopt;
    const std::chrono::year_month_day date{std::chrono::year{century * 100 + year_in_century},
                                           std::chrono::month{static_cast<unsigned>(month_name - months.begin() + 1)},
                                           std::chrono::day{static_cast<unsigned>(day)}};
    if (!date.ok()) return std::nullopt;
    const std::int64_t days_since_epoch = std::chrono::sys_days{date}.time_since_epoch().count();
    return days_since_epoch * 86400 + hour * 3600 + minute * 60 + second;
}

}  // namespace fedblog::keys
