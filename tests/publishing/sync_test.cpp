#include "publishing/sync.hpp"

#include <gtest/gtest.h>

#include "store/database.hpp"
#include "tests/support/temp_dir.hpp"

namespace fedblog::publishing {
namespace {

using fedblog::testing::TempDir;
using Strings = std::vector<std::string>;

constexpr store::Timestamp first_sync = 1780000000;
constexpr store::Timestamp second_sync = 1780003600;
constexpr store::Timestamp third_sync = 1780007200;

const char* const assemblee =
    "---\n"
    "title: Notre assembl\u00e9e g\u00e9n\u00e9rale\n"
    "date: 2026-03-14\n"
    "tags: [\u00e9conomie, Coop\u00e9rative, \u00c9conomie]\n"
    "---\n"
    "Nous \u00e9tions **quarante**.\n"
    "\n"
    "Le reste suit.\n";
// sha256sum of the bytes above.
const char* const assemblee_sha256 = "ed77650f1e7011e9043501ebdd7ade56eac58d4d00b8f6a71e3b43cabe4063da";

std::string post_file(std::string_view title, std::string_view date, std::string_view extra, std::string_view body) {
    return "---\ntitle: " + std::string(title) + "\ndate: " + std::string(date) + "\n" + std::string(extra) + "---\n" +
           std::string(body);
}

class Sync : public ::testing::Test {
protected:
    TempDir temp;
    std::filesystem::path content = temp.path() / "content";
    store::Database database{temp.path() / "fedblog.sqlite"};
    store::Posts posts{database};
    SyncOptions options{"fr", "https://blog.example/media/"};

    void write(const std::string& relative, std::string_view text) { temp.write("content/" + relative, text); }
    void remove(const std::string& relative) { std::filesystem::remove(content / relative); }
    SyncReport sync(store::Timestamp now) { return sync_content(content, posts, options, now); }
    store::Post post(std::string_view slug) {
        auto found = posts.find_by_slug(slug);
        if (!found) throw std::runtime_error("no post " + std::string(slug));
        return *found;
    }

    void SetUp() override { std::filesystem::create_directories(content); }
};

TEST_F(Sync, NewFileBecomesAPost) {
    write("posts/notre-assembl\u00e9e-g\u00e9n\u00e9rale.md", assemblee);
    const SyncReport report = sync(first_sync);
    EXPECT_EQ(report.created, Strings{"notre-assemblee-generale"});
    EXPECT_TRUE(report.updated.empty());
    EXPECT_TRUE(report.deleted.empty());
    EXPECT_TRUE(report.errors.empty());
    EXPECT_TRUE(report.warnings.empty());
    EXPECT_TRUE(report.changed());

    const store::Post stored = post("notre-assemblee-generale");
    EXPECT_EQ(stored.source_path, "posts/notre-assembl\u00e9e-g\u00e9n\u00e9rale.md");
    EXPECT_EQ(stored.source_hash, assemblee_sha256);
    EXPECT_EQ(stored.title, "Notre assembl\u00e9e g\u00e9n\u00e9rale");
    EXPECT_EQ(stored.tags, (Strings{"\u00e9conomie", "Coop\u00e9rative"}));
    EXPECT_EQ(stored.summary_html, "<p>Nous \u00e9tions <strong>quarante</strong>.</p>");
    EXPECT_EQ(stored.content_html, "<p>Nous \u00e9tions <strong>quarante</strong>.</p>\n<p>Le reste suit.</p>");
    EXPECT_EQ(stored.language, "fr");
    EXPECT_EQ(stored.published, 1773446400);
    EXPECT_EQ(stored.updated, std::nullopt);
    EXPECT_EQ(stored.image_path, "");
    EXPECT_FALSE(stored.comments_closed);
}

TEST_F(Sync, FrontMatterSummaryLanguageAndComments) {
    write("a.md",
          post_file("A", "2026-03-14", "summary: Un r\u00e9sum\u00e9 *court*.\nlanguage: en\ncomments: closed\n",
                    "Premier paragraphe.\n"));
    sync(first_sync);
    const store::Post stored = post("a");
    EXPECT_EQ(stored.summary_html, "<p>Un r\u00e9sum\u00e9 <em>court</em>.</p>");
    EXPECT_EQ(stored.language, "en");
    EXPECT_TRUE(stored.comments_closed);
}

TEST_F(Sync, PostWithoutParagraphIsSummedUpByItsTitle) {
    write("liste.md", post_file("Pain & sel", "2026-03-14", "", "- farine\n- eau\n"));
    sync(first_sync);
    EXPECT_EQ(post("liste").summary_html, "<p>Pain &amp; sel</p>");
}

TEST_F(Sync, RunningTwiceChangesNothing) {
    write("posts/a.md", post_file("A", "2026-03-14", "", "Texte A.\n"));
    write("posts/b.md", post_file("B", "2026-03-15", "", "Texte B.\n"));
    write("posts/brouillon.md", post_file("C", "2026-03-16", "draft: true\n", "Pas fini.\n"));
    const SyncReport first = sync(first_sync);
    EXPECT_EQ(first.created, (Strings{"a", "b"}));
    EXPECT_EQ(first.drafts, 1);
    const std::vector<store::Post> before = posts.all();

    const SyncReport second = sync(second_sync);
    EXPECT_FALSE(second.changed());
    EXPECT_EQ(second.unchanged, 2);
    EXPECT_EQ(second.drafts, 1);
    EXPECT_TRUE(second.errors.empty());
    const std::vector<store::Post> after = posts.all();
    ASSERT_EQ(after.size(), before.size());
    for (std::size_t i = 0; i < after.size(); ++i) {
        EXPECT_EQ(after[i].id, before[i].id);
        EXPECT_EQ(after[i].content_html, before[i].content_html);
        EXPECT_EQ(after[i].updated, before[i].updated);
        EXPECT_EQ(after[i].deleted, before[i].deleted);
        EXPECT_EQ(posts.revisions(after[i].id).size(), 1u);
    }
}

TEST_F(Sync, ChangedFileUpdatesKeepingIdSlugAndPublicationDate) {
    write("a.md", post_file("A", "2026-03-14", "", "Premier jet.\n"));
    sync(first_sync);
    const store::Post original = post("a");

    write("a.md", post_file("A, corrig\u00e9", "2026-05-01", "tags: pain\n", "Second jet.\n"));
    const SyncReport report = sync(second_sync);
    EXPECT_EQ(report.updated, Strings{"a"});
    EXPECT_TRUE(report.created.empty());
    const store::Post updated = post("a");
    EXPECT_EQ(updated.id, original.id);
    EXPECT_EQ(updated.published, 1773446400);
    EXPECT_EQ(updated.updated, second_sync);
    EXPECT_EQ(updated.title, "A, corrig\u00e9");
    EXPECT_EQ(updated.tags, Strings{"pain"});
    EXPECT_EQ(updated.content_html, "<p>Second jet.</p>");
    EXPECT_NE(updated.source_hash, original.source_hash);
    EXPECT_EQ(posts.revisions(original.id), (std::vector<store::Timestamp>{1773446400, second_sync}));
}

TEST_F(Sync, RemovedFileBecomesATombstone) {
    write("a.md", post_file("A", "2026-03-14", "", "A.\n"));
    write("b.md", post_file("B", "2026-03-14", "", "B.\n"));
    sync(first_sync);
    remove("a.md");
    const SyncReport report = sync(second_sync);
    EXPECT_EQ(report.deleted, Strings{"a"});
    EXPECT_EQ(report.unchanged, 1);
    EXPECT_EQ(post("a").deleted, second_sync);
    EXPECT_EQ(post("b").deleted, std::nullopt);
    EXPECT_EQ(posts.count_published(), 1);
    EXPECT_TRUE(sync(third_sync).deleted.empty());  // already a Tombstone
}

TEST_F(Sync, SlugOfADeletedPostIsNeverReused) {
    write("a.md", post_file("A", "2026-03-14", "", "A.\n"));
    sync(first_sync);
    remove("a.md");
    sync(second_sync);

    write("nouveau.md", post_file("Nouveau", "2026-05-01", "slug: a\n", "Autre chose.\n"));
    const SyncReport report = sync(third_sync);
    ASSERT_EQ(report.errors.size(), 1u);
    EXPECT_EQ(report.errors[0].file, "nouveau.md");
    EXPECT_EQ(report.errors[0].line, 4);
    EXPECT_EQ(report.errors[0].message,
              "slug: \"a\" belonged to a post deleted on 2026-05-28; fediverse servers remember that address as "
              "deleted and refuse a new post there: choose another slug");
    EXPECT_TRUE(report.created.empty());
    EXPECT_EQ(posts.count_published(), 0);
    EXPECT_EQ(post("a").title, "A");
}

TEST_F(Sync, RestoringADeletedFileIsRefusedToo) {
    write("a.md", post_file("A", "2026-03-14", "", "A.\n"));
    sync(first_sync);
    remove("a.md");
    sync(second_sync);
    write("a.md", post_file("A", "2026-03-14", "", "A.\n"));
    const SyncReport report = sync(third_sync);
    ASSERT_EQ(report.errors.size(), 1u);
    EXPECT_EQ(report.errors[0].line, 1);  // the slug comes from the file name
    EXPECT_EQ(posts.count_published(), 0);
}

TEST_F(Sync, MalformedFileSkipsOnlyItselfAndIsNotDeleted) {
    write("a.md", post_file("A", "2026-03-14", "", "A.\n"));
    write("b.md", post_file("B", "2026-03-14", "", "B.\n"));
    sync(first_sync);
    const store::Post a_before = post("a");

    write("a.md", "---\ntitle: A\ndate: 2026-13-01\n---\nA modifi\u00e9.\n");
    write("b.md", post_file("B", "2026-03-14", "", "B modifi\u00e9.\n"));
    write("c.md", post_file("C", "2026-03-20", "", "C.\n"));
    const SyncReport report = sync(second_sync);
    ASSERT_EQ(report.errors.size(), 1u);
    EXPECT_EQ(report.errors[0].file, "a.md");
    EXPECT_EQ(report.errors[0].line, 3);
    EXPECT_EQ(report.updated, Strings{"b"});
    EXPECT_EQ(report.created, Strings{"c"});
    EXPECT_TRUE(report.deleted.empty());

    const store::Post a_after = post("a");
    EXPECT_EQ(a_after.deleted, std::nullopt);
    EXPECT_EQ(a_after.content_html, a_before.content_html);
    EXPECT_EQ(a_after.source_hash, a_before.source_hash);
    EXPECT_EQ(a_after.updated, std::nullopt);
}

TEST_F(Sync, DraftNeverPublishedIsSkipped) {
    write("brouillon.md", post_file("B", "2026-03-14", "draft: true\n", "Pas fini.\n"));
    const SyncReport report = sync(first_sync);
    EXPECT_EQ(report.drafts, 1);
    EXPECT_FALSE(report.changed());
    EXPECT_EQ(posts.find_by_slug("brouillon"), std::nullopt);

    write("brouillon.md", post_file("B", "2026-03-14", "draft: false\n", "Fini.\n"));
    EXPECT_EQ(sync(second_sync).created, Strings{"brouillon"});
    EXPECT_EQ(post("brouillon").published, 1773446400);
}

TEST_F(Sync, PublishedPostDoesNotGoBackToDraft) {
    write("a.md", post_file("A", "2026-03-14", "", "Version publi\u00e9e.\n"));
    sync(first_sync);
    write("a.md", post_file("A", "2026-03-14", "draft: true\n", "Nouvelle version.\n"));
    const SyncReport report = sync(second_sync);
    EXPECT_FALSE(report.changed());
    EXPECT_EQ(report.drafts, 0);
    ASSERT_EQ(report.warnings.size(), 1u);
    EXPECT_EQ(report.warnings[0].file, "a.md");
    EXPECT_EQ(report.warnings[0].line, 4);
    EXPECT_EQ(report.warnings[0].message,
              "draft: already published; delete the file to unpublish (the published version stays)");
    const store::Post stored = post("a");
    EXPECT_EQ(stored.content_html, "<p>Version publi\u00e9e.</p>");
    EXPECT_EQ(stored.deleted, std::nullopt);
}

TEST_F(Sync, ChangingTheSlugOfAPublishedPostIsRefused) {
    write("a.md", post_file("A", "2026-03-14", "slug: premier\n", "A.\n"));
    sync(first_sync);
    write("a.md", post_file("A", "2026-03-14", "slug: second\n", "A modifi\u00e9.\n"));
    const SyncReport report = sync(second_sync);
    ASSERT_EQ(report.errors.size(), 1u);
    EXPECT_EQ(report.errors[0].line, 4);
    EXPECT_EQ(report.errors[0].message,
              "slug: \"second\" differs from the published slug \"premier\": a post keeps its slug for life (it is "
              "part of its fediverse id); set slug: premier");
    EXPECT_EQ(post("premier").content_html, "<p>A.</p>");
    EXPECT_EQ(posts.find_by_slug("second"), std::nullopt);
    EXPECT_FALSE(report.changed());
}

TEST_F(Sync, TwoFilesWithOneSlug) {
    write("a.md", post_file("A", "2026-03-14", "slug: commun\n", "A.\n"));
    write("b.md", post_file("B", "2026-03-14", "\nslug: commun\n", "B.\n"));
    const SyncReport report = sync(first_sync);
    EXPECT_EQ(report.created, Strings{"commun"});
    ASSERT_EQ(report.errors.size(), 1u);
    EXPECT_EQ(report.errors[0].file, "b.md");
    EXPECT_EQ(report.errors[0].line, 5);
    EXPECT_EQ(report.errors[0].message, "slug: \"commun\" is already used by a.md");
    EXPECT_EQ(post("commun").title, "A");
}

TEST_F(Sync, MovedFileKeepsItsPost) {
    write("a.md", post_file("A", "2026-03-14", "", "A.\n"));
    sync(first_sync);
    const store::Post original = post("a");
    remove("a.md");
    write("2026/a.md", post_file("A", "2026-03-14", "", "A.\n"));
    const SyncReport report = sync(second_sync);
    EXPECT_EQ(report.updated, Strings{"a"});
    EXPECT_TRUE(report.created.empty());
    EXPECT_TRUE(report.deleted.empty());
    const store::Post moved = post("a");
    EXPECT_EQ(moved.id, original.id);
    EXPECT_EQ(moved.source_path, "2026/a.md");
    EXPECT_EQ(moved.deleted, std::nullopt);
    EXPECT_FALSE(sync(third_sync).changed());
}

TEST_F(Sync, HiddenFilesAndFoldersAreSkipped) {
    write("_brouillon.md", post_file("A", "2026-03-14", "", "A.\n"));
    write(".cache/b.md", post_file("B", "2026-03-14", "", "B.\n"));
    write("_drafts/c.md", post_file("C", "2026-03-14", "", "C.\n"));
    write("notes.txt", "pas un article");
    write("posts/d.md", post_file("D", "2026-03-14", "", "D.\n"));
    const SyncReport report = sync(first_sync);
    EXPECT_EQ(report.created, Strings{"d"});
    EXPECT_TRUE(report.errors.empty());
    EXPECT_EQ(posts.count_published(), 1);
}

TEST_F(Sync, FrontMatterImageIsCheckedAndRecorded) {
    write("posts/atelier.png", "not really a png, only its presence matters");
    write("posts/atelier.md",
          post_file("Atelier", "2026-03-14", "image: atelier.png\nimage_alt: L\u2019atelier\n", "A.\n"));
    write("posts/sans-alt.md", post_file("Sans alt", "2026-03-14", "image: ../posts/atelier.png\n", "B.\n"));
    write("posts/absente.md", post_file("Absente", "2026-03-14", "image: absente.jpg\n", "C.\n"));
    write("posts/dehors.md", post_file("Dehors", "2026-03-14", "image: ../../dehors.jpg\n", "D.\n"));
    const SyncReport report = sync(first_sync);
    EXPECT_EQ(report.created, (Strings{"atelier", "sans-alt"}));

    EXPECT_EQ(post("atelier").image_path, "posts/atelier.png");
    EXPECT_EQ(post("atelier").image_alt, "L\u2019atelier");
    EXPECT_EQ(post("sans-alt").image_path, "posts/atelier.png");
    ASSERT_EQ(report.warnings.size(), 1u);
    EXPECT_EQ(report.warnings[0].file, "posts/sans-alt.md");
    EXPECT_EQ(report.warnings[0].line, 4);
    EXPECT_EQ(report.warnings[0].message, "image_alt: missing; describe the image for people who cannot see it");

    ASSERT_EQ(report.errors.size(), 2u);
    EXPECT_EQ(report.errors[0].file, "posts/absente.md");
    EXPECT_EQ(report.errors[0].line, 4);
    EXPECT_EQ(report.errors[0].message, "image: \"absente.jpg\" not found beside the post");
    EXPECT_EQ(report.errors[1].file, "posts/dehors.md");
    EXPECT_EQ(report.errors[1].message, "image: \"../../dehors.jpg\" is outside the content directory");
}

TEST_F(Sync, BodyImagesPointAtTheMediaRoute) {
    write("\u00e9t\u00e9 2026/photos/four.jpg", "jpeg");
    write("\u00e9t\u00e9 2026/four.md",
          post_file("Four", "2026-06-10", "", "Le four :\n\n![Le four](photos/four.jpg)\n\n![Perdue](perdue.jpg)\n"));
    const SyncReport report = sync(first_sync);
    EXPECT_EQ(post("four").content_html,
              "<p>Le four :</p>\n"
              "<p><img src=\"https://blog.example/media/%C3%A9t%C3%A9%202026/photos/four.jpg\" alt=\"Le four\" /></p>\n"
              "<p><img src=\"https://blog.example/media/%C3%A9t%C3%A9%202026/perdue.jpg\" alt=\"Perdue\" /></p>");
    ASSERT_EQ(report.warnings.size(), 1u);
    EXPECT_EQ(report.warnings[0].line, 9);
    EXPECT_EQ(report.warnings[0].message, "image \"perdue.jpg\" not found beside the post");
}

TEST_F(Sync, MissingContentDirectoryDeletesNothing) {
    write("a.md", post_file("A", "2026-03-14", "", "A.\n"));
    sync(first_sync);
    const SyncReport report = sync_content(temp.path() / "absent", posts, options, second_sync);
    ASSERT_EQ(report.errors.size(), 1u);
    EXPECT_EQ(report.errors[0].file, "");
    EXPECT_EQ(report.errors[0].message, "the content directory does not exist or is not a directory");
    EXPECT_TRUE(report.deleted.empty());
    EXPECT_EQ(post("a").deleted, std::nullopt);
}

TEST_F(Sync, FileNameWithoutUsableLettersNeedsASlug) {
    write("\u65e5\u672c.md", post_file("Nihon", "2026-03-14", "", "A.\n"));
    const SyncReport report = sync(first_sync);
    ASSERT_EQ(report.errors.size(), 1u);
    EXPECT_EQ(report.errors[0].line, 1);
    EXPECT_EQ(report.errors[0].message, "no slug can be made from the file's name: add one, e.g. slug: mon-article");
}

TEST_F(Sync, PageBundleIndexTakesItsFolderName) {
    write("posts/f\u00eate-du-v\u00e9lo/index.md", post_file("F\u00eate", "2026-06-10", "", "A.\n"));
    write("index.md", post_file("Accueil", "2026-06-10", "", "B.\n"));
    EXPECT_EQ(sync(first_sync).created, (Strings{"index", "fete-du-velo"}));
    EXPECT_EQ(post("fete-du-velo").source_path, "posts/f\u00eate-du-v\u00e9lo/index.md");
}

// The sample posts shipped in content/ are valid and render as intended.
TEST_F(Sync, ShippedSamplePosts) {
    const std::filesystem::path shipped = std::filesystem::path(FEDBLOG_SOURCE_DIR) / "content";
    const SyncReport report = sync_content(shipped, posts, options, first_sync);
    EXPECT_TRUE(report.errors.empty()) << format_report(report);
    EXPECT_TRUE(report.warnings.empty()) << format_report(report);
    EXPECT_EQ(report.created, (Strings{"atelier-du-samedi", "notre-assemblee-generale-2026", "reparer-une-crevaison"}));

    const store::Post ag = post("notre-assemblee-generale-2026");
    EXPECT_EQ(ag.title, "Notre assembl\u00e9e g\u00e9n\u00e9rale : une ann\u00e9e de coups de cl\u00e9");
    EXPECT_EQ(ag.tags, (Strings{"coop\u00e9rative", "vie de l\u2019atelier"}));
    EXPECT_NE(ag.content_html.find("<td align=\"right\">1 184</td>"), std::string::npos);
    EXPECT_NE(ag.content_html.find("<del>20 \u20ac</del>"), std::string::npos);

    const store::Post atelier = post("atelier-du-samedi");
    EXPECT_EQ(atelier.image_path, "posts/atelier-du-samedi/atelier.png");
    EXPECT_NE(atelier.content_html.find("<img src=\"https://blog.example/media/posts/atelier-du-samedi/atelier.png\""),
              std::string::npos);
    EXPECT_EQ(std::filesystem::file_size(shipped / atelier.image_path), 29564u);

    const store::Post crevaison = post("reparer-une-crevaison");
    EXPECT_EQ(crevaison.tags, (Strings{"v\u00e9lo", "astuces"}));
    EXPECT_TRUE(crevaison.summary_html.starts_with("<p>Une crevaison, c\u2019est la panne la plus fr\u00e9quente"));
    EXPECT_NE(crevaison.content_html.find("<ol>\n<li><strong>D\u00e9montez la roue.</strong>"), std::string::npos);
}

TEST(FormatReport, CompilerStyleLinesThenSummary) {
    SyncReport report;
    report.content_dir = "content";
    report.created = {"a", "b"};
    report.deleted = {"c"};
    report.unchanged = 4;
    report.drafts = 1;
    report.errors = {{"posts/a.md", 3, "date: \"2026-13-01\" is not a date"}, {"", 0, "cannot read"}};
    report.warnings = {{"b.md", 2, "attention"}};
    EXPECT_EQ(format_report(report),
              "content/posts/a.md:3: error: date: \"2026-13-01\" is not a date\n"
              "content: error: cannot read\n"
              "content/b.md:2: warning: attention\n"
              "created: a b\n"
              "deleted: c\n"
              "2 created, 0 updated, 1 deleted, 4 unchanged, 1 draft skipped, 2 errors, 1 warning\n");
}

}  // namespace
}  // namespace fedblog::publishing
