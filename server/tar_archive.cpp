#include "server/tar_archive.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <vector>

namespace fedblog::server {

namespace {

constexpr std::size_t block = 512;
// 11 octal digits: the ustar size field's limit.
constexpr std::uint64_t max_entry_size = 077777777777ULL;

std::runtime_error system_error(const std::string& what, const std::filesystem::path& path) {
    return std::runtime_error(what + " " + path.string() + ": " + std::strerror(errno));
}

// Closes a descriptor on every path out.
struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

void write_octal(char* field, std::size_t width, std::uint64_t value) {
    // width - 1 digits, then NUL, as POSIX writes them.
    for (std::size_t i = width - 1; i-- > 0;) {
        field[i] = static_cast<char>('0' + (value & 7));
        value >>= 3;
    }
    field[width - 1] = '\0';
}

std::uint64_t header_checksum(const std::array<char, block>& header) {
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < block; ++i)
        sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(header[i]);
    return sum;
}

std::optional<std::uint64_t> read_octal(const char* field, std::size_t width) {
    std::uint64_t value = 0;
    std::size_t i = 0;
    while (i < width && field[i] == ' ') ++i;
    bool digits = false;
    for (; i < width && field[i] >= '0' && field[i] <= '7'; ++i) {
        if (value > (max_entry_size >> 3)) return std::nullopt;
        value = value * 8 + static_cast<std::uint64_t>(field[i] - '0');
        digits = true;
    }
    for (; i < width; ++i)
        if (field[i] != '\0' && field[i] != ' ') return std::nullopt;
    if (!digits) return std::nullopt;
    return value;
}

bool read_exactly(int fd, char* data, std::size_t size) {
    std::size_t done = 0;
    while (done < size) {
        ssize_t n = ::read(fd, data + done, size - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

void write_all(int fd, const char* data, std::size_t size, const std::filesystem::path& path) {
    while (size > 0) {
        ssize_t n = ::write(fd, data, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw system_error("cannot write", path);
        data += n;
        size -= static_cast<std::size_t>(n);
    }
}

}  // namespace

TarWriter::TarWriter(std::filesystem::path file) : file_(std::move(file)) {
    // 0600 from the first byte: the archive holds the blog's private key.
    fd_ = ::open(file_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd_ < 0) throw system_error("cannot create", file_);
}

TarWriter::~TarWriter() {
    if (fd_ < 0) return;
    ::close(fd_);
    std::error_code ignored;
    std::filesystem::remove(file_, ignored);
}

void TarWriter::write(const char* data, std::size_t size) { write_all(fd_, data, size, file_); }

void TarWriter::pad(std::uint64_t size) {
    static const std::array<char, block> zeros{};
    if (size % block) write(zeros.data(), block - size % block);
}

void TarWriter::header(std::string_view name, std::uint64_t size, std::int64_t mtime) {
    if (name.empty() || name.size() >= 100 || name.find('/') != std::string_view::npos)
        throw std::invalid_argument("tar entry names are short plain file names");
    if (size > max_entry_size) throw std::runtime_error("a file over 8 GiB cannot go into the archive");
    std::array<char, block> h{};
    std::copy(name.begin(), name.end(), h.begin());
    write_octal(&h[100], 8, 0600);
    write_octal(&h[108], 8, 0);
    write_octal(&h[116], 8, 0);
    write_octal(&h[124], 12, size);
    write_octal(&h[136], 12, static_cast<std::uint64_t>(std::max<std::int64_t>(0, mtime)));
    h[156] = '0';
    std::memcpy(&h[257], "ustar", 6);  // with its NUL
    std::memcpy(&h[263], "00", 2);
    write_octal(&h[148], 7, header_checksum(h));  // six digits and a NUL, then the space left by the fill below
    h[155] = ' ';
    write(h.data(), h.size());
}

void TarWriter::add_bytes(std::string_view name, std::string_view bytes, std::int64_t mtime) {
    header(name, bytes.size(), mtime);
    write(bytes.data(), bytes.size());
    pad(bytes.size());
}

void TarWriter::add_file(std::string_view name, const std::filesystem::path& source, std::int64_t mtime) {
    Fd in{::open(source.c_str(), O_RDONLY | O_CLOEXEC)};
    if (in.fd < 0) throw system_error("cannot read", source);
    std::uint64_t size = std::filesystem::file_size(source);
    header(name, size, mtime);
    std::vector<char> buffer(1 << 16);
    std::uint64_t left = size;
    while (left > 0) {
        std::size_t chunk = static_cast<std::size_t>(std::min<std::uint64_t>(left, buffer.size()));
        if (!read_exactly(in.fd, buffer.data(), chunk)) throw std::runtime_error(source.string() + " changed while it was archived");
        write(buffer.data(), chunk);
        left -= chunk;
    }
    pad(size);
}

void TarWriter::finish() {
    static const std::array<char, 2 * block> end{};
    write(end.data(), end.size());
    if (::fsync(fd_) != 0) throw system_error("cannot sync", file_);
    int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) throw system_error("cannot close", file_);
}

std::vector<TarEntry> extract_tar(const std::filesystem::path& archive, const std::filesystem::path& folder,
                                  const std::set<std::string, std::less<>>& allowed) {
    Fd in{::open(archive.c_str(), O_RDONLY | O_CLOEXEC)};
    if (in.fd < 0) throw system_error("cannot read", archive);
    std::vector<TarEntry> entries;
    std::array<char, block> h{};
    std::vector<char> buffer(1 << 16);
    for (;;) {
        if (!read_exactly(in.fd, h.data(), block))
            throw std::runtime_error(archive.string() + " is truncated (no end-of-archive blocks)");
        if (std::all_of(h.begin(), h.end(), [](char c) { return c == '\0'; })) break;
        auto checksum = read_octal(&h[148], 8);
        if (!checksum || *checksum != header_checksum(h))
            throw std::runtime_error(archive.string() + " is not a tar archive, or is damaged (header checksum)");
        if (std::memcmp(&h[257], "ustar", 5) != 0)
            throw std::runtime_error(archive.string() + " is not a ustar archive");
        std::string name(&h[0], strnlen(&h[0], 100));
        if (h[345] != '\0') throw std::runtime_error("unexpected entry with a path prefix in " + archive.string());
        if (h[156] != '0' && h[156] != '\0')
            throw std::runtime_error("unexpected entry \"" + name + "\" in " + archive.string() + ": not a regular file");
        if (!allowed.contains(name))
            throw std::runtime_error("unexpected entry \"" + name + "\" in " + archive.string());
        if (std::any_of(entries.begin(), entries.end(), [&](const TarEntry& e) { return e.name == name; }))
            throw std::runtime_error("entry \"" + name + "\" appears twice in " + archive.string());
        auto size = read_octal(&h[124], 12);
        if (!size) throw std::runtime_error("entry \"" + name + "\" has an unreadable size in " + archive.string());

        const std::filesystem::path target = folder / name;
        Fd out{::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)};
        if (out.fd < 0) throw system_error("cannot create", target);
        std::uint64_t left = *size;
        while (left > 0) {
            std::size_t chunk = static_cast<std::size_t>(std::min<std::uint64_t>(left, buffer.size()));
            if (!read_exactly(in.fd, buffer.data(), chunk))
                throw std::runtime_error(archive.string() + " is truncated (inside \"" + name + "\")");
            write_all(out.fd, buffer.data(), chunk, target);
            left -= chunk;
        }
        if (::fsync(out.fd) != 0) throw system_error("cannot sync", target);
        if (*size % block && !read_exactly(in.fd, buffer.data(), block - *size % block))
            throw std::runtime_error(archive.string() + " is truncated (after \"" + name + "\")");
        entries.push_back({std::move(name), *size});
    }
    return entries;
}

}  // namespace fedblog::server
