#include "keys/cavage.hpp"

#include <openssl/err.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <memory>
#include <stdexcept>

#include "common/time.hpp"
#include "keys/fetched_digests.hpp"
#include "keys/qdtext.hpp"
#include "keys/rsa_signer.hpp"
#include "keys/rsa_verifier.hpp"
#include "keys/digest.hpp"

namespace fedblog::keys {

namespace {

constexpr std::string_view request_target = "(request-target)";
constexpr std::string_view created_pseudo_header = "(created)";
constexpr std::string_view expires_pseudo_header = "(expires)";

struct MdCtxDeleter {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

// The primitive an `algorithm` value and a key select together.
enum class Primitive { rsa_pkcs1_sha256, ed25519 };

SignatureError error(SignatureError::Kind kind, std::string detail) { return {kind, std::move(detail)}; }
SignatureError malformed(std::string detail) { return error(SignatureError::Kind::malformed, std::move(detail)); }
// A value echoed in an error detail; long ones are cut, the header may be kilobytes of junk.
std::string in_quotes(std::string_view text) {
    constexpr std::size_t max_echo = 100;
    return "\"" + std::string(text.substr(0, max_echo)) + (text.size() > max_echo ? "...\"" : "\"");
}

std::string key_type_name(EVP_PKEY* key) {
    const char* name = key ? EVP_PKEY_get0_type_name(key) : nullptr;
    return name ? name : "unknown";
}

bool is_ows(char c) { return c == ' ' || c == '\t'; }

// RFC 9110 tchar, by table: every parameter name and header name goes through it.
constexpr std::array<bool, 256> tchars = [] {
    std::array<bool, 256> table{};
    for (int c = 0; c < 256; ++c)
        table[static_cast<std::size_t>(c)] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    for (char c : std::string_view("!#$%&'*+-.^_`|~")) table[static_cast<unsigned char>(c)] = true;
    return table;
}();
bool is_tchar(char c) { return tchars[static_cast<unsigned char>(c)]; }

// The characters a quoted-pair may escape (HTAB, SP, VCHAR, obs-text); qdtext is in keys/qdtext.hpp.
bool is_escapable(unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7f); }

std::string lower_case(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::string_view trim_ows(std::string_view text) {
    while (!text.empty() && is_ows(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_ows(text.back())) text.remove_suffix(1);
    return text;
}

bool is_pseudo_header(std::string_view name) {
    return name == request_target || name == created_pseudo_header || name == expires_pseudo_header;
}

bool is_token(std::string_view text) { return !text.empty() && std::all_of(text.begin(), text.end(), is_tchar); }

struct Parameter {
    std::string_view name;
    std::string_view raw;    // the value as it stands in the header, when it has no escapes (the usual case)
    std::string unescaped;   // the value with its quoted-pairs undone, when it has some
    bool quoted = false;
    bool escaped = false;
    std::string_view value() const { return escaped ? std::string_view(unescaped) : raw; }
};

// auth-param = token BWS "=" BWS ( token / quoted-string ), separated by OWS "," OWS (RFC 9110 §11.2).
// Calls `visit` with each parameter in order as it is read (the Parameter is reused between calls), and
// returns the first syntax error. Nothing is collected, so a well-formed header costs no allocation.
template <typename Visit>
std::optional<SignatureError> split_parameters(std::string_view text, Visit&& visit) {
    std::size_t i = 0;
    auto skip_ows = [&] {
        while (i < text.size() && is_ows(text[i])) ++i;
    };
    auto read_token = [&] {
        const std::size_t start = i;
        while (i < text.size() && is_tchar(text[i])) ++i;
        return text.substr(start, i - start);
    };
    skip_ows();
    if (i == text.size()) return malformed("empty Signature header");
    Parameter parameter;
    while (true) {
        const std::string_view name = read_token();
        if (name.empty()) return malformed("expected a parameter name at offset " + std::to_string(i));
        skip_ows();
        if (i == text.size() || text[i] != '=') return malformed("expected \"=\" after " + in_quotes(name));
        ++i;
        skip_ows();
        parameter.name = name;
        parameter.escaped = false;
        parameter.quoted = i < text.size() && text[i] == '"';
        if (parameter.quoted) {
            ++i;
            const std::size_t start = i;
            while (true) {
                // Plain text in one run: a signature value is ~350 bytes of base64, kept as a view.
                const std::size_t run = i;
                i = skip_qdtext(text, i);
                if (parameter.escaped) parameter.unescaped.append(text.substr(run, i - run));
                if (i == text.size()) return malformed("unterminated quoted value of " + in_quotes(name));
                const auto c = static_cast<unsigned char>(text[i++]);
                if (c == '"') break;
                if (c != '\\') return malformed("control character in the value of " + in_quotes(name));
                if (i == text.size() || !is_escapable(static_cast<unsigned char>(text[i])))
                    return malformed("bad escape in the value of " + in_quotes(name));
                if (!parameter.escaped) {  // the first escape: copy what came before it
                    parameter.escaped = true;
                    parameter.unescaped.assign(text.substr(start, i - 1 - start));
                }
                parameter.unescaped += text[i++];
            }
            if (!parameter.escaped) parameter.raw = text.substr(start, i - 1 - start);
        } else {
            parameter.raw = read_token();
            if (parameter.raw.empty()) return malformed("missing value for " + in_quotes(name));
        }
        visit(parameter);
        skip_ows();
        if (i == text.size()) return std::nullopt;
        if (text[i] != ',') return malformed("expected \",\" after the value of " + in_quotes(name));
        ++i;
        skip_ows();
        if (i == text.size()) return malformed("trailing \",\" in Signature header");
    }
}

std::optional<std::int64_t> parse_timestamp(std::string_view digits) {
    if (digits.empty() || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
    return value;
}

// Reads one draft-12 §2.1 parameter into `out`. Values are quoted strings, except the timestamps, which
// are integers with or without quotes.
std::optional<SignatureError> apply(CavageSignature& out, const Parameter& p) {
    auto require_quoted = [&]() -> std::optional<SignatureError> {
        if (!p.quoted) return malformed(in_quotes(p.name) + " must be a quoted string");
        return std::nullopt;
    };
    if (p.name == "keyId") {
        if (auto e = require_quoted()) return e;
        if (p.value().empty()) return malformed("keyId is empty");
        out.key_id = p.value();
    } else if (p.name == "algorithm") {
        if (auto e = require_quoted()) return e;
        if (p.value() != "rsa-sha256" && p.value() != "hs2019")
            return error(SignatureError::Kind::unsupported_algorithm, "unsupported algorithm " + in_quotes(p.value()));
        out.algorithm = p.value();
    } else if (p.name == "headers") {
        if (auto e = require_quoted()) return e;
        // Names separated by spaces or tabs: counted first, so the list is allocated once.
        const std::string_view list = p.value();
        std::size_t names = 0;
        for (std::size_t i = 0; i < list.size(); ++i)
            names += !is_ows(list[i]) && (i == 0 || is_ows(list[i - 1]));
        if (names == 0) return malformed("headers is empty");
        out.headers.reserve(names);
        for (std::size_t i = 0; i < list.size();) {
            if (is_ows(list[i])) {
                ++i;
                continue;
            }
            const std::size_t start = i;
            while (i < list.size() && !is_ows(list[i])) ++i;
            std::string name = lower_case(list.substr(start, i - start));
            if (name.front() == '(' ? !is_pseudo_header(name) : !is_token(name))
                return malformed("unsupported header name " + in_quotes(name) + " in headers");
            out.headers.push_back(std::move(name));
        }
    } else if (p.name == "signature") {
        if (auto e = require_quoted()) return e;
        auto bytes = base64_decode(p.value());
        if (!bytes || bytes->empty()) return malformed("signature is not valid base64");
        out.signature = std::move(*bytes);
    } else if (p.name == "created" || p.name == "expires") {
        auto value = parse_timestamp(p.value());
        if (!value) return malformed(std::string(p.name) + " is not an integer timestamp: " + in_quotes(p.value()));
        (p.name == "created" ? out.created : out.expires) = value;
    }
    return std::nullopt;  // other parameters are extensions: ignored, as the draft asks
}

std::variant<Primitive, SignatureError> select_primitive(const std::optional<std::string>& algorithm, EVP_PKEY* key) {
    // The type as a number: EVP_PKEY_is_a compares names through the provider's name map, under a lock
    // that every verifying thread shares.
    const int type = key ? EVP_PKEY_get_base_id(key) : EVP_PKEY_NONE;
    const bool rsa = type == EVP_PKEY_RSA;
    const bool ed25519 = type == EVP_PKEY_ED25519;
    auto key_type = [&] { return key ? key_type_name(key) : std::string("no"); };
    if (algorithm && *algorithm == "rsa-sha256") {
        if (rsa) return Primitive::rsa_pkcs1_sha256;
        return error(SignatureError::Kind::key_type_mismatch, "algorithm rsa-sha256 with " + key_type() + " key");
    }
    if (!algorithm || *algorithm == "hs2019") {
        if (rsa) return Primitive::rsa_pkcs1_sha256;  // hs2019 in the fediverse: RSASSA-PKCS1-v1_5 SHA-256
        if (ed25519) return Primitive::ed25519;
        return error(SignatureError::Kind::key_type_mismatch, "hs2019 with " + key_type() + " key is not supported");
    }
    return error(SignatureError::Kind::unsupported_algorithm, "unsupported algorithm " + in_quotes(*algorithm));
}

// Ed25519 hashes internally: no digest is named for it.
const EVP_MD* message_digest(Primitive primitive) {
    return primitive == Primitive::rsa_pkcs1_sha256 ? sha256_digest() : nullptr;
}

std::vector<unsigned char> sign_bytes(EVP_PKEY* key, Primitive primitive, std::string_view data) {
    if (primitive == Primitive::rsa_pkcs1_sha256) return sign_rsa_pkcs1_sha256(key, data);
    MdCtxPtr ctx(EVP_MD_CTX_new());
    const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
    std::size_t length = 0;
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, message_digest(primitive), nullptr, key) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &length, bytes, data.size()) != 1)
        throw std::runtime_error("signing: " + openssl_error());
    std::vector<unsigned char> signature(length);
    if (EVP_DigestSign(ctx.get(), signature.data(), &length, bytes, data.size()) != 1)
        throw std::runtime_error("signing: " + openssl_error());
    signature.resize(length);
    return signature;
}

bool verify_bytes(EVP_PKEY* key, Primitive primitive, std::string_view data,
                  const std::vector<unsigned char>& signature) {
    if (primitive == Primitive::rsa_pkcs1_sha256)
        return verify_rsa_pkcs1_sha256(
            key, data, {reinterpret_cast<const char*>(signature.data()), signature.size()});
    MdCtxPtr ctx(EVP_MD_CTX_new());
    const bool verified = ctx &&
                          EVP_DigestVerifyInit(ctx.get(), nullptr, message_digest(primitive), nullptr, key) == 1 &&
                          EVP_DigestVerify(ctx.get(), signature.data(), signature.size(),
                                           reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
    if (!verified) ERR_clear_error();  // a wrong-length signature leaves errors behind; they are not ours to report
    return verified;
}

// Appends the value a covered name stands for in this message to `out`.
std::optional<SignatureError> append_covered_value(std::string& out, const CavageSignature& signature,
                                                   const HttpMessage& message, const std::string& name) {
    if (name == request_target) {
        for (char c : message.method) out += c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
        out += ' ';
        out += message.target;
        return std::nullopt;
    }
    if (name == created_pseudo_header || name == expires_pseudo_header) {
        // draft-12 §2.3: these exist for hs2019 only.
        if (signature.algorithm && *signature.algorithm == "rsa-sha256")
            return malformed(in_quotes(name) + " cannot be covered with algorithm rsa-sha256");
        const auto& value = name == created_pseudo_header ? signature.created : signature.expires;
        if (!value)
            return malformed(in_quotes(name) + " is covered but the " + name.substr(1, name.size() - 2) +
                             " parameter is missing");
        out += std::to_string(*value);
        return std::nullopt;
    }
    if (name.empty() || name.front() == '(') return malformed("unsupported header name " + in_quotes(name));
    bool found = false;
    for (const auto& [header, value] : message.headers) {
        if (header != name) continue;
        if (found) out += ", ";
        out += trim_ows(value);
        found = true;
    }
    if (!found) {
        // The Host header is the authority; a message built without it still knows it.
        if (name == "host" && !message.authority.empty()) {
            out += message.authority;
            return std::nullopt;
        }
        return error(SignatureError::Kind::missing_header, "missing header " + in_quotes(name));
    }
    return std::nullopt;
}

// Key ids are URLs: sent as they are, without escapes, which not every verifier undoes.
void require_plain_quotable(std::string_view key_id) {
    if (key_id.empty()) throw std::invalid_argument("empty key id");
    for (char c : key_id)
        if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            throw std::invalid_argument("key id cannot be sent in a quoted string: " + std::string(key_id));
}

}  // namespace

std::variant<CavageSignature, SignatureError> parse_signature_header(std::string_view value) {
    static constexpr std::string_view known[] = {"keyId", "algorithm", "headers", "signature", "created", "expires"};
    constexpr unsigned headers_bit = 1u << 2;
    CavageSignature out;
    unsigned seen = 0;  // bit i: known[i] was given
    // The first duplicate or bad value. Reported only once the whole header has parsed: a syntax error
    // anywhere in it is the answer first.
    std::optional<SignatureError> invalid;
    auto syntax_error = split_parameters(value, [&](const Parameter& p) {
        if (invalid) return;
        const auto* found = std::find(std::begin(known), std::end(known), p.name);
        if (found != std::end(known)) {
            // draft-12 §2.2: a duplicated parameter means the signature must not be processed.
            const unsigned bit = 1u << (found - std::begin(known));
            if (seen & bit) {
                invalid = error(SignatureError::Kind::duplicate_parameter, "duplicate parameter " + in_quotes(p.name));
                return;
            }
            seen |= bit;
        }
        invalid = apply(out, p);
    });
    if (syntax_error) return std::move(*syntax_error);
    if (invalid) return std::move(*invalid);
    if (out.key_id.empty()) return malformed("missing parameter \"keyId\"");
    if (out.signature.empty()) return malformed("missing parameter \"signature\"");
    if (!(seen & headers_bit))
        out.headers = {out.algorithm == "rsa-sha256" ? "date" : std::string(created_pseudo_header)};
    return out;
}

std::variant<std::string, SignatureError> signing_string(const CavageSignature& signature, const HttpMessage& message) {
    if (signature.headers.empty()) return malformed("no header is covered");
    std::string out;
    out.reserve(512);  // a Mastodon POST's signing string is about 300 bytes: one allocation
    for (const std::string& name : signature.headers) {
        if (!out.empty()) out += '\n';
        out += name;
        out += ": ";
        const std::size_t value_start = out.size();
        if (auto e = append_covered_value(out, signature, message, name)) return std::move(*e);
        // A line break would let one header forge the lines after it. (A plain loop: find_first_of calls
        // memchr on its set once per character.)
        for (std::size_t i = value_start; i < out.size(); ++i)
            if (out[i] == '\r' || out[i] == '\n') return malformed(in_quotes(name) + " contains a line break");
    }
    return out;
}

std::optional<SignatureError> verify_signature_bytes(const CavageSignature& signature, std::string_view signing_string,
                                                     EVP_PKEY* public_key) {
    auto primitive = select_primitive(signature.algorithm, public_key);
    if (auto* e = std::get_if<SignatureError>(&primitive)) return std::move(*e);
    if (verify_bytes(public_key, std::get<Primitive>(primitive), signing_string, signature.signature))
        return std::nullopt;
    return error(SignatureError::Kind::bad_signature,
                 "signature does not verify with the key " + in_quotes(signature.key_id) + " (" +
                     signature.algorithm.value_or("hs2019") + ", " + key_type_name(public_key) + " key)");
}

std::vector<std::string> default_covered(const HttpMessage& request) {
    std::vector<std::string> covered{std::string(request_target), "host", "date"};
    if (!request.body.empty() || request.method == "POST") covered.emplace_back("digest");
    if (request.count("content-type") != 0) covered.emplace_back("content-type");
    return covered;
}

void sign_request(HttpMessage& request, const KeyPair& key, std::string_view key_id, std::vector<std::string> covered,
                  std::int64_t now, const std::optional<Sha256>& body_sha256) {
    require_plain_quotable(key_id);
    CavageSignature signature;
    signature.key_id = key_id;
    for (std::string& name : covered) {
        name = lower_case(name);
        if (name.empty() || (name.front() == '(' ? !is_pseudo_header(name) : !is_token(name)))
            throw std::invalid_argument("cannot sign " + in_quotes(name));
        if (name == expires_pseudo_header)
            throw std::invalid_argument("(expires) needs an expiry, which is not supported");
    }
    if (covered.empty()) throw std::invalid_argument("nothing to sign");
    const bool uses_created = std::find(covered.begin(), covered.end(), created_pseudo_header) != covered.end();
    // Mastodon names rsa-sha256; (created) exists only under hs2019, which is also the only name for Ed25519.
    signature.algorithm = EVP_PKEY_is_a(key.get(), "RSA") && !uses_created ? "rsa-sha256" : "hs2019";
    if (uses_created) signature.created = now;
    signature.headers = std::move(covered);
    auto primitive = select_primitive(signature.algorithm, key.get());
    if (auto* e = std::get_if<SignatureError>(&primitive)) throw std::invalid_argument(e->detail);

    request.set("date", format_http_date(now));
    if (!request.body.empty() || request.method == "POST")
        request.set("digest", body_sha256 ? digest_header(*body_sha256) : digest_header(request.body));
    auto text = signing_string(signature, request);
    if (auto* e = std::get_if<SignatureError>(&text)) throw std::invalid_argument(e->detail);
    const auto bytes = sign_bytes(key.get(), std::get<Primitive>(primitive), std::get<std::string>(text));

    std::string joined_headers;
    for (const std::string& name : signature.headers) joined_headers += (joined_headers.empty() ? "" : " ") + name;
    std::string header = "keyId=\"" + std::string(key_id) + "\",algorithm=\"" + *signature.algorithm + "\"";
    if (signature.created) header += ",created=" + std::to_string(*signature.created);
    header += ",headers=\"" + joined_headers + "\",signature=\"" + base64_encode(bytes) + "\"";
    request.set("signature", std::move(header));
}

}  // namespace fedblog::keys
