// Digest header checks and strict base64 on arbitrary bytes. Input: a Digest header value, "\n", the body.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "keys/digest.hpp"

using namespace fedblog::keys;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::size_t newline = input.find('\n');
    const std::string_view header = input.substr(0, newline);
    const std::string_view body = newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);

    (void)to_string(check_digest_header(header, body));
    if (check_digest_header(digest_header(body), body) != DigestCheck::ok) std::abort();

    // Strict base64 means one spelling per value: whatever decodes re-encodes to the same text.
    if (auto decoded = base64_decode(input))
        if (base64_encode(*decoded) != input) std::abort();
    const std::string encoded = base64_encode({data, size});
    const auto round_trip = base64_decode(encoded);
    if (!round_trip || round_trip->size() != size || !std::equal(round_trip->begin(), round_trip->end(), data))
        std::abort();
    return 0;
}
