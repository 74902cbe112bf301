#pragma once
// Brings the store in line with the Markdown files of the content directory.
#include <filesystem>
#include <string>
#include <vector>

#include "store/post.hpp"
#include "store/posts.hpp"

namespace fedblog::publishing {

struct SyncOptions {
    std::string default_language = "fr";
    // Prefix of the URLs images beside posts are served at, ending with '/' (e.g. "https://blog.example/media/").
    std::string media_url_base = "/media/";
};

struct SyncIssue {
    std::string file;  // relative to the content directory, '/' separators; empty for the directory itself
    int line = 0;      // 1-based; 0 when the problem is not tied to a line
    std::string message;
};

struct SyncReport {
    std::filesystem::path content_dir;  // as given, to print paths the way the user typed them
    std::vector<std::string> created;   // slugs
    std::vector<std::string> updated;
    std::vector<std::string> deleted;
    int unchanged = 0;
    int drafts = 0;  // drafts never published, skipped
    std::vector<SyncIssue> errors;
    std::vector<SyncIssue> warnings;

    bool changed() const { return !created.empty() || !updated.empty() || !deleted.empty(); }
};

// Files: every *.md below content_dir, except those whose name, or a folder on whose path, starts with '_'
// or '.' (a place for drafts-in-progress, templates and editor files).
// A post's slug is its front matter's, or else made from its file name (for index.md, its folder's name:
// Hugo page bundles). Each file is then handled on its own:
//   new file            -> inserted, published at its front matter date;
//   changed (SHA-256)   -> updated at `now`, keeping id, slug and publication date;
//   moved (new path, slug of a post whose file is gone) -> updated, same post;
//   gone                -> Tombstone at `now`, unless the walk failed;
//   draft, never published -> skipped; a published post does not go back to draft.
// A file with an error changes nothing in the store, and its post (if any) stays as it was.
// Store failures throw (std::exception from SQLiteCpp); file problems never do, they are reported.
SyncReport sync_content(const std::filesystem::path& content_dir, store::Posts& posts, const SyncOptions& options,
                        store::Timestamp now);

// "content/posts/a.md:3: error: date: ..." lines (the form compilers use, so editors can jump to them),
// the created/updated/deleted slugs, then a one-line summary.
std::string format_report(const SyncReport& report);

}  // namespace fedblog::publishing
