#include "server/config.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/temp_dir.hpp"

using namespace fedblog::server;

namespace {

CommandLine parse(std::vector<const char*> args, std::vector<const char*> environment = {}) {
    args.insert(args.begin(), "fedblog");
    environment.push_back(nullptr);
    return parse_command_line(static_cast<int>(args.size()), args.data(), environment.data());
}

}  // namespace

TEST(Config, DefaultsAreTheEmbeddedDevelopmentSetup) {
    CommandLine line = parse({"serve"});
    EXPECT_EQ(line.command, std::vector<std::string>{"serve"});
    EXPECT_EQ(line.settings.data_dir, "fedblog-data");
    EXPECT_EQ(line.settings.content_dir, "content");
    EXPECT_EQ(line.settings.listen, "127.0.0.1:8080");
    EXPECT_EQ(line.settings.public_url, "http://localhost:8080");
    EXPECT_EQ(line.settings.handle, "blog");
    EXPECT_EQ(line.settings.language, "fr");
    EXPECT_FALSE(line.settings.allow_private_addresses);
    EXPECT_NO_THROW(validate(line.settings));
}

TEST(Config, OneNamingRuleAcrossFlagFileAndEnvironment) {
    fedblog::testing::TempDir dir;
    auto file = dir / "fedblog.conf";
    std::ofstream(file) << "# comment\npublic_url = https://file.example\nallow_private_addresses = true\n"
                           "blog_name = La coopérative\nhandle = fromfile\n";
    CommandLine from_file = parse({"publish", "--config", file.c_str()});
    EXPECT_EQ(from_file.settings.public_url, "https://file.example");
    EXPECT_TRUE(from_file.settings.allow_private_addresses);
    EXPECT_EQ(from_file.settings.blog_name, "La coopérative");
    EXPECT_EQ(from_file.settings.author_name, "La coopérative");  // defaults to the blog name

    // The environment beats the file; a flag beats both.
    CommandLine with_env = parse({"publish", "--config", file.c_str()},
                                 {"FEDBLOG_PUBLIC_URL=https://env.example", "FEDBLOG_HANDLE=fromenv", "PATH=/bin"});
    EXPECT_EQ(with_env.settings.public_url, "https://env.example");
    EXPECT_EQ(with_env.settings.handle, "fromenv");
    CommandLine with_flag = parse({"--public-url", "https://flag.example/", "publish", "--config", file.c_str()},
                                  {"FEDBLOG_PUBLIC_URL=https://env.example"});
    EXPECT_EQ(with_flag.settings.public_url, "https://flag.example");  // trailing slash dropped
    EXPECT_EQ(with_flag.command, std::vector<std::string>{"publish"});
    CommandLine mixed_case = parse({"serve", "--public-url", "HTTPS://Blog.Example"});
    EXPECT_EQ(mixed_case.settings.public_url, "https://blog.example");
}

TEST(Config, ConfigFileCanComeFromTheEnvironment) {
    fedblog::testing::TempDir dir;
    auto file = dir / "fedblog.conf";
    std::ofstream(file) << "listen = 0.0.0.0:9000\n";
    std::string variable = "FEDBLOG_CONFIG=" + file.string();
    CommandLine line = parse({"serve"}, {variable.c_str()});
    EXPECT_EQ(line.settings.listen, "0.0.0.0:9000");
}

TEST(Config, BooleanFlagWithoutValueMeansTrue) {
    CommandLine line = parse({"serve", "--allow-private-addresses", "--manually-approves-followers"});
    EXPECT_TRUE(line.settings.allow_private_addresses);
    EXPECT_TRUE(line.settings.manually_approves_followers);
}

TEST(Config, UnknownSettingsAreErrorsNamingThem) {
    try {
        parse({"serve", "--no-such-thing"});
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("no-such-thing"), std::string::npos) << e.what();
    }
    try {
        parse({"serve"}, {"FEDBLOG_TYPO=1"});
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("FEDBLOG_TYPO"), std::string::npos) << e.what();
    }
    EXPECT_THROW(parse({"serve", "--object-type", "page"}), ConfigError);
    EXPECT_THROW(parse({"serve", "--config", "/nonexistent/fedblog.conf"}), ConfigError);
}

TEST(Config, ValidationExplainsWhatIsWrong) {
    fedblog::Settings settings;
    settings.public_url = "https://blog.example/blog";
    EXPECT_THROW(validate(settings), ConfigError);  // WebFinger needs the root of the host
    settings.public_url = "blog.example";
    EXPECT_THROW(validate(settings), ConfigError);
    settings.public_url = "https://blog.example:8443";
    EXPECT_NO_THROW(validate(settings));
    settings.handle = "Blog";
    EXPECT_THROW(validate(settings), ConfigError);
    settings.handle = "le.blog";
    EXPECT_NO_THROW(validate(settings));
    settings.listen = "8080";
    EXPECT_THROW(validate(settings), ConfigError);
}

TEST(Config, ListenAddressForms) {
    EXPECT_EQ(split_listen_address("127.0.0.1:8080"), (std::pair<std::string, unsigned short>{"127.0.0.1", 8080}));
    EXPECT_EQ(split_listen_address("[::1]:8443"), (std::pair<std::string, unsigned short>{"::1", 8443}));
    EXPECT_THROW(split_listen_address("127.0.0.1:99999"), ConfigError);
    EXPECT_THROW(split_listen_address("127.0.0.1:80x"), ConfigError);
}

TEST(Config, HelpNamesEverySettingInAllThreeForms) {
    std::string help = help_text({});
    for (const char* needle : {"serve", "publish", "--data-dir", "--public-url", "--allow-private-addresses",
                               "--content-dir", "--handle", "--blog-name", "--language", "FEDBLOG_PUBLIC_URL",
                               "public_url"})
        EXPECT_NE(help.find(needle), std::string::npos) << needle;
    std::string serve_help = help_text({"serve"});
    EXPECT_NE(serve_help.find("Usage: fedblog serve"), std::string::npos);
    EXPECT_NE(serve_help.find("--listen"), std::string::npos);
}

TEST(Config, SignatureSchemeIsCavageOrRfc9421) {
    EXPECT_EQ(parse({"serve"}).settings.signature_scheme, "cavage");
    fedblog::Settings settings = parse({"serve", "--signature-scheme", "rfc9421"}).settings;
    EXPECT_NO_THROW(validate(settings));
    settings.signature_scheme = "hmac";
    EXPECT_THROW(validate(settings), ConfigError);
}

TEST(Config, BackPressureSettingsHaveDefaultsAndAreChecked) {
    CommandLine defaults = parse({"serve"});
    EXPECT_EQ(defaults.settings.inbox_rate_per_host, 600u);
    EXPECT_EQ(defaults.settings.inbox_burst_per_host, 600u);
    EXPECT_EQ(defaults.settings.inbox_max_in_flight, 256u);
    EXPECT_EQ(defaults.settings.fetch_per_host, 4u);
    EXPECT_NO_THROW(validate(defaults.settings));

    CommandLine given = parse({"serve", "--inbox-rate-per-host", "0", "--inbox-burst-per-host", "0"},
                              {"FEDBLOG_INBOX_MAX_IN_FLIGHT=16", "FEDBLOG_FETCH_PER_HOST=2"});
    EXPECT_EQ(given.settings.inbox_rate_per_host, 0u);  // off: a burst of 0 is then fine
    EXPECT_EQ(given.settings.inbox_max_in_flight, 16u);
    EXPECT_EQ(given.settings.fetch_per_host, 2u);
    EXPECT_NO_THROW(validate(given.settings));
    EXPECT_THROW(validate(parse({"serve", "--inbox-burst-per-host", "0"}).settings), ConfigError);
}

TEST(Config, CommentModerationSettingsHaveDefaultsAndAreChecked) {
    CommandLine defaults = parse({"serve"});
    EXPECT_EQ(defaults.settings.comments_moderation, "trusted");
    EXPECT_EQ(defaults.settings.comment_max_bytes, 16u * 1024);
    EXPECT_TRUE(defaults.settings.comments_hold_links_only);

    fedblog::testing::TempDir dir;
    auto file = dir / "fedblog.conf";
    std::ofstream(file) << "comments_moderation = all_held\ncomment_max_bytes = 4096\ncomments_actor_rate = 0\n"
                           "comments_hold_links_only = false\n";
    CommandLine from_file = parse({"serve", "--config", file.c_str()}, {"FEDBLOG_COMMENTS_MAX_MENTIONS=9"});
    EXPECT_EQ(from_file.settings.comments_moderation, "all_held");
    EXPECT_EQ(from_file.settings.comment_max_bytes, 4096u);
    EXPECT_EQ(from_file.settings.comments_actor_rate, 0u);
    EXPECT_EQ(from_file.settings.comments_max_mentions, 9u);
    EXPECT_FALSE(from_file.settings.comments_hold_links_only);
    EXPECT_NO_THROW(validate(from_file.settings));

    EXPECT_THROW(validate(parse({"serve", "--comments-moderation", "closed"}).settings), ConfigError);
    EXPECT_THROW(validate(parse({"serve", "--comment-max-bytes", "0"}).settings), ConfigError);
}

TEST(Config, CommentsPerPageHasADefaultAndABound) {
    EXPECT_EQ(parse({"serve"}).settings.comments_per_page, 150u);
    CommandLine given = parse({"serve"}, {"FEDBLOG_COMMENTS_PER_PAGE=40"});
    EXPECT_EQ(given.settings.comments_per_page, 40u);
    EXPECT_NO_THROW(validate(given.settings));
    EXPECT_THROW(validate(parse({"serve", "--comments-per-page", "0"}).settings), ConfigError);
    EXPECT_THROW(validate(parse({"serve", "--comments-per-page", "1001"}).settings), ConfigError);
}

TEST(Config, ConnectionCapsHaveDefaultsAndAreChecked) {
    CommandLine defaults = parse({"serve"});
    EXPECT_EQ(defaults.settings.max_connections, 1024u);
    EXPECT_EQ(defaults.settings.max_connections_per_client, 64u);

    fedblog::testing::TempDir dir;
    auto file = dir / "fedblog.conf";
    std::ofstream(file) << "max_connections = 300\n";
    CommandLine set = parse({"serve", "--config", file.c_str()}, {"FEDBLOG_MAX_CONNECTIONS_PER_CLIENT=8"});
    EXPECT_EQ(set.settings.max_connections, 300u);
    EXPECT_EQ(set.settings.max_connections_per_client, 8u);
    EXPECT_NO_THROW(validate(set.settings));

    EXPECT_THROW(validate(parse({"serve", "--max-connections", "0"}).settings), ConfigError);
    EXPECT_THROW(validate(parse({"serve", "--max-connections-per-client", "0"}).settings), ConfigError);
    EXPECT_THROW(validate(parse({"serve", "--read-timeout", "0"}).settings), ConfigError);
}

TEST(Config, BlockedDomainsAreNormalizedAndAWrongOneIsNamed) {
    CommandLine line = parse({"serve", "--blocked-domains", "Spam.Example, *.troll.example,.spam.example."});
    EXPECT_EQ(line.settings.blocked_domains, (std::vector<std::string>{"spam.example", "troll.example"}));
    try {
        parse({"serve", "--blocked-domains", "ok.example,https://spam.example/"});
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("\"https://spam.example/\" is not a domain"), std::string::npos) << e.what();
    }
}
