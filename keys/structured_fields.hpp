#pragma once
// RFC 8941 Structured Field Values: the strict parser and the canonical serializer that RFC 9421
// (Signature-Input, Signature) and RFC 9530 (Content-Digest) are built on.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace fedblog::keys::sf {

struct Token {
    std::string value;
    bool operator==(const Token&) const = default;
};
struct ByteSequence {
    std::string bytes;  // decoded
    bool operator==(const ByteSequence&) const = default;
};
// Exact, so parse → serialize → parse is stable: RFC 8941 decimals have at most three fraction digits.
struct Decimal {
    std::int64_t thousandths;
    bool operator==(const Decimal&) const = default;
};

// Integer, Decimal, String, Token, Byte Sequence, Boolean.
using BareItem = std::variant<std::int64_t, Decimal, std::string, Token, ByteSequence, bool>;

struct Parameter {
    std::string key;
    BareItem value;
    bool operator==(const Parameter&) const = default;
};
using Parameters = std::vector<Parameter>;  // in received order

struct Item {
    BareItem value;
    Parameters parameters;
    bool operator==(const Item&) const = default;
};
struct InnerList {
    std::vector<Item> items;
    Parameters parameters;
    bool operator==(const InnerList&) const = default;
};
using Member = std::variant<Item, InnerList>;
using List = std::vector<Member>;

struct DictionaryMember {
    std::string key;
    Member value;
    // The member's value exactly as received (after "key=", without the surrounding whitespace), for
    // diagnostics: a signature base is built from the canonical serialization, not from these bytes.
    std::string received;
    bool operator==(const DictionaryMember&) const = default;
};
using Dictionary = std::vector<DictionaryMember>;  // in received order, keys unique

// RFC 8941 lets a repeated dictionary key or parameter silently replace the earlier value. A signature
// verifier must not: two "sig1" labels or two `created` parameters are an attack or a bug, so it asks
// for `reject`.
enum class Duplicates { last_wins, reject };

struct ParseError {
    enum class Kind { syntax, duplicate_key, duplicate_parameter };
    Kind kind;
    std::size_t offset;  // into the field value
    std::string message;
    std::string describe() const;  // "at offset 12: expected ',' between list members"
};

std::variant<List, ParseError> parse_list(std::string_view field_value, Duplicates = Duplicates::last_wins);
std::variant<Dictionary, ParseError> parse_dictionary(std::string_view field_value, Duplicates = Duplicates::last_wins);
std::variant<Item, ParseError> parse_item(std::string_view field_value, Duplicates = Duplicates::last_wins);

// Canonical serialization (RFC 8941 §4.1). Parsed values always serialize; a value built in code that
// has no serialization (an integer beyond 15 digits, a string with a control character, an invalid
// token or key) throws std::invalid_argument.
std::string serialize(const BareItem& value);
std::string serialize(const Parameters& parameters);
std::string serialize(const Item& item);
std::string serialize(const InnerList& inner_list);
std::string serialize(const Member& member);
std::string serialize(const List& list);
std::string serialize(const Dictionary& dictionary);

const DictionaryMember* find(const Dictionary& dictionary, std::string_view key);
const BareItem* find(const Parameters& parameters, std::string_view key);

}  // namespace fedblog::keys::sf
