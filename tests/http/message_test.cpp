#include "http/message.hpp"

#include <gtest/gtest.h>

using namespace fedblog::http;

TEST(Negotiation, ServersGetActivityJson) {
    EXPECT_EQ(negotiate("application/activity+json"), Representation::activity_json);
    EXPECT_EQ(negotiate("application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\""),
              Representation::activity_json);
    // Mastodon's dereferencing Accept.
    EXPECT_EQ(negotiate("application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\", "
                        "application/activity+json, text/html;q=0.1"),
              Representation::activity_json);
    EXPECT_EQ(negotiate("application/activity+json, application/ld+json"), Representation::activity_json);
}

TEST(Negotiation, BrowsersAndUnknownClientsGetHtml) {
    EXPECT_EQ(negotiate(""), Representation::html);
    EXPECT_EQ(negotiate("*/*"), Representation::html);
    EXPECT_EQ(negotiate("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"), Representation::html);
    EXPECT_EQ(negotiate("application/json"), Representation::html);
    EXPECT_EQ(negotiate("text/html, application/activity+json;q=0.5"), Representation::html);
    EXPECT_EQ(negotiate("application/activity+json;q=0"), Representation::html);
}

TEST(Responses, ActivityJsonCarriesTypeVaryAndLength) {
    Request request{beast_http::verb::get, "/users/blog", 11};
    Response response = activity_json(request, "{}");
    EXPECT_EQ(response[beast_http::field::content_type], "application/activity+json");
    EXPECT_EQ(response[beast_http::field::vary], "Accept");
    EXPECT_EQ(response[beast_http::field::content_length], "2");
}

TEST(Responses, ErrorEscapesMessageForBrowsers) {
    Request request{beast_http::verb::get, "/x", 11};
    Response page = error(request, Status::not_found, "<script>", Representation::html);
    EXPECT_NE(page.body().find("&lt;script&gt;"), std::string::npos);
    EXPECT_EQ(page.body().find("<script>"), std::string::npos);
    Response json = error(request, Status::not_found, "no \"such\" post", Representation::activity_json);
    EXPECT_EQ(json.body(), R"({"error":"no \"such\" post"})");
    EXPECT_EQ(json.result(), Status::not_found);
}

// Found by http_request_fuzz: a POST /inbox whose Content-Type held a byte that is not UTF-8 was answered 500,
// since the 415's message quotes the Content-Type and nlohmann's dump() threw on it.
TEST(Responses, ErrorMessagesThatAreNotUtf8StillMakeJson) {
    Request request{beast_http::verb::post, "/inbox", 11};
    Response json = error(request, Status::unsupported_media_type, "not \"application/\xe6\x30\"",
                          Representation::activity_json);
    EXPECT_EQ(json.result(), Status::unsupported_media_type);
    EXPECT_EQ(json.body(), "{\"error\":\"not \\\"application/\xef\xbf\xbd" "0\\\"\"}");  // U+FFFD, then '0'
}
