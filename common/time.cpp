#include "common/time.hpp"

#include <charconv>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace fedblog {

std::int64_t now_seconds() {
    using namespace std::chrono;
    return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

static std::tm utc(std::int64_t unix_seconds) {
    std::time_t t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    return tm;
}

std::string format_rfc3339(std::int64_t unix_seconds) {
    std::tm tm = utc(unix_seconds);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string format_http_date(std::int64_t unix_seconds) {
    // Not strftime("%a"/"%b"): those follow the locale, HTTP wants English.
    static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::tm tm = utc(unix_seconds);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday], tm.tm_mday,
                  months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buf;
}

namespace {

struct Cursor {
    std::string_view s;
    std::size_t i = 0;
    bool done() const { return i >= s.size(); }
    char peek() const { return done() ? '\0' : s[i]; }
    bool take(char c) {
        if (peek() != c) return false;
        ++i;
        return true;
    }
    std::optional<int> digits(std::size_t n) {
        if (i + n > s.size()) return std::nullopt;
        int value = 0;
        auto [end, ec] = std::from_chars(s.data() + i, s.data() + i + n, value);
        if (ec != std::errc{} || end != s.data() + i + n) return std::nullopt;
        i += n;
        return value;
    }
};

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(int y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return static_cast<std::int64_t>(era) * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool valid_day(int y, int m, int d) {
    static constexpr int lengths[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1) return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= lengths[m - 1] + (m == 2 && leap ? 1 : 0);
}

}  // namespace

std::optional<std::int64_t> parse_date_time(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    Cursor c{text};
    auto year = c.digits(4);
    if (!year || !c.take('-')) return std::nullopt;
    auto month = c.digits(2);
    if (!month || !c.take('-')) return std::nullopt;
    auto day = c.digits(2);
    if (!day || !valid_day(*year, *month, *day)) return std::nullopt;
    int hour = 0, minute = 0, second = 0, offset_minutes = 0;
    if (!c.done()) {
        if (!c.take('T') && !c.take('t') && !c.take(' ')) return std::nullopt;
        auto h = c.digits(2);
        if (!h || !c.take(':')) return std::nullopt;
        auto mi = c.digits(2);
        if (!mi) return std::nullopt;
        hour = *h;
        minute = *mi;
        if (c.take(':')) {
            auto sec = c.digits(2);
            if (!sec) return std::nullopt;
            second = *sec;
            if (c.take('.')) {
                std::size_t start = c.i;
                while (!c.done() && c.peek() >= '0' && c.peek() <= '9') ++c.i;
                if (c.i == start) return std::nullopt;
            }
        }
        if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
        while (c.take(' ')) {
        }
        if (c.take('Z') || c.take('z')) {
        } else if (c.peek() == '+' || c.peek() == '-') {
            int sign = c.peek() == '-' ? -1 : 1;
            ++c.i;
            auto oh = c.digits(2);
            if (!oh) return std::nullopt;
            c.take(':');
            auto om = c.digits(2);
            if (!om || *oh > 23 || *om > 59) return std::nullopt;
            offset_minutes = sign * (*oh * 60 + *om);
        }
        if (!c.done()) return std::nullopt;
    }
    std::int64_t days = days_from_civil(*year, static_cast<unsigned>(*month), static_cast<unsigned>(*day));
    return days * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
}

}  // namespace fedblog
