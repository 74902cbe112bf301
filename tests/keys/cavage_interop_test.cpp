// Our draft-cavage code against an independent implementation: Joyent's `http-signature` (npm), through
// tests/interop/cavage.js. Needs node on PATH and `npm ci --prefix tests/interop`; fails, never skips,
// without them.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>

#include "keys/cavage.hpp"
#include "keys/digest.hpp"
#include "keys/signature_policy.hpp"
#include "tests/keys/signature_vectors.hpp"
#include "tests/support/temp_dir.hpp"

using namespace fedblog::keys;
using namespace fedblog::testing;
using nlohmann::json;

namespace {

const std::string source_dir = FEDBLOG_SOURCE_DIR;
constexpr std::int64_t signed_at = 1763632801;  // Thu, 20 Nov 2025 10:00:01 GMT

std::string shell_quoted(const std::string& text) {
    std::string out = "'";
    for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

class CavageInterop : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(std::filesystem::exists(source_dir + "/tests/interop/node_modules/http-signature/package.json"))
            << "tests/interop/node_modules is missing: run `npm ci --prefix tests/interop` (needs the Debian packages "
               "nodejs and npm)";
        ASSERT_EQ(std::system("node --version > /dev/null 2>&1"), 0) << "node is not on PATH: apt-get install nodejs";
    }

    // Runs `node tests/interop/cavage.js <command> <input file>` and parses what it prints.
    json node(const std::string& command, const json& input) {
        dir_.write("input.json", input.dump());
        const std::string line = "node " + shell_quoted(source_dir + "/tests/interop/cavage.js") + " " + command + " " +
                                 shell_quoted((dir_ / "input.json").string()) + " 2>&1";
        FILE* pipe = popen(line.c_str(), "r");
        if (!pipe) throw std::runtime_error("popen failed");
        std::string output;
        char buffer[4096];
        while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
        const int status = pclose(pipe);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw std::runtime_error(line + " failed:\n" + output);
        return json::parse(output);
    }

    TempDir dir_;
};

json headers_json(const HttpMessage& message) {
    json headers = json::array();
    for (const auto& [name, value] : message.headers) headers.push_back({name, value});
    return headers;
}

json verify_input(const HttpMessage& message, const std::string& public_key_pem) {
    return {{"method", message.method},
            {"target", message.target},
            {"headers", headers_json(message)},
            {"public_key_pem", public_key_pem}};
}

const KeyPair& our_key() {
    static const KeyPair key = KeyPair::generate_rsa();
    return key;
}

}  // namespace

TEST_F(CavageInterop, NodeVerifiesOurMastodonShapedPost) {
    TestRequest request =
        inbox_post(R"({"@context":"https://www.w3.org/ns/activitystreams","type":"Like","summary":"ünïcödé"})");
    sign_request(request.message, our_key(), "https://example.org/users/blog#main-key",
                 default_covered(request.message), signed_at);
    const json result = node("verify", verify_input(request.message, our_key().public_pem()));
    EXPECT_EQ(result.value("verified", false), true) << result.dump();
    const auto ours = signing_string(
        std::get<CavageSignature>(parse_signature_header(*request.message.joined("signature"))), request.message);
    EXPECT_EQ(result.value("signing_string", ""), std::get<std::string>(ours));
}

TEST_F(CavageInterop, NodeVerifiesOurSignedGetWithQueryAndRepeatedHeader) {
    TestRequest request = inbox_post("");
    request.message.method = "GET";
    request.message.target = "/users/blog/outbox?page=true&min_id=0";
    request.remove("content-type");
    request.message.headers.emplace_back("accept", "application/activity+json");
    request.message.headers.emplace_back("accept",
                                         "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"");
    sign_request(request.message, our_key(), "https://example.org/users/blog#main-key",
                 {"host", "date", "accept", "(request-target)"}, signed_at);
    const json result = node("verify", verify_input(request.message, our_key().public_pem()));
    EXPECT_EQ(result.value("verified", false), true) << result.dump();
    EXPECT_EQ(result.value("signing_string", ""),
              "host: example.org\ndate: Thu, 20 Nov 2025 10:00:01 GMT\naccept: application/activity+json, "
              "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"\n"
              "(request-target): get /users/blog/outbox?page=true&min_id=0");
}

// So that the two tests above could fail: Node must reject a signature that does not verify.
TEST_F(CavageInterop, NodeRejectsOurSignatureWithAnotherKey) {
    TestRequest request = inbox_post();
    sign_request(request.message, our_key(), "k", default_covered(request.message), signed_at);
    const json result = node("verify", verify_input(request.message, read_vector_file("test-key-rsa-pub.pem")));
    EXPECT_EQ(result.value("verified", true), false) << result.dump();
}

TEST_F(CavageInterop, WeVerifyWhatNodeSigns) {
    const std::string private_pem = read_vector_file("mastodon-key.pem");
    const auto public_key = public_key_from_pem(read_vector_file("mastodon-key-pub.pem"));
    TestRequest request = inbox_post();
    request.message.set("date", "Thu, 20 Nov 2025 10:00:01 GMT");
    request.message.set("digest", digest_header(*request.body));
    const std::vector<std::string> covered = {"(request-target)", "host", "date", "digest", "content-type"};
    const json signed_by_node = node("sign", {{"method", "POST"},
                                              {"target", request.message.target},
                                              {"headers", headers_json(request.message)},
                                              {"private_key_pem", private_pem},
                                              {"key_id", "https://m.example/users/alice#main-key"},
                                              {"covered", covered}});
    request.message.set("signature", signed_by_node.at("signature").get<std::string>());

    auto claim = read_signature(request.message, signed_at + 10);
    ASSERT_TRUE(std::holds_alternative<SignatureClaim>(claim)) << std::get<VerificationFailure>(claim).detail;
    EXPECT_EQ(std::get<SignatureClaim>(claim).signing_string, signed_by_node.at("signing_string").get<std::string>());
    const VerificationResult result = verify_signature(std::get<SignatureClaim>(claim), public_key.get());
    EXPECT_TRUE(result.verified()) << result.failure->detail;

    // PKCS#1 v1.5 is deterministic: our signer must produce the very same header.
    TestRequest ours = inbox_post();
    sign_request(ours.message, KeyPair::from_private_pem(private_pem), "https://m.example/users/alice#main-key",
                 covered, signed_at);
    EXPECT_EQ(*ours.message.joined("signature"), signed_by_node.at("signature").get<std::string>());
}

// The design doc asks for the appendix values to be checked by an independent implementation.
TEST_F(CavageInterop, NodeAgreesOnTheAppendixValues) {
    const auto vectors = read_vector_json("appendix-c.json");
    const std::string public_pem = read_vector_file(vectors.at("public_key"));
    for (const auto& c : vectors.at("cases")) {
        TestRequest request = request_from_json(vectors.at("request"));
        request.message.headers.emplace_back("signature", c.at("signature").get<std::string>());
        const json result = node("verify", verify_input(request.message, public_pem));
        EXPECT_EQ(result.value("verified", false), c.at("verifies").get<bool>())
            << c.at("name") << ": " << result.dump();
        if (c.contains("signing_string")) {
            EXPECT_EQ(result.value("signing_string", ""), c.at("signing_string").get<std::string>());
        }
    }
}
