// Front matter and Markdown import: the input is written as a post file into a content folder and synced
// into a real SQLite store with the real publishing path (parse the YAML front matter, check it, render the
// Markdown with cmark-gfm, insert), then the new post's Article is built and serialized as the server would.
// Checked: sync reports file problems instead of throwing; a post's HTML carries no <script> and no
// javascript: link; its Article serializes. Each input's store changes are rolled back.
// Input: the whole post file ("---\n<YAML>\n---\n<Markdown>").
#include <cstdint>
#include <cstdlib>
#include <fstream>

#include "activitypub/article.hpp"
#include "fuzz/support/fuzz_blog.hpp"
#include "publishing/sync.hpp"
#include "store/posts.hpp"
#include "store/transaction.hpp"

using namespace fedblog;
namespace fs = std::filesystem;

namespace {

struct Harness {
    Harness() : blog(fuzz::fuzz_blog()), content(blog.dir / "import"), db(blog.dir / "import.db") {
        fs::create_directories(content / "posts");
        // An image beside the post, for `image:` front matter and relative Markdown images to find.
        std::ofstream(content / "posts" / "velo.png", std::ios::binary) << "\x89PNG\r\n\x1a\n";
        options.media_url_base = blog.ids.media("");
    }

    fuzz::FuzzBlog& blog;
    fs::path content;
    store::Database db;
    publishing::SyncOptions options;
};

Harness& harness() {
    static Harness h;
    return h;
}

std::string lower(std::string text) {
    for (char& c : text) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    return text;
}

void check_html(const std::string& html) {
    const std::string text = lower(html);
    if (text.find("<script") != std::string::npos || text.find("href=\"javascript:") != std::string::npos ||
        text.find("src=\"javascript:") != std::string::npos)
        std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    harness();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Harness& h = harness();
    {
        std::ofstream file(h.content / "posts" / "billet.md", std::ios::binary | std::ios::trunc);
        file.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    }
    store::WriteTransaction rolled_back(h.db);
    store::Posts posts(h.db);
    const publishing::SyncReport report = publishing::sync_content(h.content, posts, h.options, 1'795'000'000);
    (void)publishing::format_report(report);
    for (const std::string& slug : report.created) {
        const auto post = posts.find_by_slug(slug);
        if (!post) std::abort();
        check_html(post->content_html);
        check_html(post->summary_html);
        if (activitypub::serialize(activitypub::article_object(*post, h.blog.app->settings(), h.blog.ids)).empty())
            std::abort();
    }
    return 0;
}
