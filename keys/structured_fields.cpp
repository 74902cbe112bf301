#include "keys/structured_fields.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <unordered_map>

namespace fedblog::keys::sf {

namespace {

constexpr std::int64_t max_integer = 999'999'999'999'999;
constexpr std::int64_t max_decimal_thousandths = 999'999'999'999'999;  // 12 integer + 3 fraction digits

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_lcalpha(char c) { return c >= 'a' && c <= 'z'; }
bool is_alpha(char c) { return is_lcalpha(c) || (c >= 'A' && c <= 'Z'); }
bool is_tchar(char c) {
    return is_alpha(c) || is_digit(c) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}
bool is_key_start(char c) { return is_lcalpha(c) || c == '*'; }
bool is_key_char(char c) { return is_lcalpha(c) || is_digit(c) || c == '_' || c == '-' || c == '.' || c == '*'; }
bool is_token_start(char c) { return is_alpha(c) || c == '*'; }
bool is_token_char(char c) { return is_tchar(c) || c == ':' || c == '/'; }
bool is_base64_char(char c) { return is_alpha(c) || is_digit(c) || c == '+' || c == '/' || c == '='; }

int base64_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (is_digit(c)) return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

// RFC 8941 §3.3.5: parsers SHOULD accept a missing "=" padding and non-zero pad bits; this one does,
// and rejects everything else (characters after padding, a lone sixth bit group).
bool base64_decode(std::string_view text, std::string& out) {
    std::size_t data_length = text.find('=');
    if (data_length == std::string_view::npos) data_length = text.size();
    for (std::size_t i = data_length; i < text.size(); ++i)
        if (text[i] != '=') return false;
    const std::size_t padding = text.size() - data_length;
    if (padding > 2 || data_length % 4 == 1 || (padding > 0 && (data_length + padding) % 4 != 0)) return false;
    out.clear();
    std::uint32_t buffer = 0;
    int bits = 0;
    for (char c : text.substr(0, data_length)) {
        buffer = (buffer << 6) | static_cast<std::uint32_t>(base64_value(c));
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
        }
    }
    return true;
}

std::string base64_encode(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3), '\0');
    int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(written));
    return out;
}

// The parsing algorithms of RFC 8941 §4.2 in one pass; every failure carries the offset where it was noticed.
class Parser {
public:
    Parser(std::string_view input, Duplicates duplicates) : input_(input), duplicates_(duplicates) {}

    template <class Parse>
    auto top_level(Parse parse) -> std::variant<decltype(parse()), ParseError> {
        for (std::size_t i = 0; i < input_.size(); ++i)
            if (static_cast<unsigned char>(input_[i]) >= 0x80) return error_at(i, "non-ASCII byte");
        skip_sp();
        auto value = parse();
        if (error_) return *error_;
        skip_sp();
        if (!at_end()) return error_at(position_, "unexpected characters after the value");
        return value;
    }

    List list() {
        List members;
        while (!at_end()) {
            members.push_back(item_or_inner_list());
            if (error_) return {};
            skip_ows();
            if (at_end()) return members;
            if (!consume(',')) return fail(List{}, "expected ',' between list members");
            skip_ows();
            if (at_end()) return fail(List{}, "trailing ',' in list");
        }
        return members;
    }

    Dictionary dictionary() {
        Dictionary members;
        std::unordered_map<std::string_view, std::size_t> index;  // a linear search would be quadratic
        while (!at_end()) {
            const std::size_t key_offset = position_;
            const std::string_view key = parse_key();
            if (error_) return {};
            const bool has_value = consume('=');
            const std::size_t value_start = position_;
            Member value = has_value ? item_or_inner_list() : Member(Item{true, parse_parameters()});
            if (error_) return {};
            std::string received(input_.substr(value_start, position_ - value_start));
            if (auto [existing, added] = index.try_emplace(key, members.size()); added) {
                members.push_back({std::string(key), std::move(value), std::move(received)});
            } else if (duplicates_ == Duplicates::reject) {
                return fail(Dictionary{}, ParseError::Kind::duplicate_key, key_offset,
                            "duplicate key \"" + std::string(key) + "\"");
            } else {
                members[existing->second].value = std::move(value);
                members[existing->second].received = std::move(received);
            }
            skip_ows();
            if (at_end()) return members;
            if (!consume(',')) return fail(Dictionary{}, "expected ',' between dictionary members");
            skip_ows();
            if (at_end()) return fail(Dictionary{}, "trailing ',' in dictionary");
        }
        return members;
    }

    Item item() {
        BareItem value = bare_item();
        if (error_) return {};
        return Item{std::move(value), parse_parameters()};
    }

private:
    bool at_end() const { return position_ >= input_.size(); }
    char peek() const { return at_end() ? '\0' : input_[position_]; }
    bool consume(char c) {
        if (at_end() || input_[position_] != c) return false;
        ++position_;
        return true;
    }
    void skip_sp() {
        while (!at_end() && input_[position_] == ' ') ++position_;
    }
    void skip_ows() {
        while (!at_end() && (input_[position_] == ' ' || input_[position_] == '\t')) ++position_;
    }

    ParseError error_at(std::size_t offset, std::string message) const {
        return {ParseError::Kind::syntax, offset, std::move(message)};
    }
    template <class T>
    T fail(T empty, ParseError::Kind kind, std::size_t offset, std::string message) {
        if (!error_) error_ = ParseError{kind, offset, std::move(message)};
        return empty;
    }
    template <class T>
    T fail(T empty, std::string message) {
        return fail(std::move(empty), ParseError::Kind::syntax, position_, std::move(message));
    }

    Member item_or_inner_list() {
        if (peek() == '(') return inner_list();
        return item();
    }

    InnerList inner_list() {
        consume('(');
        InnerList list;
        while (!at_end()) {
            skip_sp();
            if (consume(')')) {
                list.parameters = parse_parameters();
                return list;
            }
            list.items.push_back(item());
            if (error_) return {};
            if (peek() != ' ' && peek() != ')') return fail(InnerList{}, "expected ' ' or ')' in inner list");
        }
        return fail(InnerList{}, "unterminated inner list");
    }

    Parameters parse_parameters() {
        Parameters parameters;
        std::unordered_map<std::string_view, std::size_t> index;
        while (consume(';')) {
            skip_sp();
            const std::size_t key_offset = position_;
            const std::string_view key = parse_key();
            if (error_) return {};
            BareItem value = true;
            if (consume('=')) {
                value = bare_item();
                if (error_) return {};
            }
            if (auto [existing, added] = index.try_emplace(key, parameters.size()); added) {
                parameters.push_back({std::string(key), std::move(value)});
            } else if (duplicates_ == Duplicates::reject) {
                return fail(Parameters{}, ParseError::Kind::duplicate_parameter, key_offset,
                            "duplicate parameter \"" + std::string(key) + "\"");
            } else {
                parameters[existing->second].value = std::move(value);
            }
        }
        return parameters;
    }

    // A view into the input, so it stays valid as long as the parser.
    std::string_view parse_key() {
        if (!is_key_start(peek()) || at_end())
            return fail(std::string_view{}, "expected a key (lower case letter or '*')");
        const std::size_t start = position_;
        while (!at_end() && is_key_char(input_[position_])) ++position_;
        return input_.substr(start, position_ - start);
    }

    BareItem bare_item() {
        const char c = peek();
        if (at_end()) return fail(BareItem{}, "expected a value");
        if (c == '-' || is_digit(c)) return number();
        if (c == '"') return string();
        if (c == ':') return byte_sequence();
        if (c == '?') return boolean();
        if (is_token_start(c)) return token();
        return fail(BareItem{}, std::string("unexpected character '") + c + "'");
    }

    BareItem number() {
        const bool negative = consume('-');
        if (!is_digit(peek()) || at_end()) return fail(BareItem{}, "expected a digit");
        const std::size_t start = position_;
        std::size_t dot = std::string_view::npos;
        while (!at_end()) {
            const char c = input_[position_];
            if (is_digit(c)) {
                ++position_;
            } else if (c == '.' && dot == std::string_view::npos) {
                if (position_ - start > 12) return fail(BareItem{}, "more than 12 integer digits in a decimal");
                dot = position_++;
            } else {
                break;
            }
            if (dot == std::string_view::npos && position_ - start > 15)
                return fail(BareItem{}, "integer longer than 15 digits");
            if (dot != std::string_view::npos && position_ - start > 16)
                return fail(BareItem{}, "decimal longer than 16 characters");
        }
        const std::string_view digits = input_.substr(start, position_ - start);
        const std::int64_t sign = negative ? -1 : 1;
        if (dot == std::string_view::npos) {
            std::int64_t value = 0;
            for (char d : digits) value = value * 10 + (d - '0');
            return sign * value;
        }
        const std::size_t fraction_digits = position_ - dot - 1;
        if (fraction_digits == 0) return fail(BareItem{}, "decimal ends with '.'");
        if (fraction_digits > 3) return fail(BareItem{}, "more than 3 fraction digits in a decimal");
        std::int64_t thousandths = 0;
        for (char d : digits)
            if (d != '.') thousandths = thousandths * 10 + (d - '0');
        for (std::size_t i = fraction_digits; i < 3; ++i) thousandths *= 10;
        return Decimal{sign * thousandths};
    }

    BareItem string() {
        consume('"');
        std::string value;
        while (!at_end()) {
            const char c = input_[position_++];
            if (c == '\\') {
                if (at_end()) return fail(BareItem{}, "unterminated string");
                const char escaped = input_[position_++];
                if (escaped != '"' && escaped != '\\')
                    return fail(BareItem{}, ParseError::Kind::syntax, position_ - 2, "invalid escape in string");
                value.push_back(escaped);
            } else if (c == '"') {
                return value;
            } else if (c < 0x20 || c > 0x7E) {
                return fail(BareItem{}, ParseError::Kind::syntax, position_ - 1, "control character in string");
            } else {
                value.push_back(c);
            }
        }
        return fail(BareItem{}, "unterminated string");
    }

    BareItem token() {
        const std::size_t start = position_;
        while (!at_end() && is_token_char(input_[position_])) ++position_;
        return Token{std::string(input_.substr(start, position_ - start))};
    }

    BareItem byte_sequence() {
        consume(':');
        const std::size_t start = position_;
        const std::size_t end = input_.find(':', start);
        if (end == std::string_view::npos) return fail(BareItem{}, "unterminated byte sequence");
        const std::string_view encoded = input_.substr(start, end - start);
        for (std::size_t i = 0; i < encoded.size(); ++i)
            if (!is_base64_char(encoded[i]))
                return fail(BareItem{}, ParseError::Kind::syntax, start + i, "invalid base64 character");
        ByteSequence bytes;
        if (!base64_decode(encoded, bytes.bytes)) return fail(BareItem{}, "invalid base64 in byte sequence");
        position_ = end + 1;
        return bytes;
    }

    BareItem boolean() {
        consume('?');
        if (consume('1')) return true;
        if (consume('0')) return false;
        return fail(BareItem{}, "expected ?0 or ?1");
    }

    std::string_view input_;
    Duplicates duplicates_;
    std::size_t position_ = 0;
    std::optional<ParseError> error_;
};

[[noreturn]] void unserializable(const std::string& what) { throw std::invalid_argument("structured field: " + what); }

std::string serialize_key(const std::string& key) {
    if (key.empty() || !is_key_start(key[0]) || !std::all_of(key.begin(), key.end(), is_key_char))
        unserializable("invalid key \"" + key + "\"");
    return key;
}

std::string serialize_integer(std::int64_t value) {
    if (value > max_integer || value < -max_integer) unserializable("integer out of range");
    return std::to_string(value);
}

std::string serialize_decimal(Decimal value) {
    if (value.thousandths > max_decimal_thousandths || value.thousandths < -max_decimal_thousandths)
        unserializable("decimal out of range");
    const std::int64_t magnitude = value.thousandths < 0 ? -value.thousandths : value.thousandths;
    std::string out = value.thousandths < 0 ? "-" : "";
    out += std::to_string(magnitude / 1000);
    out += '.';
    std::string fraction = std::to_string(1000 + magnitude % 1000).substr(1);  // three digits
    while (fraction.size() > 1 && fraction.back() == '0') fraction.pop_back();
    return out + fraction;
}

std::string serialize_string(const std::string& value) {
    std::string out = "\"";
    for (char c : value) {
        if (c < 0x20 || c > 0x7E) unserializable("string with a character outside %x20-7E");
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + '"';
}

std::string serialize_token(const Token& token) {
    const std::string& v = token.value;
    if (v.empty() || !is_token_start(v[0]) || !std::all_of(v.begin(), v.end(), is_token_char))
        unserializable("invalid token \"" + v + "\"");
    return v;
}

}  // namespace

std::string ParseError::describe() const { return "at offset " + std::to_string(offset) + ": " + message; }

std::variant<List, ParseError> parse_list(std::string_view field_value, Duplicates duplicates) {
    Parser parser(field_value, duplicates);
    return parser.top_level([&] { return parser.list(); });
}

std::variant<Dictionary, ParseError> parse_dictionary(std::string_view field_value, Duplicates duplicates) {
    Parser parser(field_value, duplicates);
    return parser.top_level([&] { return parser.dictionary(); });
}

std::variant<Item, ParseError> parse_item(std::string_view field_value, Duplicates duplicates) {
    Parser parser(field_value, duplicates);
    return parser.top_level([&] { return parser.item(); });
}

std::string serialize(const BareItem& value) {
    struct Visitor {
        std::string operator()(std::int64_t v) const { return serialize_integer(v); }
        std::string operator()(Decimal v) const { return serialize_decimal(v); }
        std::string operator()(const std::string& v) const { return serialize_string(v); }
        std::string operator()(const Token& v) const { return serialize_token(v); }
        std::string operator()(const ByteSequence& v) const { return ':' + base64_encode(v.bytes) + ':'; }
        std::string operator()(bool v) const { return v ? "?1" : "?0"; }
    };
    return std::visit(Visitor{}, value);
}

std::string serialize(const Parameters& parameters) {
    std::string out;
    for (const auto& [key, value] : parameters) {
        out += ';' + serialize_key(key);
        if (value != BareItem(true)) out += '=' + serialize(value);
    }
    return out;
}

std::string serialize(const Item& item) { return serialize(item.value) + serialize(item.parameters); }

std::string serialize(const InnerList& inner_list) {
    std::string out = "(";
    for (std::size_t i = 0; i < inner_list.items.size(); ++i) {
        if (i) out += ' ';
        out += serialize(inner_list.items[i]);
    }
    return out + ')' + serialize(inner_list.parameters);
}

std::string serialize(const Member& member) {
    return std::visit([](const auto& m) { return serialize(m); }, member);
}

std::string serialize(const List& list) {
    std::string out;
    for (std::size_t i = 0; i < list.size(); ++i) {
        if (i) out += ", ";
        out += serialize(list[i]);
    }
    return out;
}

std::string serialize(const Dictionary& dictionary) {
    std::string out;
    for (std::size_t i = 0; i < dictionary.size(); ++i) {
        if (i) out += ", ";
        const DictionaryMember& member = dictionary[i];
        out += serialize_key(member.key);
        const Item* item = std::get_if<Item>(&member.value);
        if (item && item->value == BareItem(true))
            out += serialize(item->parameters);
        else
            out += '=' + serialize(member.value);
    }
    return out;
}

const DictionaryMember* find(const Dictionary& dictionary, std::string_view key) {
    auto it = std::find_if(dictionary.begin(), dictionary.end(), [&](const auto& m) { return m.key == key; });
    return it == dictionary.end() ? nullptr : &*it;
}

const BareItem* find(const Parameters& parameters, std::string_view key) {
    auto it = std::find_if(parameters.begin(), parameters.end(), [&](const auto& p) { return p.key == key; });
    return it == parameters.end() ? nullptr : &it->value;
}

}  // namespace fedblog::keys::sf
