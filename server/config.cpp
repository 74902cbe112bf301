#include "server/config.hpp"

#include <algorithm>
#include <boost/program_options.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <fstream>
#include <regex>
#include <sstream>

#include "common/domains.hpp"
#include "server/forwarded.hpp"

namespace po = boost::program_options;

namespace fedblog::server {

namespace {

struct CommandInfo {
    const char* name;
    const char* summary;
};

constexpr CommandInfo commands[] = {
    {"serve", "sync the content directory, then serve the blog and its ActivityPub presence"},
    {"publish", "sync the content directory into the store: new, changed and removed posts"},
    {"keys show", "print the actor's public key (PEM)"},
    {"keys rotate", "replace the actor's key pair (the old key is kept as actor.key.retired-<time>); followers get an Update"},
    {"followers", "list followers and follow requests waiting for approval (same as: followers list)"},
    {"followers approve", "<actor id or user@host>: accept a held follow request"},
    {"followers reject", "<actor id or user@host>: refuse a held follow request (a Reject is sent)"},
    {"followers remove", "<actor id or user@host>: remove a follower (a Reject is sent)"},
    {"deliveries", "pending, failing and dead deliveries per host"},
    {"deliveries list", "[host]: the jobs themselves, newest first, with their last error"},
    {"deliveries retry", "<job id | host | all>: send dead or waiting deliveries again now"},
    {"comments", "[list [held|approved|hidden|all]]: the latest comments, with their ids"},
    {"comments approve", "<id>: show a held (or hidden) comment"},
    {"comments hide", "<id>: take a comment off the blog"},
    {"comments delete", "<id>: delete a comment's text for good (an answer of the blog's: its Delete is sent)"},
    {"comments reply", "<id> --text <markdown> | --file <path>: answer a comment as the blog (its author is mentioned)"},
    {"comments edit", "<id> --text <markdown> | --file <path>: change the text of one of the blog's answers"},
    {"block", "blocked domains and actors, with the blocked_domains setting's (same as: block list)"},
    {"block add", "<domain | actor id | user@host> [reason]: refuse their activities, hide their comments, remove their follows"},
    {"block remove", "<domain | actor id | user@host>: lift a block; the comments it hid come back"},
    {"reports", "[list [open|resolved|all]]: reports (Flag) sent about the blog, its posts or comments"},
    {"reports resolve", "<id>: mark a report as dealt with"},
    {"comments backfill", "<slug>: fetch the replies to the post's comments that never reached the blog"},
    {"backup", "<file>: write the database and the actor key to one archive, safely while serve runs"},
    {"restore", "<file> [--force]: put a backup in place in an empty data_dir (--force: replace what is there)"},
    {"doctor", "check the config, key, database, clock and deliveries, then the blog through public_url"},
    {"version", "print the version"},
};

po::options_description settings_options(Settings& s, std::string& config_file) {
    const Settings defaults;
    po::options_description options("Settings (flag / config key with _ / FEDBLOG_ environment variable)");
    auto text = [](std::string& target, const std::string& fallback) {
        return po::value<std::string>(&target)->default_value(fallback);
    };
    auto flag = [](bool& target, bool fallback) {
        return po::value<bool>(&target)->default_value(fallback)->implicit_value(true);
    };
    options.add_options()
        ("config", po::value<std::string>(&config_file), "config file (key = value lines, see deploy/fedblog.conf.example)")
        ("data-dir", text(s.data_dir, defaults.data_dir), "folder for the SQLite database and the private key")
        ("content-dir", text(s.content_dir, defaults.content_dir), "folder of Markdown posts with YAML front matter, and their images")
        ("listen", text(s.listen, defaults.listen), "address:port to listen on ([::1]:8080 for IPv6)")
        ("public-url", text(s.public_url, defaults.public_url),
         "origin every id uses, as readers and servers reach it (e.g. https://blog.example); may differ from --listen behind a reverse proxy")
        ("handle", text(s.handle, defaults.handle), "the account name: @handle@host")
        ("blog-name", text(s.blog_name, defaults.blog_name), "display name of the blog")
        ("blog-summary", text(s.blog_summary, defaults.blog_summary), "one-paragraph description (plain text)")
        ("blog-icon", text(s.blog_icon, defaults.blog_icon), "avatar: an image path in the content directory, or an https URL")
        ("blog-header", text(s.blog_header, defaults.blog_header), "banner image: a path in the content directory, or an https URL")
        ("language", text(s.language, defaults.language), "default language of posts and pages (BCP 47)")
        ("author-name", text(s.author_name, defaults.author_name), "author shown in the feed and page metadata (default: the blog name)")
        ("object-type", po::value<std::string>()->default_value("article"),
         "article: posts federate as Article (title, summary, link); note: as Note (full text in timelines)")
        ("manually-approves-followers", flag(s.manually_approves_followers, defaults.manually_approves_followers),
         "hold follow requests until approved")
        ("blocked-domains", po::value<std::string>()->default_value(""),
         "comma-separated domains (subdomains included) whose activities are refused and whose follows are rejected")
        ("comments-close-after-days",
         po::value<unsigned>(&s.comments_close_after_days)->default_value(defaults.comments_close_after_days),
         "close comments on posts older than this many days (0: never); front matter `comments: closed` closes one post")
        ("comments-moderation", text(s.comments_moderation, defaults.comments_moderation),
         "open: replies are approved at once; trusted: approved from followers and actors with an approved comment, held otherwise; all_held: every reply waits for `fedblog comments approve`")
        ("comment-max-bytes", po::value<std::size_t>(&s.comment_max_bytes)->default_value(defaults.comment_max_bytes),
         "largest reply accepted as a comment (its HTML source, in bytes); larger ones are refused")
        ("comments-per-page", po::value<unsigned>(&s.comments_per_page)->default_value(defaults.comments_per_page),
         "comments on one page of a post's thread (post page, embed, comments API), whole top-level threads while they fit")
        ("comments-actor-rate", po::value<unsigned>(&s.comments_actor_rate)->default_value(defaults.comments_actor_rate),
         "spam signal: more comments than this from one actor in 10 minutes are held (0: off)")
        ("comments-domain-rate", po::value<unsigned>(&s.comments_domain_rate)->default_value(defaults.comments_domain_rate),
         "spam signal: more comments than this from one server in 10 minutes are held (0: off)")
        ("comments-new-per-domain", po::value<unsigned>(&s.comments_new_per_domain)->default_value(defaults.comments_new_per_domain),
         "spam signal: more first-time commenters than this from one server in an hour are held (0: off)")
        ("comments-max-mentions", po::value<unsigned>(&s.comments_max_mentions)->default_value(defaults.comments_max_mentions),
         "spam signal: a reply mentioning more accounts than this (the blog aside) is held (0: off)")
        ("comments-hold-links-only", flag(s.comments_hold_links_only, defaults.comments_hold_links_only),
         "spam signal: a reply with nothing but links (and mentions) is held")
        ("delivery-concurrency", po::value<unsigned>(&s.delivery_concurrency)->default_value(defaults.delivery_concurrency),
         "deliveries in flight at once")
        ("delivery-per-host", po::value<unsigned>(&s.delivery_per_host)->default_value(defaults.delivery_per_host),
         "deliveries in flight to one host at once")
        ("fetch-per-host", po::value<unsigned>(&s.fetch_per_host)->default_value(defaults.fetch_per_host),
         "fetches (keys, actors, posts, threads) in flight to one host at once; the others wait their turn (0: no bound)")
        ("inbox-rate-per-host", po::value<unsigned>(&s.inbox_rate_per_host)->default_value(defaults.inbox_rate_per_host),
         "inbox activities a minute from one remote host (the host of the signature's keyId; unsigned: the client "
         "address), after a burst of inbox_burst_per_host; more are answered 429 with Retry-After (0: no limit)")
        ("inbox-burst-per-host", po::value<unsigned>(&s.inbox_burst_per_host)->default_value(defaults.inbox_burst_per_host),
         "inbox activities one remote host may send at once before inbox_rate_per_host applies")
        ("inbox-max-in-flight", po::value<unsigned>(&s.inbox_max_in_flight)->default_value(defaults.inbox_max_in_flight),
         "inbox activities being verified and handled at once; more are answered 503 with Retry-After (0: no bound)")
        ("allow-private-addresses", flag(s.allow_private_addresses, defaults.allow_private_addresses),
         "let outbound requests reach loopback and private addresses (test deployments only)")
        ("allow-plain-http", flag(s.allow_plain_http, defaults.allow_plain_http),
         "let outbound requests use plain http:// URLs (development only)")
        ("signature-scheme", text(s.signature_scheme, defaults.signature_scheme),
         "outbound POST signatures: cavage (draft-cavage, what Mastodon expects) or rfc9421 (RFC 9421, falling back to cavage per host when refused)")
        ("threads", po::value<unsigned>(&s.threads)->default_value(defaults.threads), "I/O threads; 0 = one per core")
        ("max-header-bytes", po::value<std::size_t>(&s.max_header_bytes)->default_value(defaults.max_header_bytes),
         "largest request header block accepted (larger: 431)")
        ("max-body-bytes", po::value<std::size_t>(&s.max_body_bytes)->default_value(defaults.max_body_bytes),
         "largest request body accepted (larger: 413)")
        ("read-timeout", po::value<unsigned>(&s.read_timeout_seconds)->default_value(defaults.read_timeout_seconds),
         "seconds a client has to send a whole request, and to keep an idle connection")
        ("max-connections", po::value<unsigned>(&s.max_connections)->default_value(defaults.max_connections),
         "open connections at once; more are closed as they arrive")
        ("max-connections-per-client",
         po::value<unsigned>(&s.max_connections_per_client)->default_value(defaults.max_connections_per_client),
         "open connections at once from one client address (trusted_proxies exempt: limit per client in the proxy)")
        ("shutdown-grace", po::value<unsigned>(&s.shutdown_grace_seconds)->default_value(defaults.shutdown_grace_seconds),
         "seconds in-flight requests get to finish on SIGTERM")
        ("trusted-proxies", po::value<std::string>()->default_value(""),
         "comma-separated addresses or networks (127.0.0.1, 10.0.0.0/8, ::1) of reverse proxies whose X-Forwarded-For "
         "names the client; the right-most address not in this list is the client")
        ("metrics-allowed", po::value<std::string>()->default_value("127.0.0.1, ::1"),
         "comma-separated addresses or networks of the clients allowed to read GET /metrics (behind a trusted proxy: "
         "the real client); empty: nobody")
        ("log-format", text(s.log_format, defaults.log_format), "text or json")
        ("log-level", text(s.log_level, defaults.log_level), "debug, info, warn or error");
    return options;
}

// Arguments of one command rather than settings: never read from the environment or the config file.
po::options_description command_options() {
    po::options_description options("Command options");
    options.add_options()
        ("text", po::value<std::string>(), "comments reply|edit: the answer's text (Markdown)")
        ("file", po::value<std::string>(), "comments reply|edit: read the answer's text from this file (- for standard input)")
        ("force", po::bool_switch(), "restore: replace the files of a data_dir that is not empty (they are kept aside)");
    return options;
}

// The config file says allow_private_addresses; program_options knows allow-private-addresses.
std::string normalize_config_keys(std::istream& in) {
    std::ostringstream out;
    std::string line;
    while (std::getline(in, line)) {
        auto first = line.find_first_not_of(" \t");
        auto eq = line.find('=');
        if (first != std::string::npos && line[first] != '#' && line[first] != ';' && eq != std::string::npos)
            for (std::size_t i = first; i < eq; ++i)
                if (line[i] == '_') line[i] = '-';
        out << line << '\n';
    }
    return out.str();
}

std::string environment_name(const std::string& option) {
    std::string name = "FEDBLOG_";
    for (char c : option) name += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return name;
}

void store_environment(const po::options_description& options, const char* const* environment,
                       po::variables_map& values) {
    po::parsed_options parsed(&options);
    for (const char* const* entry = environment; entry && *entry; ++entry) {
        std::string_view pair = *entry;
        auto eq = pair.find('=');
        if (eq == std::string_view::npos || !pair.starts_with("FEDBLOG_")) continue;
        std::string variable(pair.substr(0, eq));
        const po::option_description* match = nullptr;
        for (const auto& option : options.options())
            if (environment_name(option->long_name()) == variable) match = option.get();
        if (!match) throw ConfigError("unknown environment variable " + variable);
        po::option opt;
        opt.string_key = match->long_name();
        opt.value.emplace_back(pair.substr(eq + 1));
        parsed.options.push_back(std::move(opt));
    }
    po::store(parsed, values);
}

// "a, b,,c" → {"a", "b", "c"}: blanks removed, empty items dropped.
std::vector<std::string> comma_list(const std::string& text) {
    std::vector<std::string> items;
    std::istringstream in(text);
    for (std::string item; std::getline(in, item, ',');) {
        std::erase_if(item, [](unsigned char c) { return std::isspace(c); });
        if (!item.empty()) items.push_back(item);
    }
    return items;
}

}  // namespace

CommandLine parse_command_line(int argc, const char* const argv[], const char* const* environment) {
    CommandLine result;
    po::options_description general("General");
    general.add_options()("help,h", "show help (for a command: fedblog <command> --help)")("version", "print the version");
    po::options_description settings = settings_options(result.settings, result.config_file);
    po::options_description hidden;
    hidden.add_options()("command", po::value<std::vector<std::string>>(&result.command));
    po::options_description all;
    all.add(general).add(settings).add(command_options()).add(hidden);
    po::positional_options_description positional;
    positional.add("command", -1);

    po::variables_map values;
    try {
        po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), values);
        store_environment(settings, environment, values);
        // The config file path itself may come from a flag or the environment.
        if (values.count("config")) {
            std::string path = values["config"].as<std::string>();
            std::ifstream file(path);
            if (!file) throw ConfigError("cannot read config file " + path);
            std::istringstream normalized(normalize_config_keys(file));
            po::store(po::parse_config_file(normalized, settings), values);
        }
        po::notify(values);
    } catch (const po::error& e) {
        throw ConfigError(e.what());
    }
    // Handed to the command with its words, as it was typed: `comments reply 12 --text "Merci !"`.
    for (const char* option : {"text", "file"})
        if (values.count(option)) {
            result.command.push_back(std::string("--") + option);
            result.command.push_back(values[option].as<std::string>());
        }
    if (values.count("force") && values["force"].as<bool>()) result.command.push_back("--force");
    result.help = values.count("help") > 0;
    result.version = values.count("version") > 0;
    std::string object_type = values["object-type"].as<std::string>();
    if (object_type == "article")
        result.settings.object_type = ObjectType::article;
    else if (object_type == "note")
        result.settings.object_type = ObjectType::note;
    else
        throw ConfigError("object_type must be article or note, not \"" + object_type + "\"");
    if (result.settings.author_name.empty()) result.settings.author_name = result.settings.blog_name;
    for (const std::string& entry : comma_list(values["blocked-domains"].as<std::string>())) {
        auto domain = normalize_domain(entry);
        if (!domain)
            throw ConfigError("blocked_domains: \"" + entry +
                              "\" is not a domain (an internationalized one is given as xn--...)");
        if (std::find(result.settings.blocked_domains.begin(), result.settings.blocked_domains.end(), *domain) ==
            result.settings.blocked_domains.end())
            result.settings.blocked_domains.push_back(*domain);
    }
    result.settings.trusted_proxies = comma_list(values["trusted-proxies"].as<std::string>());
    result.settings.metrics_allowed = comma_list(values["metrics-allowed"].as<std::string>());
    std::string& public_url = result.settings.public_url;
    while (!public_url.empty() && public_url.back() == '/') public_url.pop_back();
    // Ids are compared byte for byte by other servers: write the scheme and host the one canonical way.
    if (auto parsed = boost::urls::parse_absolute_uri(public_url)) {
        boost::urls::url canonical(*parsed);
        canonical.normalize_scheme();
        canonical.normalize_authority();
        public_url = canonical.buffer();
    }
    return result;
}

std::string help_text(const std::vector<std::string>& command) {
    Settings scratch;
    std::string config;
    std::ostringstream out;
    std::string name;
    for (const auto& word : command) {
        if (word.starts_with("--")) break;  // a command option (--text …) and what follows are not its name
        name += (name.empty() ? "" : " ") + word;
    }
    const CommandInfo* known = nullptr;
    for (const auto& info : commands)
        if (name == info.name) known = &info;
    if (known) {
        out << "Usage: fedblog " << known->name << " [settings]\n\n" << known->summary << ".\n\n";
    } else {
        out << "fedblog: a blog that the fediverse can follow and answer.\n\n"
               "Usage: fedblog <command> [settings]\n\nCommands:\n";
        for (const auto& info : commands) {
            std::string padded = info.name;
            padded.resize(19, ' ');
            out << "  " << padded << info.summary << "\n";
        }
        out << "\nEvery command accepts every setting, so one config file serves them all.\n\n";
    }
    out << command_options() << "\n" << settings_options(scratch, config) << "\n"
        << "Every setting can also be given in the config file (e.g. public_url = https://blog.example)\n"
           "or the environment (e.g. FEDBLOG_PUBLIC_URL=https://blog.example). Flags win over the\n"
           "environment, which wins over the file.\n";
    return out.str();
}

std::pair<std::string, unsigned short> split_listen_address(const std::string& listen) {
    auto colon = listen.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == listen.size())
        throw ConfigError("listen must be address:port, not \"" + listen + "\"");
    std::string host = listen.substr(0, colon);
    if (host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    unsigned long port = 0;
    try {
        std::size_t used = 0;
        port = std::stoul(listen.substr(colon + 1), &used);
        if (used != listen.size() - colon - 1 || port > 65535) throw std::out_of_range("port");
    } catch (const std::exception&) {
        throw ConfigError("listen port must be a number from 0 to 65535, not \"" + listen.substr(colon + 1) + "\"");
    }
    return {host, static_cast<unsigned short>(port)};
}

void validate(const Settings& settings) {
    auto url = boost::urls::parse_absolute_uri(settings.public_url);
    if (!url || (url->scheme() != "https" && url->scheme() != "http") || url->host().empty())
        throw ConfigError("public_url must be an absolute http(s) URL like https://blog.example, not \"" +
                          settings.public_url + "\"");
    if (!url->encoded_path().empty() || url->has_query() || url->has_fragment() || url->has_userinfo())
        throw ConfigError("public_url must be an origin only (scheme, host, optional port): WebFinger lives at the "
                          "root of the host, so fedblog cannot live under a path. Got \"" + settings.public_url + "\"");
    // Mastodon's username rule: [a-z0-9_]+([.-]+[a-z0-9_]+)*
    static const std::regex handle_rule("[a-z0-9_]+([.-]+[a-z0-9_]+)*");
    if (!std::regex_match(settings.handle, handle_rule))
        throw ConfigError("handle must be lowercase letters, digits and _ (. or - inside), not \"" + settings.handle + "\"");
    split_listen_address(settings.listen);
    if (settings.signature_scheme != "cavage" && settings.signature_scheme != "rfc9421")
        throw ConfigError("signature_scheme must be cavage or rfc9421");
    if (settings.log_format != "text" && settings.log_format != "json")
        throw ConfigError("log_format must be text or json");
    if (settings.log_level != "debug" && settings.log_level != "info" && settings.log_level != "warn" &&
        settings.log_level != "error")
        throw ConfigError("log_level must be debug, info, warn or error");
    if (settings.comments_moderation != "open" && settings.comments_moderation != "trusted" &&
        settings.comments_moderation != "all_held")
        throw ConfigError("comments_moderation must be open, trusted or all_held, not \"" + settings.comments_moderation + "\"");
    if (settings.comment_max_bytes == 0) throw ConfigError("comment_max_bytes must be positive");
    if (settings.comments_per_page == 0 || settings.comments_per_page > max_comments_per_page)
        throw ConfigError("comments_per_page must be between 1 and " + std::to_string(max_comments_per_page));
    if (settings.delivery_concurrency == 0 || settings.delivery_per_host == 0)
        throw ConfigError("delivery_concurrency and delivery_per_host must be at least 1");
    if (settings.inbox_rate_per_host != 0 && settings.inbox_burst_per_host == 0)
        throw ConfigError("inbox_burst_per_host must be at least 1 when inbox_rate_per_host is set (0 turns the limit off)");
    for (const auto* list : {&settings.trusted_proxies, &settings.metrics_allowed}) {
        try {
            AddressSet::parse(*list);
        } catch (const std::invalid_argument& e) {
            throw ConfigError(std::string(list == &settings.trusted_proxies ? "trusted_proxies" : "metrics_allowed") +
                              ": " + e.what());
        }
    }
    if (settings.max_body_bytes == 0 || settings.max_header_bytes < 1024)
        throw ConfigError("max_body_bytes must be positive and max_header_bytes at least 1024");
    if (settings.max_connections == 0 || settings.max_connections_per_client == 0)
        throw ConfigError("max_connections and max_connections_per_client must be at least 1");
    if (settings.read_timeout_seconds == 0) throw ConfigError("read_timeout must be at least 1 second");
}

}  // namespace fedblog::server
