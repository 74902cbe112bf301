#include "publishing/front_matter.hpp"

#include <gtest/gtest.h>

namespace fedblog::publishing {
namespace {

PostSource parse_ok(std::string_view text) {
    auto result = parse_post_source(text);
    if (const auto* error = std::get_if<SourceError>(&result))
        ADD_FAILURE() << "line " << error->line << ": " << error->message;
    return std::get<PostSource>(std::move(result));
}

SourceError parse_error(std::string_view text) {
    auto result = parse_post_source(text);
    if (!std::holds_alternative<SourceError>(result)) {
        ADD_FAILURE() << "parsed without error";
        return {};
    }
    return std::get<SourceError>(result);
}

void expect_error(std::string_view text, int line, std::string_view message) {
    const SourceError error = parse_error(text);
    EXPECT_EQ(error.line, line) << error.message;
    EXPECT_EQ(error.message, message);
}

TEST(FrontMatter, ReadsEveryField) {
    const PostSource source = parse_ok(
        "---\n"
        "title: \"Notre assembl\u00e9e g\u00e9n\u00e9rale : l\u2019ann\u00e9e 2026\"\n"
        "date: 2026-11-20T10:00:00+01:00\n"
        "slug: assemblee-generale-2026\n"
        "tags:\n"
        "  - \u00e9conomie\n"
        "  - V\u00e9lo\n"
        "  - \u00c9conomie\n"
        "  - v\u00e9lo\n"
        "summary: Le bilan de *l\u2019ann\u00e9e*.\n"
        "language: fr-CA\n"
        "image: photos/ag.jpg\n"
        "image_alt: Les coop\u00e9rateurs autour de la table\n"
        "draft: false\n"
        "comments: closed\n"
        "---\n"
        "Bonjour.\n");
    const FrontMatter& fm = source.front_matter;
    EXPECT_EQ(fm.title, "Notre assembl\u00e9e g\u00e9n\u00e9rale : l\u2019ann\u00e9e 2026");
    EXPECT_EQ(fm.date, 1795165200);
    EXPECT_EQ(fm.slug, "assemblee-generale-2026");
    EXPECT_EQ(fm.tags, (std::vector<std::string>{"\u00e9conomie", "V\u00e9lo"}));
    EXPECT_EQ(fm.summary, "Le bilan de *l\u2019ann\u00e9e*.");
    EXPECT_EQ(fm.language, "fr-CA");
    EXPECT_EQ(fm.image, "photos/ag.jpg");
    EXPECT_EQ(fm.image_alt, "Les coop\u00e9rateurs autour de la table");
    EXPECT_FALSE(fm.draft);
    EXPECT_TRUE(fm.comments_closed);
    EXPECT_EQ(fm.line_of("slug"), 4);
    EXPECT_EQ(fm.line_of("image"), 12);
    EXPECT_EQ(fm.line_of("weight"), 1);
    EXPECT_EQ(source.body, "Bonjour.\n");
    EXPECT_EQ(source.body_first_line, 17);
}

TEST(FrontMatter, DefaultsAndUnknownKeys) {
    const PostSource source = parse_ok(
        "---\n"
        "title: Atelier\n"
        "date: 2026-03-14\n"
        "weight: 3\n"
        "categories: [news]\n"
        "params:\n"
        "  toc: true\n"
        "summary: \"  \"\n"
        "---\n");
    const FrontMatter& fm = source.front_matter;
    EXPECT_EQ(fm.title, "Atelier");
    EXPECT_EQ(fm.date, 1773446400);
    EXPECT_EQ(fm.slug, std::nullopt);
    EXPECT_TRUE(fm.tags.empty());
    EXPECT_EQ(fm.summary, std::nullopt);
    EXPECT_EQ(fm.language, std::nullopt);
    EXPECT_EQ(fm.image, std::nullopt);
    EXPECT_FALSE(fm.draft);
    EXPECT_FALSE(fm.comments_closed);
    EXPECT_EQ(source.body, "");
    EXPECT_EQ(source.body_first_line, 10);
}

TEST(FrontMatter, SingleTagDraftAndDateWithTime) {
    const FrontMatter fm =
        parse_ok("---\ntitle: A\ndate: 2026-04-02 18:30\ntags: coop\u00e9ratives\ndraft: yes\n---\n").front_matter;
    EXPECT_EQ(fm.date, 1775154600);
    EXPECT_EQ(fm.tags, std::vector<std::string>{"coop\u00e9ratives"});
    EXPECT_TRUE(fm.draft);
}

TEST(FrontMatter, ByteOrderMarkAndWindowsLineEndings) {
    const PostSource source =
        parse_ok("\xEF\xBB\xBF---\r\ntitle: \u00c9t\u00e9\r\ndate: 2026-06-10\r\n---\r\nTexte.\r\n");
    EXPECT_EQ(source.front_matter.title, "\u00c9t\u00e9");
    EXPECT_EQ(source.front_matter.date, 1781049600);
    EXPECT_EQ(source.body, "Texte.\r\n");
    EXPECT_EQ(source.body_first_line, 5);
}

TEST(FrontMatterErrors, MissingOpeningLine) {
    expect_error("title: A\n", 1, "the file must start with front matter: a line ---, the fields, a line ---");
    expect_error("", 1, "the file must start with front matter: a line ---, the fields, a line ---");
}

TEST(FrontMatterErrors, TomlFrontMatter) {
    expect_error("+++\ntitle = \"A\"\n+++\n", 1,
                 "TOML front matter (+++) is not supported: write it in YAML between --- lines");
}

TEST(FrontMatterErrors, MissingClosingLine) {
    expect_error("---\ntitle: A\ndate: 2026-03-14\n\nTexte.\n", 1,
                 "the front matter opened here is never closed: add a line --- after its last field");
}

TEST(FrontMatterErrors, MissingOrEmptyTitle) {
    expect_error("---\ndate: 2026-03-14\n---\n", 1, "missing title (required)");
    expect_error("---\n---\n", 1, "missing title (required)");
    expect_error("---\ndate: 2026-03-14\ntitle: \"\"\n---\n", 3, "missing title (required)");
    expect_error("---\ntitle:\ndate: 2026-03-14\n---\n", 2, "missing title (required)");
}

TEST(FrontMatterErrors, TitleMustBeText) {
    expect_error("---\ndate: 2026-03-14\ntitle:\n  - a\n---\n", 3, "title: expected text, not a list or a mapping");
}

TEST(FrontMatterErrors, MissingDate) { expect_error("---\ntitle: A\n---\n", 1, "missing date (required)"); }

TEST(FrontMatterErrors, BadDate) {
    expect_error(
        "---\ntitle: A\ndate: 2026-13-01\n---\n", 3,
        "date: \"2026-13-01\" is not a date (write 2026-11-20, 2026-11-20 10:00 or 2026-11-20T10:00:00+01:00)");
    expect_error("---\ntitle: A\n\n\ndate: le 3 mars\n---\n", 5,
                 "date: \"le 3 mars\" is not a date (write 2026-11-20, 2026-11-20 10:00 or 2026-11-20T10:00:00+01:00)");
}

TEST(FrontMatterErrors, BadSlug) {
    expect_error("---\ntitle: A\ndate: 2026-03-14\nslug: Notre AG\n---\n", 4,
                 "slug: \"Notre AG\" is not a valid slug: use lowercase letters, digits and single hyphens "
                 "(e.g. \"notre-ag\")");
    expect_error("---\ntitle: A\ndate: 2026-03-14\nslug: \"\u2014\"\n---\n", 4,
                 "slug: \"\u2014\" is not a valid slug: use lowercase letters, digits and single hyphens");
}

TEST(FrontMatterErrors, TagsThatAreNotText) {
    expect_error("---\ntitle: A\ndate: 2026-03-14\ntags:\n  - v\u00e9lo\n  - [a, b]\n---\n", 6,
                 "tags: each tag must be a non-empty text");
    expect_error("---\ntitle: A\ndate: 2026-03-14\ntags:\n  - v\u00e9lo\n  - \"\"\n---\n", 6,
                 "tags: each tag must be a non-empty text");
    expect_error("---\ntitle: A\ndate: 2026-03-14\ntags:\n  - v\u00e9lo\n  -\n  - pain\n---\n", 4,
                 "tags: the list has an empty item");
    expect_error("---\ntitle: A\ndate: 2026-03-14\ntags:\n  nom: v\u00e9lo\n---\n", 4,
                 "tags: expected a list of tags or a single tag");
}

TEST(FrontMatterErrors, BadLanguage) {
    expect_error("---\ntitle: A\ndate: 2026-03-14\nlanguage: fran\u00e7ais\n---\n", 4,
                 "language: \"fran\u00e7ais\" is not a language tag (e.g. fr, fr-CA, en)");
}

TEST(FrontMatterErrors, BadImage) {
    expect_error("---\ntitle: A\ndate: 2026-03-14\nimage: logo.svg\n---\n", 4,
                 "image: \"logo.svg\" must be a PNG, JPEG, GIF or WebP file");
    expect_error("---\ntitle: A\ndate: 2026-03-14\n\nimage: https://cdn.example/a.png\n---\n", 5,
                 "image: \"https://cdn.example/a.png\" must be a path relative to the post's folder, "
                 "not a URL or an absolute path");
    expect_error("---\ntitle: A\ndate: 2026-03-14\nimage: /srv/a.png\n---\n", 4,
                 "image: \"/srv/a.png\" must be a path relative to the post's folder, not a URL or an absolute path");
}

TEST(FrontMatterErrors, BadDraftAndComments) {
    expect_error("---\ntitle: A\ndate: 2026-03-14\ndraft: peut-\u00eatre\n---\n", 4, "draft: expected true or false");
    expect_error("---\ntitle: A\ndate: 2026-03-14\ndraft:\n  - oui\n---\n", 4, "draft: expected true or false");
    expect_error("---\ntitle: A\ndate: 2026-03-14\ncomments: ferm\u00e9s\n---\n", 4,
                 "comments: expected open or closed, not \"ferm\u00e9s\"");
}

TEST(FrontMatterErrors, YamlSyntaxErrorAtItsLine) {
    const SourceError error = parse_error("---\ntitle: A\ndate: 2026-03-14\ntags: [v\u00e9lo, pain\n---\nTexte.\n");
    EXPECT_EQ(error.line, 5);
    EXPECT_EQ(error.message, "front matter is not valid YAML: end of sequence flow not found");
}

TEST(FrontMatterErrors, NotAMapping) {
    expect_error("---\n- title\n- date\n---\n", 2, "front matter must be \"key: value\" lines");
    expect_error("---\n# Hugo-style comment\n\nJuste une phrase\n---\n", 4,
                 "front matter must be \"key: value\" lines");
}

TEST(FrontMatterErrors, NotUtf8) {
    expect_error("---\ntitle: A\ndate: 2026-03-14\n---\n\nCaf\xE9 cr\xE8me.\n", 6,
                 "the file is not valid UTF-8: save it as UTF-8");
}

// Found by post_import_fuzz: yaml-cpp reads a NUL in a plain scalar as a backslash, and its "\N" (NEL) as a lone
// byte 0x85, which is not UTF-8; the post's tags then could not be stored and the whole sync threw instead of
// reporting this one file.
TEST(FrontMatterErrors, FieldsThatAreNotText) {
    using namespace std::string_view_literals;
    expect_error("---\ntitle: A\ndate: 2026-03-14\ntags:\n  - ok\n  - v\0Nlo\n---\n"sv, 6,
                 "tags: not text (a control character or bytes that are not UTF-8)");
    expect_error("---\ntitle: A\0NB\ndate: 2026-03-14\n---\n"sv, 2,
                 "title: not text (a control character or bytes that are not UTF-8)");
    expect_error("---\ntitle: A\ndate: 2026-03-14\nsummary: \"x\\x01y\"\n---\n", 4,
                 "summary: not text (a control character or bytes that are not UTF-8)");
}

}  // namespace
}  // namespace fedblog::publishing
