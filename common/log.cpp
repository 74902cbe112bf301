#include "common/log.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

#include "common/time.hpp"

namespace fedblog::log {

namespace {

constexpr std::size_t flush_threshold = 64 * 1024;

class Sink {
public:
    Sink() : flusher_([this] { run(); }) {}
    ~Sink() {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_one();
        flusher_.join();
        flush();
    }

    void append(std::string&& line, bool urgent) {
        std::unique_lock lock(mutex_);
        buffer_ += line;
        if (urgent || buffer_.size() >= flush_threshold) write_locked(lock);
    }

    void flush() {
        std::unique_lock lock(mutex_);
        write_locked(lock);
    }

private:
    void write_locked(std::unique_lock<std::mutex>& lock) {
        std::string pending;
        pending.swap(buffer_);
        lock.unlock();
        std::lock_guard write_lock(write_mutex_);  // keeps lines from two flushes in order
        std::size_t done = 0;
        while (done < pending.size()) {
            ssize_t n = ::write(STDERR_FILENO, pending.data() + done, pending.size() - done);
            if (n <= 0) break;  // nowhere to report a failing stderr
            done += static_cast<std::size_t>(n);
        }
        lock.lock();
    }

    void run() {
        std::unique_lock lock(mutex_);
        while (!stopping_) {
            wake_.wait_for(lock, std::chrono::milliseconds(200));
            if (!buffer_.empty()) write_locked(lock);
        }
    }

    std::mutex mutex_;
    std::mutex write_mutex_;
    std::condition_variable wake_;
    std::string buffer_;
    bool stopping_ = false;
    std::thread flusher_;
};

Sink& sink() {
    static Sink instance;
    return instance;
}

std::atomic<Level> minimum_level{Level::info};
std::atomic<Format> output_format{Format::text};

const char* level_name(Level level) {
    switch (level) {
        case Level::debug: return "debug";
        case Level::info: return "info";
        case Level::warn: return "warn";
        case Level::error: return "error";
    }
    return "info";
}

void append_json_string(std::string& out, std::string_view value) {
    out += '"';
    for (unsigned char c : value) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
    out += '"';
}

// Text values are quoted when they hold spaces, quotes or control characters, so a hostile
// User-Agent cannot forge a second log line.
void append_text_value(std::string& out, std::string_view value) {
    bool plain = !value.empty();
    for (unsigned char c : value)
        if (c <= ' ' || c == '"' || c == '=' || c == 0x7f) plain = false;
    if (plain)
        out += value;
    else
        append_json_string(out, value);
}

}  // namespace

void configure(Level minimum, Format format) {
    minimum_level = minimum;
    output_format = format;
}

Level parse_level(std::string_view name) {
    if (name == "debug") return Level::debug;
    if (name == "warn") return Level::warn;
    if (name == "error") return Level::error;
    return Level::info;
}

Format parse_format(std::string_view name) { return name == "json" ? Format::json : Format::text; }

bool enabled(Level level) { return level >= minimum_level.load(std::memory_order_relaxed); }

void write(Level level, std::string_view event, std::initializer_list<Field> fields) {
    if (!enabled(level)) return;
    std::string line;
    line.reserve(128);
    std::string time = format_rfc3339(now_seconds());
    if (output_format.load(std::memory_order_relaxed) == Format::json) {
        line += "{\"time\":\"" + time + "\",\"level\":\"" + level_name(level) + "\",\"event\":";
        append_json_string(line, event);
        for (const Field& field : fields) {
            line += ',';
            append_json_string(line, field.key);
            line += ':';
            append_json_string(line, field.value);
        }
        line += "}\n";
    } else {
        line += time;
        line += ' ';
        line += level_name(level);
        line += ' ';
        append_text_value(line, event);
        for (const Field& field : fields) {
            line += ' ';
            line += field.key;
            line += '=';
            append_text_value(line, field.value);
        }
        line += '\n';
    }
    sink().append(std::move(line), level >= Level::warn);
}

void flush() { sink().flush(); }

}  // namespace fedblog::log
