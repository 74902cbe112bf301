#pragma once
// One line per event, text ("2026-11-26T06:34:13Z info request method=GET ...") or JSON, on stderr.
// Lines are buffered and written by a background flusher so the access log costs no syscall per
// request; warnings and errors are written at once.
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace fedblog::log {

enum class Level { debug, info, warn, error };
enum class Format { text, json };

struct Field {
    std::string_view key;
    std::string value;
    Field(std::string_view k, std::string v) : key(k), value(std::move(v)) {}
    Field(std::string_view k, std::string_view v) : key(k), value(v) {}
    Field(std::string_view k, const char* v) : key(k), value(v) {}
    template <typename Number, typename = std::enable_if_t<std::is_arithmetic_v<Number>>>
    Field(std::string_view k, Number v) : key(k), value(std::to_string(v)) {}
};

void configure(Level minimum, Format format);
Level parse_level(std::string_view name);  // unknown → info
Format parse_format(std::string_view name);  // unknown → text
bool enabled(Level level);

void write(Level level, std::string_view event, std::initializer_list<Field> fields = {});
inline void debug(std::string_view event, std::initializer_list<Field> fields = {}) { write(Level::debug, event, fields); }
inline void info(std::string_view event, std::initializer_list<Field> fields = {}) { write(Level::info, event, fields); }
inline void warn(std::string_view event, std::initializer_list<Field> fields = {}) { write(Level::warn, event, fields); }
inline void error(std::string_view event, std::initializer_list<Field> fields = {}) { write(Level::error, event, fields); }

// Writes whatever is buffered; called at exit and by the flusher.
void flush();

}  // namespace fedblog::log
