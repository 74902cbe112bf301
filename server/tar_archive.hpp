#pragma once
// The backup file's container: a POSIX ustar archive of a few regular files, so an operator can always open
// one with plain `tar -xf` when fedblog is not at hand. Only what a backup needs: regular files with short
// names, no folders, links or extensions; anything else in an archive is refused, not skipped.
#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace fedblog::server {

// Writes an archive at `file`, created mode 0600 and never over an existing file. finish() writes the end
// blocks and fsyncs; an archive destroyed unfinished is removed.
class TarWriter {
public:
    explicit TarWriter(std::filesystem::path file);
    ~TarWriter();
    TarWriter(const TarWriter&) = delete;
    TarWriter& operator=(const TarWriter&) = delete;

    void add_bytes(std::string_view name, std::string_view bytes, std::int64_t mtime);
    void add_file(std::string_view name, const std::filesystem::path& source, std::int64_t mtime);
    void finish();

private:
    void header(std::string_view name, std::uint64_t size, std::int64_t mtime);
    void write(const char* data, std::size_t size);
    void pad(std::uint64_t size);

    std::filesystem::path file_;
    int fd_ = -1;
};

struct TarEntry {
    std::string name;
    std::uint64_t size = 0;
};

// Extracts every entry of `archive` into `folder` (mode 0600 files, fsynced). Each entry must be a regular
// file named in `allowed`, at most once. Throws std::runtime_error naming the fault (bad checksum, truncated
// archive, unexpected entry...).
std::vector<TarEntry> extract_tar(const std::filesystem::path& archive, const std::filesystem::path& folder,
                                  const std::set<std::string, std::less<>>& allowed);

}  // namespace fedblog::server
