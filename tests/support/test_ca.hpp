#pragma once
// A certificate authority made in memory with OpenSSL, for TLS tests: it issues server certificates for any
// names, so a client that trusts certificate_pem() can verify them like real ones.
#include <memory>
#include <string>
#include <vector>

namespace fedblog::testing {

struct IssuedCertificate {
    std::string certificate_pem;
    std::string private_key_pem;
};

class TestCa {
public:
    explicit TestCa(const std::string& name = "fedblog test CA");
    ~TestCa();
    TestCa(const TestCa&) = delete;
    TestCa& operator=(const TestCa&) = delete;

    const std::string& certificate_pem() const { return certificate_pem_; }
    // A server certificate valid for a day; names are DNS names, or IP addresses such as "127.0.0.1".
    IssuedCertificate issue(const std::vector<std::string>& names) const;

private:
    struct Keys;
    std::unique_ptr<Keys> keys_;
    std::string certificate_pem_;
};

}  // namespace fedblog::testing
