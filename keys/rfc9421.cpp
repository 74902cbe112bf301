#include "keys/rfc9421.hpp"

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <memory>
#include <stdexcept>

#include "common/hex.hpp"
#include "keys/content_digest.hpp"
#include "keys/structured_fields.hpp"

namespace fedblog::keys::rfc9421 {

namespace {

constexpr std::array<std::pair<Algorithm, std::string_view>, 5> algorithm_names{{
    {Algorithm::rsa_v1_5_sha256, "rsa-v1_5-sha256"},
    {Algorithm::rsa_pss_sha512, "rsa-pss-sha512"},
    {Algorithm::ecdsa_p256_sha256, "ecdsa-p256-sha256"},
    {Algorithm::ed25519, "ed25519"},
    {Algorithm::hmac_sha256, "hmac-sha256"},
}};

Error error(Reason reason, std::string detail) { return {reason, std::move(detail)}; }

std::string in_quotes(std::string_view text) { return '"' + std::string(text) + '"'; }

// "content-digest" → "Content-Digest", how people read header names in a log.
std::string display_name(std::string_view field) {
    std::string out(field);
    for (std::size_t i = 0; i < out.size(); ++i)
        if (i == 0 || out[i - 1] == '-') out[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[i])));
    return out;
}

std::string lower_ascii(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string one_line(std::string_view base) {
    std::string out;
    for (char c : base) {
        if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

// --- Signature-Input ---------------------------------------------------------------------------------

bool is_field_name(std::string_view name) {
    constexpr std::string_view tchar_symbols = "!#$%&'*+-.^_`|~";
    return !name.empty() && std::all_of(name.begin(), name.end(), [&](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || tchar_symbols.find(c) != std::string_view::npos;
    });
}

constexpr std::string_view request_components[] = {"@method",         "@target-uri", "@authority", "@scheme",
                                                   "@request-target", "@path",       "@query",     "@query-param"};

std::variant<Component, Error> parse_component(const sf::Item& item, const std::string& where) {
    const auto* name = std::get_if<std::string>(&item.value);
    if (!name)
        return error(Reason::invalid_component, where + " lists " + sf::serialize(item.value) + ", not a string");
    Component component{*name, std::nullopt};
    const std::string what = where + " component " + in_quotes(*name);
    if (name->starts_with('@')) {
        if (*name == "@status") return error(Reason::unsupported_component, what + " only exists in responses");
        if (*name == "@signature-params")
            return error(Reason::invalid_component, what + " is implicit and must not be listed");
        if (std::find(std::begin(request_components), std::end(request_components), *name) ==
            std::end(request_components))
            return error(Reason::invalid_component, what + " is not a known derived component");
    } else if (!is_field_name(*name)) {
        return error(Reason::invalid_component, what + " is not a lower-case HTTP field name");
    }
    for (const auto& [key, value] : item.parameters) {
        if (key == "name" && *name == "@query-param") {
            const auto* encoded = std::get_if<std::string>(&value);
            if (!encoded) return error(Reason::invalid_component, what + " has a ;name that is not a string");
            component.query_param = *encoded;
        } else if (key == "sf" || key == "key" || key == "bs" || key == "req" || key == "tr") {
            return error(Reason::unsupported_component, what + " has ;" + key + ", which is not supported");
        } else {
            return error(Reason::invalid_component, what + " has the unknown parameter ;" + key);
        }
    }
    if (*name == "@query-param" && !component.query_param)
        return error(Reason::invalid_component, what + " needs a ;name parameter");
    return component;
}

std::optional<Error> read_parameters(const sf::Parameters& parameters, SignatureEntry& entry,
                                     const std::string& where) {
    for (const sf::Parameter& parameter : parameters) {
        const std::string& key = parameter.key;
        const sf::BareItem& value = parameter.value;
        auto wrong_type = [&](std::string_view type) {
            return error(Reason::invalid_parameter,
                         where + " has " + key + "=" + sf::serialize(value) + "; it must be " + std::string(type));
        };
        if (key == "created" || key == "expires") {
            const auto* seconds = std::get_if<std::int64_t>(&value);
            if (!seconds) return wrong_type("an integer (Unix seconds)");
            (key == "created" ? entry.created : entry.expires) = *seconds;
        } else if (key == "keyid" || key == "alg" || key == "nonce" || key == "tag") {
            const auto* text = std::get_if<std::string>(&value);
            if (!text) return wrong_type("a string");
            (key == "keyid"   ? entry.keyid
             : key == "alg"   ? entry.alg
             : key == "nonce" ? entry.nonce
                              : entry.tag) = *text;
        }
        // Unregistered parameters are allowed: they are part of the signed @signature-params line.
    }
    return std::nullopt;
}

std::variant<SignatureEntry, Error> parse_entry(const sf::DictionaryMember& member) {
    const std::string where = "Signature-Input " + in_quotes(member.key);
    const auto* inner_list = std::get_if<sf::InnerList>(&member.value);
    if (!inner_list)
        return error(Reason::malformed_field,
                     where + " is " + sf::serialize(member.value) + ", not a parenthesized list of components");
    SignatureEntry entry;
    entry.label = member.key;
    for (const sf::Item& item : inner_list->items) {
        auto component = parse_component(item, where);
        if (auto* failure = std::get_if<Error>(&component)) return std::move(*failure);
        auto& parsed = std::get<Component>(component);
        if (std::find(entry.components.begin(), entry.components.end(), parsed) != entry.components.end())
            return error(Reason::invalid_component, where + " lists " + sf::serialize(item) + " twice");
        entry.components.push_back(std::move(parsed));
    }
    if (auto failure = read_parameters(inner_list->parameters, entry, where)) return std::move(*failure);
    entry.params = sf::serialize(*inner_list);
    entry.received_params = member.received;
    return entry;
}

std::variant<sf::Dictionary, Error> parse_field(const HttpMessage& request, std::string_view field) {
    const std::string name = display_name(field);
    auto value = request.joined(field);
    if (!value)
        return error(Reason::unpaired_label,
                     "the request has " + display_name("signature-input") + " but no " + name + " header");
    auto parsed = sf::parse_dictionary(*value, sf::Duplicates::reject);
    if (auto* failure = std::get_if<sf::ParseError>(&parsed)) {
        using Kind = sf::ParseError::Kind;
        const Reason reason = failure->kind == Kind::duplicate_key         ? Reason::duplicate_label
                              : failure->kind == Kind::duplicate_parameter ? Reason::invalid_parameter
                                                                           : Reason::malformed_field;
        return error(reason, name + " is not a valid structured-field dictionary: " + failure->describe());
    }
    return std::get<sf::Dictionary>(std::move(parsed));
}

// --- Component values ----------------------------------------------------------------------------------

struct OriginForm {
    std::string_view path;
    std::optional<std::string_view> query;
};

std::optional<OriginForm> origin_form(std::string_view target) {
    if (!target.starts_with('/')) return std::nullopt;
    const std::size_t question = target.find('?');
    if (question == std::string_view::npos) return OriginForm{target, std::nullopt};
    return OriginForm{target.substr(0, question), target.substr(question + 1)};
}

// RFC 9110 §4.2.3 normalization: lower-case host, no default port.
std::string normalized_authority(std::string_view scheme, std::string_view authority) {
    std::string out = lower_ascii(authority);
    const std::size_t bracket = out.rfind(']');
    const std::size_t colon = out.rfind(':');
    if (colon == std::string::npos || (bracket != std::string::npos && colon < bracket)) return out;
    const std::string_view port = std::string_view(out).substr(colon + 1);
    const std::string lower_scheme = lower_ascii(scheme);
    if (port.empty() || (lower_scheme == "https" && port == "443") || (lower_scheme == "http" && port == "80"))
        out.resize(colon);
    return out;
}

// application/x-www-form-urlencoded parsing (WHATWG URL §5.1) of a name or value.
std::string form_decode(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '+') {
            out += ' ';
        } else if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
                   hex_value(text[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

// Percent-encode after encoding with the application/x-www-form-urlencoded set, spaces as %20 (RFC 9421
// §2.2.8 shows "with+plus" → "with%20plus").
std::string form_encode(std::string_view bytes) {
    constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (char c : bytes) {
        const auto byte = static_cast<unsigned char>(c);
        if (std::isalnum(byte) || c == '*' || c == '-' || c == '.' || c == '_') {
            out += c;
        } else {
            out += '%';
            out += hex[byte >> 4];
            out += hex[byte & 0x0F];
        }
    }
    return out;
}

struct Context {
    const SignatureEntry& entry;
    const HttpMessage& request;

    std::string where(const Component& component) const {
        return "Signature-Input " + in_quotes(entry.label) + " covers " + in_quotes(component.name);
    }
    Error not_origin_form(const Component& component) const {
        return error(Reason::invalid_component_value,
                     where(component) + " but the request target " + in_quotes(request.target) + " is not a path");
    }

    std::variant<std::string, Error> derived(const Component& component) const {
        const std::string& name = component.name;
        if (name == "@method") return request.method;
        if (name == "@scheme") return lower_ascii(request.scheme);
        if (name == "@request-target") return request.target;
        if (name == "@authority" || name == "@target-uri") {
            if (request.authority.empty())
                return error(Reason::missing_component, where(component) + " but the request has no Host");
            std::string authority = normalized_authority(request.scheme, request.authority);
            if (name == "@authority") return authority;
            if (!origin_form(request.target)) return not_origin_form(component);
            return lower_ascii(request.scheme) + "://" + authority + request.target;
        }
        auto target = origin_form(request.target);
        if (!target) return not_origin_form(component);
        if (name == "@path") return std::string(target->path);
        if (name == "@query") return '?' + std::string(target->query.value_or(""));
        if (name == "@query-param" && component.query_param) return query_param(component, target->query.value_or(""));
        return error(Reason::invalid_component, where(component) + ", which is not a derived component of a request");
    }

    std::variant<std::string, Error> query_param(const Component& component, std::string_view query) const {
        const std::string& wanted = *component.query_param;
        std::optional<std::string> found;
        int occurrences = 0;
        while (!query.empty()) {
            const std::size_t amp = query.find('&');
            const std::string_view pair = query.substr(0, amp);
            query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
            if (pair.empty()) continue;
            const std::size_t equals = pair.find('=');
            if (form_encode(form_decode(pair.substr(0, equals))) != wanted) continue;
            ++occurrences;
            found = form_encode(form_decode(equals == std::string_view::npos ? "" : pair.substr(equals + 1)));
        }
        const std::string what = where(component) + ";name=" + in_quotes(wanted);
        if (occurrences == 0) return error(Reason::missing_component, what + " but the query has no such parameter");
        if (occurrences > 1)
            return error(Reason::invalid_component_value,
                         what + " but the query has it " + std::to_string(occurrences) + " times");
        return *found;
    }

    // RFC 9421 §2.1: each value trimmed, obsolete line folding replaced by a space, joined with ", ".
    std::variant<std::string, Error> field(const Component& component) const {
        auto values = request.values(component.name);
        if (values.empty())
            return error(Reason::missing_component,
                         where(component) + " but the request has no " + display_name(component.name) + " header");
        std::string joined;
        for (std::size_t i = 0; i < values.size(); ++i) {
            std::string_view value = values[i];
            while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
            while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
            if (i) joined += ", ";
            for (std::size_t j = 0; j < value.size(); ++j) {
                if (value[j] != '\r' && value[j] != '\n') {
                    joined += value[j];
                    continue;
                }
                while (j + 1 < value.size() && std::string_view("\r\n \t").find(value[j + 1]) != std::string_view::npos)
                    ++j;
                joined += ' ';
            }
        }
        return joined;
    }

    // RFC 9421 §2.5 step 4: the base is ASCII, and a control character could forge a line of it.
    std::optional<Error> check_printable(const Component& component, std::string_view value) const {
        for (char c : value)
            if ((c < 0x20 && c != '\t') || c == 0x7F || static_cast<unsigned char>(c) >= 0x80)
                return error(Reason::invalid_component_value,
                             where(component) + " but its value has a byte that is not printable ASCII");
        return std::nullopt;
    }
};

std::string identifier(const Component& component) {
    sf::Item item{component.name, {}};
    if (component.query_param) item.parameters.push_back({"name", *component.query_param});
    return sf::serialize(item);
}

// --- Cryptography --------------------------------------------------------------------------------------

struct MdCtxDeleter {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
struct EcdsaSigDeleter {
    void operator()(ECDSA_SIG* sig) const { ECDSA_SIG_free(sig); }
};
struct BignumDeleter {
    void operator()(BIGNUM* bn) const { BN_free(bn); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, EcdsaSigDeleter>;
using BignumPtr = std::unique_ptr<BIGNUM, BignumDeleter>;

// ECDSA P-256 scalars r and s, each 32 bytes in RFC 9421's raw signature.
constexpr int p256_scalar_size = 32;
constexpr std::size_t p256_raw_size = 2 * p256_scalar_size;

bool is_p256(EVP_PKEY* key) {
    char group[64] = {};
    std::size_t length = 0;
    return EVP_PKEY_is_a(key, "EC") && EVP_PKEY_get_group_name(key, group, sizeof group, &length) == 1 &&
           std::string_view(group, length) == SN_X9_62_prime256v1;
}

std::string key_type(EVP_PKEY* key) {
    if (is_p256(key)) return "EC P-256";
    const char* name = EVP_PKEY_get0_type_name(key);
    return name ? name : "unknown";
}

// The algorithm a key type implies when nothing else says: RSA keys are the fediverse's rsa-v1_5-sha256.
std::optional<Algorithm> algorithm_of_key(EVP_PKEY* key) {
    if (EVP_PKEY_is_a(key, "RSA")) return Algorithm::rsa_v1_5_sha256;
    if (EVP_PKEY_is_a(key, "RSA-PSS")) return Algorithm::rsa_pss_sha512;
    if (is_p256(key)) return Algorithm::ecdsa_p256_sha256;
    if (EVP_PKEY_is_a(key, "ED25519")) return Algorithm::ed25519;
    return std::nullopt;
}

bool key_fits(Algorithm algorithm, EVP_PKEY* key) {
    switch (algorithm) {
        case Algorithm::rsa_v1_5_sha256: return EVP_PKEY_is_a(key, "RSA");
        case Algorithm::rsa_pss_sha512: return EVP_PKEY_is_a(key, "RSA") || EVP_PKEY_is_a(key, "RSA-PSS");
        case Algorithm::ecdsa_p256_sha256: return is_p256(key);
        case Algorithm::ed25519: return EVP_PKEY_is_a(key, "ED25519");
        case Algorithm::hmac_sha256: return false;
    }
    return false;
}

const char* digest_name(Algorithm algorithm) {
    switch (algorithm) {
        case Algorithm::rsa_pss_sha512: return "SHA512";
        case Algorithm::ed25519: return nullptr;  // Ed25519 hashes internally
        default: return "SHA256";
    }
}

bool set_padding(EVP_PKEY_CTX* ctx, Algorithm algorithm) {
    if (algorithm == Algorithm::rsa_pss_sha512)
        return EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) > 0 &&
               EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, 64) > 0 &&
               EVP_PKEY_CTX_set_rsa_mgf1_md_name(ctx, "SHA512", nullptr) > 0;
    if (algorithm == Algorithm::rsa_v1_5_sha256) return EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0;
    return true;
}

// RFC 9421 carries ECDSA signatures as fixed-size r‖s; OpenSSL speaks DER.
std::optional<std::string> ecdsa_raw_to_der(std::string_view raw) {
    if (raw.size() != p256_raw_size) return std::nullopt;
    const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
    BignumPtr r(BN_bin2bn(bytes, p256_scalar_size, nullptr));
    BignumPtr s(BN_bin2bn(bytes + p256_scalar_size, p256_scalar_size, nullptr));
    EcdsaSigPtr signature(ECDSA_SIG_new());
    if (!r || !s || !signature || ECDSA_SIG_set0(signature.get(), r.get(), s.get()) != 1) return std::nullopt;
    r.release();  // owned by the signature now
    s.release();
    const int length = i2d_ECDSA_SIG(signature.get(), nullptr);
    if (length <= 0) return std::nullopt;
    std::string der(static_cast<std::size_t>(length), '\0');
    auto* out = reinterpret_cast<unsigned char*>(der.data());
    i2d_ECDSA_SIG(signature.get(), &out);
    return der;
}

std::string ecdsa_der_to_raw(std::string_view der) {
    const auto* in = reinterpret_cast<const unsigned char*>(der.data());
    EcdsaSigPtr signature(d2i_ECDSA_SIG(nullptr, &in, static_cast<long>(der.size())));
    if (!signature) throw std::runtime_error("ECDSA signature: " + openssl_error());
    std::string raw(p256_raw_size, '\0');
    auto* out = reinterpret_cast<unsigned char*>(raw.data());
    if (BN_bn2binpad(ECDSA_SIG_get0_r(signature.get()), out, p256_scalar_size) != p256_scalar_size ||
        BN_bn2binpad(ECDSA_SIG_get0_s(signature.get()), out + p256_scalar_size, p256_scalar_size) != p256_scalar_size)
        throw std::runtime_error("ECDSA signature component larger than the curve");
    return raw;
}

std::string sign_base(std::string_view base, EVP_PKEY* key, Algorithm algorithm) {
    MdCtxPtr ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pkey_ctx = nullptr;  // owned by ctx
    std::size_t length = 0;
    const auto* data = reinterpret_cast<const unsigned char*>(base.data());
    if (!ctx ||
        EVP_DigestSignInit_ex(ctx.get(), &pkey_ctx, digest_name(algorithm), nullptr, nullptr, key, nullptr) != 1 ||
        !set_padding(pkey_ctx, algorithm) || EVP_DigestSign(ctx.get(), nullptr, &length, data, base.size()) != 1)
        throw std::runtime_error("signing with " + std::string(to_string(algorithm)) + ": " + openssl_error());
    std::string signature(length, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length, data, base.size()) != 1)
        throw std::runtime_error("signing with " + std::string(to_string(algorithm)) + ": " + openssl_error());
    signature.resize(length);
    return algorithm == Algorithm::ecdsa_p256_sha256 ? ecdsa_der_to_raw(signature) : signature;
}

std::optional<std::string> hmac_sha256(std::string_view secret, std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    std::size_t length = 0;
    if (!EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, secret.data(), secret.size(),
                   reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, sizeof out, &length))
        return std::nullopt;
    return std::string(reinterpret_cast<const char*>(out), length);
}

Error invalid_signature(const SignatureEntry& entry, std::string_view why, std::string_view base) {
    std::string detail =
        "signature " + in_quotes(entry.label) + ": " + std::string(why) + "; signature base \"" + one_line(base) + "\"";
    if (entry.received_params != entry.params)
        detail += "; note: Signature-Input was received as " + entry.received_params +
                  ", which is not its canonical serialization";
    return error(Reason::invalid_signature, std::move(detail));
}

std::optional<Error> check_covered_digest(const SignatureEntry& entry, const HttpMessage& request) {
    if (!entry.covers("content-digest")) return std::nullopt;
    auto header = request.joined("content-digest");
    if (!header) return std::nullopt;  // signature_base() reports the missing header
    if (auto failure = check_content_digest(*header, request.body))
        return error(Reason::content_digest_mismatch,
                     "Signature-Input " + in_quotes(entry.label) + " covers content-digest but " + failure->detail);
    return std::nullopt;
}

std::variant<Algorithm, Error> resolve_algorithm(const SignatureEntry& entry, EVP_PKEY* key,
                                                 std::optional<Algorithm> expected) {
    std::optional<Algorithm> chosen = expected;
    if (entry.alg) {
        auto named = algorithm_named(*entry.alg);
        if (!named) return error(Reason::unsupported_algorithm, "alg " + in_quotes(*entry.alg) + " is not supported");
        if (expected && *expected != *named)
            return error(Reason::algorithm_mismatch,
                         "alg " + in_quotes(*entry.alg) + " but the key is for " + std::string(to_string(*expected)));
        chosen = named;
    }
    if (!chosen) chosen = algorithm_of_key(key);
    if (!chosen) return error(Reason::unsupported_algorithm, "no supported algorithm for a " + key_type(key) + " key");
    if (!key_fits(*chosen, key))
        return error(Reason::algorithm_mismatch,
                     std::string(to_string(*chosen)) + " cannot be verified with a " + key_type(key) + " key");
    return *chosen;
}

sf::InnerList list_to_sign(const HttpMessage& request, const SignOptions& options, Algorithm algorithm) {
    std::vector<std::string> names = options.components;
    if (names.empty()) {
        names = {"@method", "@target-uri"};
        if (request.joined("content-digest")) names.push_back("content-digest");
    }
    sf::InnerList list;
    for (const std::string& name : names) list.items.push_back({name, {}});
    list.parameters = {{"created", options.created}, {"keyid", options.key_id}};
    if (options.include_alg) list.parameters.push_back({"alg", std::string(to_string(algorithm))});
    return list;
}

}  // namespace

std::string_view to_string(Algorithm algorithm) {
    for (const auto& [value, name] : algorithm_names)
        if (value == algorithm) return name;
    return "unknown";
}

std::optional<Algorithm> algorithm_named(std::string_view registry_name) {
    for (const auto& [value, name] : algorithm_names)
        if (name == registry_name) return value;
    return std::nullopt;
}

std::string_view to_string(Reason reason) {
    switch (reason) {
        case Reason::no_signature: return "no_signature";
        case Reason::malformed_field: return "malformed_field";
        case Reason::duplicate_label: return "duplicate_label";
        case Reason::unpaired_label: return "unpaired_label";
        case Reason::invalid_component: return "invalid_component";
        case Reason::unsupported_component: return "unsupported_component";
        case Reason::invalid_parameter: return "invalid_parameter";
        case Reason::missing_component: return "missing_component";
        case Reason::invalid_component_value: return "invalid_component_value";
        case Reason::unsupported_algorithm: return "unsupported_algorithm";
        case Reason::algorithm_mismatch: return "algorithm_mismatch";
        case Reason::content_digest_mismatch: return "content_digest_mismatch";
        case Reason::invalid_signature: return "invalid_signature";
    }
    return "unknown";
}

bool SignatureEntry::covers(std::string_view component_name) const {
    return std::any_of(components.begin(), components.end(),
                       [&](const Component& c) { return c.name == component_name; });
}

std::variant<std::vector<SignatureEntry>, Error> parse(const HttpMessage& request) {
    if (!request.joined("signature-input"))
        return error(Reason::no_signature, "the request has no Signature-Input header");
    auto inputs = parse_field(request, "signature-input");
    if (auto* failure = std::get_if<Error>(&inputs)) return std::move(*failure);
    auto signatures = parse_field(request, "signature");
    if (auto* failure = std::get_if<Error>(&signatures)) return std::move(*failure);
    const auto& input_members = std::get<sf::Dictionary>(inputs);
    const auto& signature_members = std::get<sf::Dictionary>(signatures);
    if (input_members.empty()) return error(Reason::no_signature, "Signature-Input is empty");

    for (const auto& member : signature_members)
        if (!sf::find(input_members, member.key))
            return error(Reason::unpaired_label,
                         "Signature has " + in_quotes(member.key) + " but Signature-Input has no such label");
    std::vector<SignatureEntry> entries;
    for (const auto& member : input_members) {
        const sf::DictionaryMember* signature = sf::find(signature_members, member.key);
        if (!signature)
            return error(Reason::unpaired_label,
                         "Signature-Input has " + in_quotes(member.key) + " but Signature has no such label");
        const auto* item = std::get_if<sf::Item>(&signature->value);
        const auto* bytes = item ? std::get_if<sf::ByteSequence>(&item->value) : nullptr;
        if (!bytes)
            return error(Reason::malformed_field, "Signature " + in_quotes(member.key) + " is " +
                                                      sf::serialize(signature->value) + ", not a byte sequence");
        auto entry = parse_entry(member);
        if (auto* failure = std::get_if<Error>(&entry)) return std::move(*failure);
        std::get<SignatureEntry>(entry).signature = bytes->bytes;
        entries.push_back(std::get<SignatureEntry>(std::move(entry)));
    }
    return entries;
}

std::variant<std::string, Error> signature_base(const SignatureEntry& entry, const HttpMessage& request) {
    const Context context{entry, request};
    std::string base;
    for (const Component& component : entry.components) {
        auto value = component.name.starts_with('@') ? context.derived(component) : context.field(component);
        if (auto* failure = std::get_if<Error>(&value)) return std::move(*failure);
        if (auto failure = context.check_printable(component, std::get<std::string>(value))) return std::move(*failure);
        base += identifier(component) + ": " + std::get<std::string>(value) + '\n';
    }
    return base + "\"@signature-params\": " + entry.params;
}

std::optional<Error> verify_signature_base(std::string_view base, std::string_view signature, EVP_PKEY* public_key,
                                           Algorithm algorithm) {
    if (algorithm == Algorithm::hmac_sha256 || !key_fits(algorithm, public_key))
        return error(Reason::algorithm_mismatch,
                     std::string(to_string(algorithm)) + " cannot be verified with a " + key_type(public_key) + " key");
    std::string der;
    if (algorithm == Algorithm::ecdsa_p256_sha256) {
        auto converted = ecdsa_raw_to_der(signature);
        if (!converted)
            return error(Reason::invalid_signature,
                         "an ecdsa-p256-sha256 signature is 64 bytes, not " + std::to_string(signature.size()));
        der = std::move(*converted);
        signature = der;
    }
    MdCtxPtr ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pkey_ctx = nullptr;  // owned by ctx
    if (!ctx ||
        EVP_DigestVerifyInit_ex(ctx.get(), &pkey_ctx, digest_name(algorithm), nullptr, nullptr, public_key, nullptr) !=
            1 ||
        !set_padding(pkey_ctx, algorithm))
        return error(Reason::unsupported_algorithm, std::string(to_string(algorithm)) + ": " + openssl_error());
    const int result =
        EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                         reinterpret_cast<const unsigned char*>(base.data()), base.size());
    if (result == 1) return std::nullopt;
    const std::string reason = openssl_error();  // also clears the queue for the next caller
    return error(Reason::invalid_signature,
                 std::string(to_string(algorithm)) + " signature does not verify (" + reason + ")");
}

std::optional<Error> verify(const SignatureEntry& entry, const HttpMessage& request, EVP_PKEY* public_key,
                            std::optional<Algorithm> expected) {
    auto algorithm = resolve_algorithm(entry, public_key, expected);
    if (auto* failure = std::get_if<Error>(&algorithm)) return std::move(*failure);
    auto base = signature_base(entry, request);
    if (auto* failure = std::get_if<Error>(&base)) return std::move(*failure);
    if (auto failure = check_covered_digest(entry, request)) return failure;
    const std::string& text = std::get<std::string>(base);
    auto failure = verify_signature_base(text, entry.signature, public_key, std::get<Algorithm>(algorithm));
    if (failure && failure->reason == Reason::invalid_signature) return invalid_signature(entry, failure->detail, text);
    return failure;
}

std::optional<Error> verify_hmac_sha256(const SignatureEntry& entry, const HttpMessage& request,
                                        std::string_view shared_secret) {
    if (entry.alg && *entry.alg != to_string(Algorithm::hmac_sha256))
        return error(Reason::algorithm_mismatch, "alg " + in_quotes(*entry.alg) + " but the key is a shared secret");
    auto base = signature_base(entry, request);
    if (auto* failure = std::get_if<Error>(&base)) return std::move(*failure);
    if (auto failure = check_covered_digest(entry, request)) return failure;
    const std::string& text = std::get<std::string>(base);
    auto mac = hmac_sha256(shared_secret, text);
    if (!mac) return error(Reason::unsupported_algorithm, "hmac-sha256: " + openssl_error());
    if (mac->size() != entry.signature.size() || CRYPTO_memcmp(mac->data(), entry.signature.data(), mac->size()) != 0)
        return invalid_signature(entry, "hmac-sha256 signature does not verify", text);
    return std::nullopt;
}

std::optional<Error> sign_request(HttpMessage& request, const KeyPair& key, const SignOptions& options) {
    const auto algorithm = algorithm_of_key(key.get());
    if (!algorithm) return error(Reason::unsupported_algorithm, "cannot sign with a " + key_type(key.get()) + " key");
    HttpMessage signed_request = request;  // the request changes only once signing has succeeded
    if (!request.body.empty() || (request.method != "GET" && request.method != "HEAD")) {
        auto existing = request.joined("content-digest");
        if (!existing || check_content_digest(*existing, request.body))
            signed_request.set("content-digest", content_digest_sha256(request.body));
    }
    std::string input_field;
    try {
        input_field =
            sf::serialize(sf::Dictionary{{options.label, list_to_sign(signed_request, options, *algorithm), ""}});
    } catch (const std::invalid_argument& e) {
        return error(Reason::invalid_parameter, std::string("cannot sign: ") + e.what());
    }
    // Parsed back with the verifier's own rules, so we never send a signature we would refuse.
    auto entry = parse_entry(std::get<sf::Dictionary>(sf::parse_dictionary(input_field)).front());
    if (auto* failure = std::get_if<Error>(&entry)) return std::move(*failure);
    auto base = signature_base(std::get<SignatureEntry>(entry), signed_request);
    if (auto* failure = std::get_if<Error>(&base)) return std::move(*failure);
    const std::string signature = sign_base(std::get<std::string>(base), key.get(), *algorithm);
    signed_request.set("signature-input", input_field);
    signed_request.set("signature",
                       sf::serialize(sf::Dictionary{{options.label, sf::Item{sf::ByteSequence{signature}, {}}, ""}}));
    request = std::move(signed_request);
    return std::nullopt;
}

}  // namespace fedblog::keys::rfc9421
