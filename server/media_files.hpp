#pragma once
// Images beside the posts, served from the content directory under /media/. Only image types are
// served, and only files inside the content directory: no dot-files, no "..", no symlink escapes.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace fedblog::server {

struct MediaFile {
    std::string content_type;
    std::string bytes;
};

// decoded_relative_path: the path after /media/, percent-decoded. Nothing when not servable.
std::optional<MediaFile> read_media_file(const std::filesystem::path& content_dir, std::string_view decoded_relative_path);

// Content-Type for the image extensions we serve; nothing for anything else.
std::optional<std::string> media_content_type(const std::filesystem::path& file);

}  // namespace fedblog::server
