// The RFC 8941 parser on arbitrary field values. Whatever parses must serialize without throwing, and
// the serialization must parse back to the same value and serialize to the same bytes; a strict
// (duplicate-rejecting) parse that succeeds must agree with the lenient one.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "keys/structured_fields.hpp"

using namespace fedblog::keys;

namespace {

void clear_received(sf::List&) {}
void clear_received(sf::Item&) {}
void clear_received(sf::Dictionary& dictionary) {
    for (auto& member : dictionary) member.received.clear();  // raw bytes differ by design
}

template <class T, class Parse>
void check(Parse parse, std::string_view input) {
    auto lenient = parse(input, sf::Duplicates::last_wins);
    auto strict = parse(input, sf::Duplicates::reject);
    auto* value = std::get_if<T>(&lenient);
    if (auto* strict_value = std::get_if<T>(&strict); strict_value && (!value || !(*strict_value == *value)))
        std::abort();
    if (!value) {
        if (std::get<sf::ParseError>(lenient).offset > input.size()) std::abort();
        return;
    }
    const std::string text = sf::serialize(*value);
    auto again = parse(text, sf::Duplicates::reject);  // canonical output has no repeated keys
    auto* reparsed = std::get_if<T>(&again);
    if (!reparsed) std::abort();
    T expected = *value;
    clear_received(expected);
    clear_received(*reparsed);
    if (!(*reparsed == expected) || sf::serialize(*reparsed) != text) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    check<sf::List>([](std::string_view in, sf::Duplicates d) { return sf::parse_list(in, d); }, input);
    check<sf::Dictionary>([](std::string_view in, sf::Duplicates d) { return sf::parse_dictionary(in, d); }, input);
    check<sf::Item>([](std::string_view in, sf::Duplicates d) { return sf::parse_item(in, d); }, input);
    return 0;
}
