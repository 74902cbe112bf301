#include "common/json_guard.hpp"

#include "common/utf8.hpp"

namespace fedblog {

std::optional<JsonProblem> check_untrusted_json(std::string_view body, std::size_t max_depth) {
    if (auto bad = find_invalid_utf8(body))
        return JsonProblem{"invalid_utf8", "the body is not UTF-8 (a malformed sequence at byte " + std::to_string(*bad) + ")"};
    std::size_t depth = 0;
    bool in_string = false, escaped = false;
    for (std::size_t i = 0; i < body.size(); ++i) {
        char c = body[i];
        if (in_string) {
            if (escaped) escaped = false;
            else if (c == '\\') escaped = true;
            else if (c == '"') in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max_depth)
                return JsonProblem{"json_too_deep", "the JSON nests deeper than " + std::to_string(max_depth) +
                                                        " levels (at byte " + std::to_string(i) + ")"};
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;  // an unbalanced close is the parser's to refuse
        }
    }
    return std::nullopt;
}

}  // namespace fedblog
