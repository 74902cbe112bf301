#include "keys/structured_fields.hpp"

#include <gtest/gtest.h>

using namespace fedblog::keys;

namespace {

struct RoundTrip {
    std::string_view input;
    std::string_view canonical;
};

template <class T>
std::string canonical(const std::variant<T, sf::ParseError>& parsed) {
    if (auto* error = std::get_if<sf::ParseError>(&parsed)) return "error " + error->describe();
    return sf::serialize(std::get<T>(parsed));
}

template <class T>
sf::ParseError failure(const std::variant<T, sf::ParseError>& parsed) {
    auto* error = std::get_if<sf::ParseError>(&parsed);
    return error ? *error : sf::ParseError{sf::ParseError::Kind::syntax, 0, "parsed"};
}

}  // namespace

TEST(StructuredFields, ListsSerializeCanonically) {
    const RoundTrip cases[] = {
        {"1, 42, -7", "1, 42, -7"},
        {"999999999999999, -999999999999999", "999999999999999, -999999999999999"},
        {"4.5, -0.25, 1.000, 123456789012.123, -0.0", "4.5, -0.25, 1.0, 123456789012.123, 0.0"},
        {R"("a \"b\" \\ c", "")", R"("a \"b\" \\ c", "")"},
        {"foo123/456, *abc:def, text/html", "foo123/456, *abc:def, text/html"},
        {":cHJldGVuZCB0aGlzIGlzIGJpbmFyeSBjb250ZW50Lg==:, ::", ":cHJldGVuZCB0aGlzIGlzIGJpbmFyeSBjb250ZW50Lg==:, ::"},
        {":aGk:", ":aGk=:"},  // RFC 8941 §4.2.7: missing padding is accepted
        {"?1, ?0", "?1, ?0"},
        {"abc;a=1;b=2; cde_456, text/html;q=1.0", "abc;a=1;b=2;cde_456, text/html;q=1.0"},
        {"a;b=?1;c=?0", "a;b;c=?0"},
        {R"(("foo" "bar");lvl=5, ("baz"), ())", R"(("foo" "bar");lvl=5, ("baz"), ())"},
        {"(  1   2 ), (\"x\";a )", "(1 2), (\"x\";a)"},
        {"  1 ,\t2\t,  3  ", "1, 2, 3"},
        {"", ""},
    };
    for (const auto& [input, expected] : cases) {
        auto parsed = sf::parse_list(input);
        EXPECT_EQ(canonical(parsed), expected) << input;
        EXPECT_EQ(canonical(sf::parse_list(canonical(parsed))), expected) << "second round of " << input;
    }
}

TEST(StructuredFields, DictionariesSerializeCanonicallyAndKeepWhatWasReceived) {
    auto parsed = sf::parse_dictionary(R"(sig1=(  "@method"   "@path" );created=1 ,  b, c;foo=bar,d=?0, e=:AAA=:)");
    ASSERT_TRUE(std::holds_alternative<sf::Dictionary>(parsed)) << failure(parsed).describe();
    const auto& dictionary = std::get<sf::Dictionary>(parsed);
    EXPECT_EQ(sf::serialize(dictionary), R"(sig1=("@method" "@path");created=1, b, c;foo=bar, d=?0, e=:AAA=:)");
    ASSERT_EQ(dictionary.size(), 5u);
    EXPECT_EQ(dictionary[0].received, R"((  "@method"   "@path" );created=1)");
    EXPECT_EQ(sf::serialize(dictionary[0].value), R"(("@method" "@path");created=1)");
    EXPECT_EQ(dictionary[1].received, "");
    EXPECT_EQ(dictionary[2].received, ";foo=bar");
    EXPECT_EQ(dictionary[4].received, ":AAA=:");
    ASSERT_NE(sf::find(dictionary, "c"), nullptr);
    const sf::BareItem* foo = sf::find(std::get<sf::Item>(sf::find(dictionary, "c")->value).parameters, "foo");
    ASSERT_NE(foo, nullptr);
    EXPECT_EQ(*foo, sf::BareItem(sf::Token{"bar"}));
    EXPECT_EQ(sf::find(dictionary, "z"), nullptr);
}

TEST(StructuredFields, ItemsCarryTypedValues) {
    auto parsed = sf::parse_item(R"(  "hello";n=-12;d=1.5;t=tok;b=:aGk=:;f=?0  )");
    ASSERT_TRUE(std::holds_alternative<sf::Item>(parsed)) << failure(parsed).describe();
    const sf::Item& item = std::get<sf::Item>(parsed);
    EXPECT_EQ(item.value, sf::BareItem(std::string("hello")));
    const sf::Parameters expected{{"n", std::int64_t{-12}},
                                  {"d", sf::Decimal{1500}},
                                  {"t", sf::Token{"tok"}},
                                  {"b", sf::ByteSequence{"hi"}},
                                  {"f", false}};
    EXPECT_EQ(item.parameters, expected);
}

TEST(StructuredFields, MalformedValuesFailWithTheirPosition) {
    struct Case {
        std::string_view input;
        std::size_t offset;
        std::string_view message;
    };
    const Case cases[] = {
        {"1,", 2, "trailing ','"},
        {"1 2", 2, "expected ','"},
        {",1", 0, "unexpected character ','"},
        {R"("unterminated)", 13, "unterminated string"},
        {R"("bad \q")", 5, "invalid escape"},
        {"\"tab\there\"", 4, "control character"},
        {"1234567890123456", 16, "longer than 15 digits"},
        {"1.1234", 6, "more than 3 fraction digits"},
        {"1.", 2, "ends with '.'"},
        {"1234567890123.1", 13, "more than 12 integer digits"},
        {"-", 1, "expected a digit"},
        {"?2", 1, "expected ?0 or ?1"},
        {":abc", 1, "unterminated byte sequence"},
        {":a*b:", 2, "invalid base64 character"},
        {":a===:", 1, "invalid base64"},
        {"(1 2", 4, "expected ' ' or ')'"},
        {"(1,2)", 2, "expected ' ' or ')'"},
        {"a;B=1", 2, "expected a key"},
        {"\t1", 0, "unexpected character '\t'"},
        {"caf\xc3\xa9", 3, "non-ASCII"},
        {"@x", 0, "unexpected character '@'"},
    };
    for (const auto& [input, offset, message] : cases) {
        const sf::ParseError error = failure(sf::parse_list(input));
        EXPECT_EQ(error.kind, sf::ParseError::Kind::syntax) << input;
        EXPECT_EQ(error.offset, offset) << input << ": " << error.describe();
        EXPECT_NE(error.message.find(message), std::string::npos) << input << ": " << error.describe();
    }
    EXPECT_NE(failure(sf::parse_dictionary("Abc=1")).message.find("expected a key"), std::string::npos);
    EXPECT_NE(failure(sf::parse_dictionary("a=1 b=2")).message.find("expected ','"), std::string::npos);
    EXPECT_NE(failure(sf::parse_item("1, 2")).message.find("unexpected characters"), std::string::npos);
}

TEST(StructuredFields, RepeatedKeysLastWinsUnlessRejected) {
    auto lenient = sf::parse_dictionary("a=1, b=2, a=3");
    EXPECT_EQ(canonical(lenient), "a=3, b=2");  // RFC 8941: the last value, at the first position
    const sf::ParseError strict = failure(sf::parse_dictionary("a=1, b=2, a=3", sf::Duplicates::reject));
    EXPECT_EQ(strict.kind, sf::ParseError::Kind::duplicate_key);
    EXPECT_EQ(strict.offset, 10u);
    EXPECT_EQ(strict.describe(), "at offset 10: duplicate key \"a\"");

    EXPECT_EQ(canonical(sf::parse_item("1;x=1;y;x=2")), "1;x=2;y");
    const sf::ParseError parameter = failure(sf::parse_item("1;x=1;y;x=2", sf::Duplicates::reject));
    EXPECT_EQ(parameter.kind, sf::ParseError::Kind::duplicate_parameter);
    EXPECT_EQ(parameter.describe(), "at offset 8: duplicate parameter \"x\"");
    EXPECT_EQ(failure(sf::parse_list("(1;a;a)", sf::Duplicates::reject)).kind,
              sf::ParseError::Kind::duplicate_parameter);
    EXPECT_EQ(failure(sf::parse_dictionary("k=();p;p", sf::Duplicates::reject)).kind,
              sf::ParseError::Kind::duplicate_parameter);
}

TEST(StructuredFields, ValuesWithoutASerializationThrow) {
    EXPECT_THROW(sf::serialize(sf::BareItem(std::string("a\nb"))), std::invalid_argument);
    EXPECT_THROW(sf::serialize(sf::BareItem(std::int64_t{1'000'000'000'000'000})), std::invalid_argument);
    EXPECT_THROW(sf::serialize(sf::BareItem(sf::Decimal{1'000'000'000'000'000})), std::invalid_argument);
    EXPECT_THROW(sf::serialize(sf::BareItem(sf::Token{"1abc"})), std::invalid_argument);
    EXPECT_THROW(sf::serialize(sf::BareItem(sf::Token{""})), std::invalid_argument);
    EXPECT_THROW(sf::serialize(sf::Parameters{{"Key", true}}), std::invalid_argument);
    EXPECT_THROW(sf::serialize(sf::Dictionary{{"", sf::Item{std::int64_t{1}, {}}, ""}}), std::invalid_argument);
    EXPECT_EQ(sf::serialize(sf::BareItem(sf::Decimal{-250})), "-0.25");
    EXPECT_EQ(sf::serialize(sf::BareItem(sf::Decimal{0})), "0.0");
    EXPECT_EQ(sf::serialize(sf::BareItem(sf::ByteSequence{std::string("\xff\x00\x01", 3)})), ":/wAB:");
}
