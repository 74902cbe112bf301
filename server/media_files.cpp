#include "server/media_files.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>

namespace fedblog::server {

namespace {

constexpr std::uintmax_t largest_media_file = 20 * 1024 * 1024;

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
    return text;
}

}  // namespace

std::optional<std::string> media_content_type(const std::filesystem::path& file) {
    std::string extension = lower(file.extension().string());
    if (extension == ".png") return "image/png";
    if (extension == ".jpg" || extension == ".jpeg") return "image/jpeg";
    if (extension == ".gif") return "image/gif";
    if (extension == ".webp") return "image/webp";
    if (extension == ".avif") return "image/avif";
    return std::nullopt;  // not SVG: an SVG can carry script, and these URLs share the blog's origin
}

std::optional<MediaFile> read_media_file(const std::filesystem::path& content_dir, std::string_view decoded_relative_path) {
    if (decoded_relative_path.empty() || decoded_relative_path.find('\0') != std::string_view::npos) return std::nullopt;
    std::filesystem::path relative(decoded_relative_path);
    if (relative.is_absolute()) return std::nullopt;
    for (const auto& part : relative)
        if (part.empty() || part.string().front() == '.') return std::nullopt;  // "..", ".git", hidden files
    auto type = media_content_type(relative);
    if (!type) return std::nullopt;
    std::error_code ec;
    auto root = std::filesystem::canonical(content_dir, ec);
    if (ec) return std::nullopt;
    auto file = std::filesystem::canonical(root / relative, ec);
    if (ec) return std::nullopt;
    // A symlink inside the content dir must not lead outside it.
    auto [root_end, unused] = std::mismatch(root.begin(), root.end(), file.begin(), file.end());
    (void)unused;
    if (root_end != root.end()) return std::nullopt;
    if (!std::filesystem::is_regular_file(file, ec) || std::filesystem::file_size(file, ec) > largest_media_file)
        return std::nullopt;
    std::ifstream in(file, std::ios::binary);
    if (!in) return std::nullopt;
    MediaFile media{*type, std::string(std::istreambuf_iterator<char>(in), {})};
    return media;
}

}  // namespace fedblog::server
