#include "publishing/sync.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <stdexcept>

#include "common/hex.hpp"
#include "common/html.hpp"
#include "common/time.hpp"
#include "publishing/front_matter.hpp"
#include "publishing/markdown.hpp"
#include "publishing/slug.hpp"

namespace fedblog::publishing {

namespace fs = std::filesystem;

namespace {

std::string sha256_hex(std::string_view bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("SHA-256 failed");
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < length; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 0x0F];
    }
    return out;
}

std::optional<std::string> read_file(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return std::nullopt;
    std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (in.bad()) return std::nullopt;
    return bytes;
}

bool is_hidden(const fs::path& name) {
    const std::string text = name.string();
    return text.starts_with('.') || text.starts_with('_');
}

// `relative` resolved against a folder of the content directory, or nothing when it climbs out of it.
std::optional<std::string> resolve_beside(const fs::path& folder, std::string_view relative) {
    const fs::path resolved = (folder / fs::path(relative)).lexically_normal();
    if (resolved.empty() || *resolved.begin() == "..") return std::nullopt;
    return resolved.generic_string();
}

// Percent-encodes a folder path for a URL; '/' stays a separator. Already-encoded bytes are left alone by
// cmark's href escaping, so nothing is encoded twice.
std::string url_encode_path(std::string_view path) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : path) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            std::string_view("-._~/").find(static_cast<char>(c)) != std::string_view::npos) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 0x0F];
        }
    }
    return out;
}

// The file a relative image URL names: query and fragment dropped, %XX decoded.
std::string url_to_file_path(std::string_view url) {
    url = url.substr(0, url.find_first_of("?#"));
    std::string out;
    for (std::size_t i = 0; i < url.size(); ++i) {
        if (url[i] == '%' && i + 2 < url.size() && hex_value(url[i + 1]) >= 0 && hex_value(url[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(url[i + 1]) * 16 + hex_value(url[i + 2]));
            i += 2;
        } else {
            out += url[i];
        }
    }
    return out;
}

// The name a post's slug is made from: the file's stem, or for "index.md" its folder's name, since a Hugo
// page bundle keeps each post in its own folder, images beside it.
std::string slug_source_name(const fs::path& file) {
    if (file.stem() == "index" && file.has_parent_path()) return file.parent_path().filename().string();
    return file.stem().string();
}

std::string date_of(store::Timestamp when) { return format_rfc3339(when).substr(0, 10); }

class Synchronizer {
public:
    Synchronizer(const fs::path& content_dir, store::Posts& posts, const SyncOptions& options, store::Timestamp now,
                 SyncReport& report)
        : content_dir_(content_dir), posts_(posts), options_(options), now_(now), report_(report) {}

    void run() {
        const bool walk_complete = find_files();
        for (const std::string& file : files_) sync_file(file);
        // An incomplete walk cannot tell a removed file from an unreadable folder: delete nothing then.
        if (walk_complete) delete_posts_without_file();
    }

private:
    void error(const std::string& file, int line, std::string message) {
        report_.errors.push_back({file, line, std::move(message)});
    }
    void warning(const std::string& file, int line, std::string message) {
        report_.warnings.push_back({file, line, std::move(message)});
    }

    // Fills files_ (sorted, relative, '/' separators); false when part of the directory could not be read.
    bool find_files() {
        std::error_code ec;
        if (!fs::is_directory(content_dir_, ec)) {
            error("", 0, "the content directory does not exist or is not a directory");
            return false;
        }
        fs::recursive_directory_iterator it(content_dir_, ec);
        for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
            const fs::path& path = it->path();
            if (is_hidden(path.filename())) {
                it.disable_recursion_pending();
                continue;
            }
            std::error_code type_ec;
            if (path.extension() == ".md" && it->is_regular_file(type_ec))
                files_.push_back(path.lexically_relative(content_dir_).generic_string());
        }
        if (ec) {
            error("", 0, "cannot read the content directory (" + ec.message() + "); no post deleted this time");
            return false;
        }
        std::sort(files_.begin(), files_.end());
        present_.insert(files_.begin(), files_.end());
        return true;
    }

    void sync_file(const std::string& file) {
        const auto bytes = read_file(content_dir_ / file);
        if (!bytes) return error(file, 0, "cannot read the file");
        const std::string hash = sha256_hex(*bytes);
        const std::optional<store::Post> existing = posts_.find_by_source(file);
        if (existing && existing->source_hash == hash) {
            ++report_.unchanged;
            return;
        }

        auto parsed = parse_post_source(*bytes);
        if (const auto* failure = std::get_if<SourceError>(&parsed))
            return error(file, failure->line, failure->message);
        const PostSource& source = std::get<PostSource>(parsed);

        if (source.front_matter.draft) {
            if (existing) {
                warning(file, source.front_matter.line_of("draft"),
                        "draft: already published; delete the file to unpublish (the published version stays)");
                ++report_.unchanged;
            } else {
                ++report_.drafts;
            }
            return;
        }

        std::optional<store::Post> post = build_post(file, source, hash);
        if (!post) return;
        if (existing)
            update(*existing, std::move(*post), source.front_matter);
        else
            insert_or_move(std::move(*post), source.front_matter);
    }

    std::optional<store::Post> build_post(const std::string& file, const PostSource& source, const std::string& hash) {
        const FrontMatter& front_matter = source.front_matter;
        const fs::path folder = fs::path(file).parent_path();
        store::Post post;
        post.slug = front_matter.slug.value_or(slugify(slug_source_name(file)));
        if (post.slug.empty()) {
            error(file, 1, "no slug can be made from the file's name: add one, e.g. slug: mon-article");
            return std::nullopt;
        }
        if (front_matter.image) {
            const auto image = resolve_beside(folder, *front_matter.image);
            const int line = front_matter.line_of("image");
            if (!image) {
                error(file, line, "image: \"" + *front_matter.image + "\" is outside the content directory");
                return std::nullopt;
            }
            std::error_code ec;
            if (!fs::is_regular_file(content_dir_ / *image, ec)) {
                error(file, line, "image: \"" + *front_matter.image + "\" not found beside the post");
                return std::nullopt;
            }
            post.image_path = *image;
            post.image_alt = front_matter.image_alt;
            if (post.image_alt.empty())
                warning(file, line, "image_alt: missing; describe the image for people who cannot see it");
        }

        const std::string image_prefix =
            options_.media_url_base + (options_.media_url_base.ends_with('/') ? "" : "/") +
            (folder.empty() ? std::string() : url_encode_path(folder.generic_string()) + "/");
        RenderedMarkdown body = render_markdown(source.body, image_prefix);
        for (const ImageReference& image : body.relative_images) {
            const auto path = resolve_beside(folder, url_to_file_path(image.url));
            std::error_code ec;
            if (!path || !fs::is_regular_file(content_dir_ / *path, ec))
                warning(file, source.body_first_line - 1 + image.line,
                        "image \"" + image.url + "\" not found beside the post");
        }

        post.source_path = file;
        post.source_hash = hash;
        post.title = front_matter.title;
        post.content_html = std::move(body.html);
        post.summary_html = front_matter.summary ? render_markdown(*front_matter.summary, image_prefix).html
                                                 : std::move(body.first_paragraph_html);
        // summary_html is never empty: a post without any paragraph (only a photo, a list) is summed up by its title.
        if (post.summary_html.empty()) post.summary_html = "<p>" + escape_html(post.title) + "</p>";
        post.language = front_matter.language.value_or(options_.default_language);
        post.tags = front_matter.tags;
        post.comments_closed = front_matter.comments_closed;
        post.published = front_matter.date;
        return post;
    }

    void update(const store::Post& existing, store::Post post, const FrontMatter& front_matter) {
        if (post.slug != existing.slug)
            return error(
                post.source_path, front_matter.line_of("slug"),
                "slug: \"" + post.slug + "\" differs from the published slug \"" + existing.slug +
                    "\": a post keeps its slug for life (it is part of its fediverse id); set slug: " + existing.slug);
        post.id = existing.id;
        post.published = existing.published;
        post.updated = now_;
        posts_.update(post);
        report_.updated.push_back(post.slug);
    }

    void insert_or_move(store::Post post, const FrontMatter& front_matter) {
        const std::optional<store::Post> owner = posts_.find_by_slug(post.slug);
        if (!owner) {
            post.id = posts_.insert(post);
            report_.created.push_back(post.slug);
            return;
        }
        if (owner->is_deleted())
            return error(post.source_path, front_matter.line_of("slug"),
                         "slug: \"" + post.slug + "\" belonged to a post deleted on " + date_of(*owner->deleted) +
                             "; fediverse servers remember that address as deleted and refuse a new post there: "
                             "choose another slug");
        if (present_.contains(owner->source_path))
            return error(post.source_path, front_matter.line_of("slug"),
                         "slug: \"" + post.slug + "\" is already used by " + owner->source_path);
        // The file of the post holding this slug is gone: this is that file, moved or renamed.
        post.id = owner->id;
        post.published = owner->published;
        post.updated = now_;
        posts_.update(post);
        report_.updated.push_back(post.slug);
    }

    void delete_posts_without_file() {
        for (const store::Post& post : posts_.all()) {
            if (post.is_deleted() || present_.contains(post.source_path)) continue;
            posts_.mark_deleted(post.id, now_);
            report_.deleted.push_back(post.slug);
        }
    }

    const fs::path& content_dir_;
    store::Posts& posts_;
    const SyncOptions& options_;
    const store::Timestamp now_;
    SyncReport& report_;
    std::vector<std::string> files_;
    std::set<std::string, std::less<>> present_;
};

std::string counted(std::size_t count, std::string_view noun, std::string_view suffix = {}) {
    std::string text = std::to_string(count) + " " + std::string(noun) + (count == 1 ? "" : "s");
    if (!suffix.empty()) text += " " + std::string(suffix);
    return text;
}

}  // namespace

SyncReport sync_content(const fs::path& content_dir, store::Posts& posts, const SyncOptions& options,
                        store::Timestamp now) {
    SyncReport report;
    report.content_dir = content_dir;
    Synchronizer(content_dir, posts, options, now, report).run();
    return report;
}

std::string format_report(const SyncReport& report) {
    std::ostringstream out;
    const auto print_issue = [&](const SyncIssue& issue, std::string_view kind) {
        out << (issue.file.empty() ? report.content_dir : report.content_dir / issue.file).generic_string();
        if (issue.line > 0) out << ':' << issue.line;
        out << ": " << kind << ": " << issue.message << '\n';
    };
    for (const SyncIssue& issue : report.errors) print_issue(issue, "error");
    for (const SyncIssue& issue : report.warnings) print_issue(issue, "warning");
    const auto print_slugs = [&](std::string_view label, const std::vector<std::string>& slugs) {
        if (slugs.empty()) return;
        out << label << ':';
        for (const std::string& slug : slugs) out << ' ' << slug;
        out << '\n';
    };
    print_slugs("created", report.created);
    print_slugs("updated", report.updated);
    print_slugs("deleted", report.deleted);
    out << report.created.size() << " created, " << report.updated.size() << " updated, " << report.deleted.size()
        << " deleted, " << report.unchanged << " unchanged, "
        << counted(static_cast<std::size_t>(report.drafts), "draft", "skipped") << ", "
        << counted(report.errors.size(), "error") << ", " << counted(report.warnings.size(), "warning") << '\n';
    return out.str();
}

}  // namespace fedblog::publishing
