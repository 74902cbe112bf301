// The checker the page and feed tests rely on must itself reject what it is there to catch.
#include "markup_check.hpp"

#include <gtest/gtest.h>

using namespace fedblog::web::testing;

TEST(MarkupCheck, AcceptsWellFormedDocuments) {
    EXPECT_EQ(markup_error("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body><input readonly "
                           "value=\"a&amp;b\"><p>x &lt; y &#233;</p></body></html>",
                           Markup::html),
              "");
    EXPECT_EQ(markup_error("<?xml version=\"1.0\"?>\n<feed a=\"1\"><link href=\"x\"/></feed>\n", Markup::xml), "");
}

TEST(MarkupCheck, RejectsWhatEscapingMustPrevent) {
    EXPECT_NE(markup_error("<html><p>a < b</p></html>", Markup::html), "");
    EXPECT_NE(markup_error("<html><p>a & b</p></html>", Markup::html), "");
    EXPECT_NE(markup_error("<html><a title=\"x\"y\">z</a></html>", Markup::html), "");
    EXPECT_NE(markup_error("<html><b><i></b></i></html>", Markup::html), "");
    EXPECT_NE(markup_error("<html><p>open</html>", Markup::html), "");
    EXPECT_NE(markup_error("<feed><link href=\"x\"></feed>", Markup::xml), "");
    EXPECT_NE(markup_error("<feed/><feed/>", Markup::xml), "");
    EXPECT_NE(markup_error("<feed><e checked/></feed>", Markup::xml), "");
}
