#include "common/html.hpp"

#include <gtest/gtest.h>

TEST(Html, EscapesEveryCharacterThatCouldOpenMarkupOrCloseAnAttribute) {
    EXPECT_EQ(fedblog::escape_html("<a href=\"x\" title='y'>&amp;</a>"),
              "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;");
    EXPECT_EQ(fedblog::escape_html("Coopérative « vélo »"), "Coopérative « vélo »");
}
