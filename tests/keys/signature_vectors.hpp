#pragma once
// Loads the signature vectors under tests/vectors/cavage/ into HttpMessages; builds requests and keys for tests.
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <nlohmann/json.hpp>

#include <cctype>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>

#include "keys/http_message.hpp"
#include "keys/key_pair.hpp"

namespace fedblog::testing {

inline std::string read_vector_file(const std::string& name) {
    std::ifstream in(std::string(FEDBLOG_SOURCE_DIR) + "/tests/vectors/cavage/" + name, std::ios::binary);
    if (!in) throw std::runtime_error("missing vector file " + name);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

inline nlohmann::json read_vector_json(const std::string& name) {
    return nlohmann::json::parse(read_vector_file(name));
}

// A fresh key of any OpenSSL type: generate_key("ED25519"), generate_key("EC", "P-256").
inline keys::KeyPair generate_key(const char* type, const char* parameter = nullptr) {
    keys::EvpPkeyPtr key(parameter ? EVP_PKEY_Q_keygen(nullptr, nullptr, type, parameter)
                                   : EVP_PKEY_Q_keygen(nullptr, nullptr, type));
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio.get(), &data);
    return keys::KeyPair::from_private_pem(std::string_view(data, static_cast<std::size_t>(length)));
}

// A request that owns its body: HttpMessage::body only views it, so the bytes live on the heap and
// survive moves of the TestRequest.
struct TestRequest {
    std::shared_ptr<std::string> body = std::make_shared<std::string>();
    keys::HttpMessage message;

    void set_body(std::string bytes) {
        body = std::make_shared<std::string>(std::move(bytes));
        message.body = *body;
    }
    void remove(std::string_view lower_case_name) {
        std::erase_if(message.headers, [&](const auto& header) { return header.first == lower_case_name; });
    }
};

// {method, target, authority, headers: [[name, value], ...], body}; header names are lower-cased as
// HttpMessage expects.
inline TestRequest request_from_json(const nlohmann::json& json) {
    TestRequest request;
    request.message.method = json.at("method");
    request.message.scheme = "https";
    request.message.authority = json.at("authority");
    request.message.target = json.at("target");
    for (const auto& header : json.at("headers")) {
        std::string name = header.at(0);
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        request.message.headers.emplace_back(std::move(name), header.at(1).get<std::string>());
    }
    request.set_body(json.value("body", ""));
    return request;
}

// A POST as Mastodon would deliver it to our inbox, unsigned.
inline TestRequest inbox_post(
    std::string body = R"({"@context":"https://www.w3.org/ns/activitystreams","type":"Follow"})") {
    TestRequest request;
    request.message.method = "POST";
    request.message.scheme = "https";
    request.message.authority = "example.org";
    request.message.target = "/users/blog/inbox";
    request.message.headers = {{"host", "example.org"}, {"content-type", "application/activity+json"}};
    request.set_body(std::move(body));
    return request;
}

}  // namespace fedblog::testing
