#include "server/answer_commands.hpp"

#include <charconv>
#include <fstream>
#include <iostream>
#include <optional>

#include "activitypub/delivery/owner_answers.hpp"
#include "activitypub/ids.hpp"
#include "common/time.hpp"
#include "common/utf8.hpp"
#include "publishing/markdown.hpp"

namespace fedblog::server {

namespace {

constexpr const char* usage =
    "usage: fedblog comments reply <comment id> (--text <markdown> | --file <path>)\n"
    "       fedblog comments edit <answer id> (--text <markdown> | --file <path>)\n";

std::optional<std::int64_t> parse_id(const std::string& word) {
    std::int64_t id = 0;
    auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), id);
    if (ec != std::errc{} || end != word.data() + word.size() || id < 1) return std::nullopt;
    return id;
}

// At most `limit` + 1 bytes, so an oversized text is told apart without reading all of it.
std::optional<std::string> read_bounded(std::istream& in, std::size_t limit) {
    std::string text(limit + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    if (in.bad()) return std::nullopt;
    text.resize(static_cast<std::size_t>(in.gcount()));
    return text;
}

// The Markdown from --text or --file, checked; or what is wrong with the command (usage) or the text (error).
struct AnswerText {
    std::string markdown{};
    std::string error{};
    bool bad_usage = false;
};

AnswerText answer_text(const std::vector<std::string>& options) {
    std::optional<std::string> text, file;
    for (std::size_t i = 0; i < options.size(); i += 2) {
        bool once = !text && !file && i + 1 < options.size();
        if (once && options[i] == "--text") text = options[i + 1];
        else if (once && options[i] == "--file") file = options[i + 1];
        else return {.bad_usage = true};
    }
    if (!text && !file) return {.bad_usage = true};
    if (file) {
        std::optional<std::string> read;
        if (*file == "-") {
            read = read_bounded(std::cin, max_answer_bytes);
        } else if (std::ifstream in(*file, std::ios::binary); in) {
            read = read_bounded(in, max_answer_bytes);
        }
        if (!read) return {.error = "cannot read " + *file};
        text = std::move(*read);
    }
    if (text->size() > max_answer_bytes)
        return {.error = "the text is longer than " + std::to_string(max_answer_bytes / 1024) + " KiB"};
    if (auto bad = find_invalid_utf8(*text))
        return {.error = "the text is not UTF-8 (byte " + std::to_string(*bad) + ")"};
    if (text->find_first_not_of(" \t\r\n") == std::string::npos) return {.error = "the text is empty"};
    return {.markdown = std::move(*text)};
}

void report(const activitypub::delivery::AnswerOutcome& outcome, const activitypub::Ids& ids, std::string_view done) {
    std::cout << "Answer " << outcome.answer->id << " " << done << ": " << ids.comment(outcome.answer->id) << " ("
              << outcome.inboxes << (outcome.inboxes == 1 ? " inbox" : " inboxes") << " to deliver to).\n";
}

}  // namespace

int answer_command(App& app, const std::vector<std::string>& words) {
    const std::int64_t id = words.size() >= 2 ? parse_id(words[1]).value_or(0) : 0;
    if (words.empty() || (words[0] != "reply" && words[0] != "edit") || id == 0) {
        std::cerr << usage;
        return 2;
    }
    AnswerText text = answer_text({words.begin() + 2, words.end()});
    if (text.bad_usage) {
        std::cerr << usage;
        return 2;
    }
    if (!text.error.empty()) {
        std::cerr << "fedblog comments " << words[0] << ": " << text.error << "\n";
        return 1;
    }
    const Settings& settings = app.settings();
    activitypub::Ids ids(settings.public_url, settings.handle);
    // Relative image paths point into the content folder's media route, as in posts.
    std::string html = publishing::render_markdown(text.markdown, ids.media("")).html;
    auto outcome = words[0] == "reply"
                       ? activitypub::delivery::answer_comment(app.database(), settings, ids, id, html, now_seconds())
                       : activitypub::delivery::edit_answer(app.database(), settings, ids, id, html, now_seconds());
    if (!outcome.answer) {
        std::cerr << "fedblog comments " << words[0] << ": " << outcome.error << "\n";
        return 1;
    }
    report(outcome, ids, words[0] == "reply" ? "published" : "edited");
    return 0;
}

int delete_answer_command(App& app, std::int64_t id) {
    const Settings& settings = app.settings();
    activitypub::Ids ids(settings.public_url, settings.handle);
    auto outcome = activitypub::delivery::delete_answer(app.database(), settings, ids, id, now_seconds());
    if (!outcome.answer) {
        std::cerr << "fedblog comments delete: " << outcome.error << "\n";
        return 1;
    }
    report(outcome, ids, "deleted");
    return 0;
}

}  // namespace fedblog::server
