#include "tests/support/test_ca.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <boost/asio/ip/address.hpp>
#include <stdexcept>

namespace fedblog::testing {

namespace {

struct KeyFree {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct CertificateFree {
    void operator()(X509* certificate) const { X509_free(certificate); }
};
struct BioFree {
    void operator()(BIO* bio) const { BIO_free(bio); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Certificate = std::unique_ptr<X509, CertificateFree>;

void check(bool ok, const char* what) {
    if (!ok) throw std::runtime_error(std::string("test CA: ") + what);
}

Key new_key() {
    Key key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    check(key != nullptr, "key generation");
    return key;
}

void add_extension(X509* certificate, X509* issuer, int nid, const std::string& value) {
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
    check(extension != nullptr, "extension");
    X509_add_ext(certificate, extension, -1);
    X509_EXTENSION_free(extension);
}

// Subject and key filled in; the caller adds extensions, then signs. issuer null: self-signed.
Certificate new_certificate(const std::string& common_name, EVP_PKEY* key, X509* issuer) {
    static std::atomic<long> serial{1};
    Certificate certificate(X509_new());
    X509_set_version(certificate.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(certificate.get()), serial++);
    X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(certificate.get()), 24 * 3600);
    X509_set_pubkey(certificate.get(), key);
    X509_NAME* subject = X509_get_subject_name(certificate.get());
    X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(common_name.c_str()),
                               -1, -1, 0);
    X509_set_issuer_name(certificate.get(), issuer ? X509_get_subject_name(issuer) : subject);
    return certificate;
}

template <typename Write>
std::string to_pem(Write write) {
    std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
    check(write(bio.get()) == 1, "PEM encoding");
    char* data = nullptr;
    long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

}  // namespace

struct TestCa::Keys {
    Key key;
    Certificate certificate;
};

TestCa::TestCa(const std::string& name) : keys_(std::make_unique<Keys>()) {
    keys_->key = new_key();
    keys_->certificate = new_certificate(name, keys_->key.get(), nullptr);
    X509* ca = keys_->certificate.get();
    add_extension(ca, ca, NID_basic_constraints, "critical,CA:TRUE");
    add_extension(ca, ca, NID_key_usage, "critical,keyCertSign,cRLSign");
    add_extension(ca, ca, NID_subject_key_identifier, "hash");
    check(X509_sign(ca, keys_->key.get(), EVP_sha256()) > 0, "signing the CA");
    certificate_pem_ = to_pem([ca](BIO* bio) { return PEM_write_bio_X509(bio, ca); });
}

TestCa::~TestCa() = default;

IssuedCertificate TestCa::issue(const std::vector<std::string>& names) const {
    check(!names.empty(), "a certificate needs a name");
    Key key = new_key();
    Certificate certificate = new_certificate(names.front(), key.get(), keys_->certificate.get());
    std::string alternative_names;
    for (const auto& name : names) {
        boost::system::error_code not_an_address;
        boost::asio::ip::make_address(name, not_an_address);
        alternative_names +=
            (alternative_names.empty() ? "" : ",") + std::string(not_an_address ? "DNS:" : "IP:") + name;
    }
    X509* leaf = certificate.get();
    X509* ca = keys_->certificate.get();
    add_extension(leaf, ca, NID_basic_constraints, "critical,CA:FALSE");
    add_extension(leaf, ca, NID_key_usage, "critical,digitalSignature");
    add_extension(leaf, ca, NID_ext_key_usage, "serverAuth");
    add_extension(leaf, ca, NID_subject_alt_name, alternative_names);
    add_extension(leaf, ca, NID_authority_key_identifier, "keyid");
    check(X509_sign(leaf, keys_->key.get(), EVP_sha256()) > 0, "signing a certificate");
    return {to_pem([leaf](BIO* bio) { return PEM_write_bio_X509(bio, leaf); }), to_pem([&key](BIO* bio) {
                return PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
            })};
}

}  // namespace fedblog::testing
