// `fedblog comments reply|edit|delete` of the owner's answers on a real data folder: the command line as typed,
// what is stored and queued, and what the operator reads when something is wrong.
#include "server/answer_commands.hpp"

#include <gtest/gtest.h>

#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "server/admin_commands.hpp"
#include "server/config.hpp"
#include "store/comments.hpp"
#include "store/deliveries.hpp"
#include "store/followers.hpp"
#include "store/posts.hpp"
#include "store/remote_actors.hpp"
#include "tests/server/server_fixture.hpp"
#include "tests/support/temp_dir.hpp"

using namespace fedblog;

namespace {

class AnswerCommandsTest : public ::testing::Test {
protected:
    AnswerCommandsTest() {
        settings.data_dir = (dir / "data").string();
        settings.content_dir = (dir / "content").string();
        settings.public_url = "https://blog.example";
        app = std::make_unique<server::App>(settings);
        store::Post post;
        post.slug = "bonjour";
        post.source_path = "bonjour.md";
        post.source_hash = "h";
        post.title = "Bonjour";
        post.summary_html = post.content_html = "<p>Bonjour</p>";
        post.language = "fr";
        post.published = 1000;
        std::int64_t post_id = store::Posts(app->database()).insert(post);
        store::RemoteActor alice;
        alice.id = "https://m.example/users/alice";
        alice.inbox = alice.id + "/inbox";
        alice.shared_inbox = "https://m.example/inbox";
        alice.handle = "alice@m.example";
        alice.fetched_at = 1000;
        store::RemoteActors(app->database()).save(alice);
        store::Comment comment;
        comment.object_id = "https://m.example/users/alice/statuses/1";
        comment.post_id = post_id;
        comment.actor_id = alice.id;
        comment.content_html = "<p>Une question ?</p>";
        comment.published = comment.received_at = 2000;
        question = *store::Comments(app->database()).insert(comment);
    }

    // Runs `fedblog comments <words>` and returns what it printed; `errors` gets stderr.
    std::string run(std::vector<std::string> words, int expected_status = 0) {
        std::ostringstream out, err;
        auto* previous_out = std::cout.rdbuf(out.rdbuf());
        auto* previous_err = std::cerr.rdbuf(err.rdbuf());
        int status = server::comments_command(*app, words);
        std::cout.rdbuf(previous_out);
        std::cerr.rdbuf(previous_err);
        errors = err.str();
        EXPECT_EQ(status, expected_status) << out.str() << errors;
        return out.str();
    }

    std::vector<store::DeliveryJob> jobs_of_type(const std::string& type) {
        std::vector<store::DeliveryJob> found;
        for (auto& job : store::Deliveries(app->database()).list("", "", 100))
            if (nlohmann::json::parse(job.body).value("type", "") == type) found.push_back(job);
        return found;
    }

    fedblog::testing::TempDir dir;
    Settings settings;
    std::unique_ptr<server::App> app;
    std::int64_t question = 0;
    std::string errors;
};

TEST_F(AnswerCommandsTest, TheCommandLineHandsTheTextToTheCommand) {
    const char* argv[] = {"fedblog", "comments", "reply", "12", "--text", "Merci *beaucoup* !"};
    const char* const environment[] = {nullptr};
    auto line = server::parse_command_line(6, argv, environment);
    EXPECT_EQ(line.command, (std::vector<std::string>{"comments", "reply", "12", "--text", "Merci *beaucoup* !"}));
    const char* from_file[] = {"fedblog", "comments", "edit", "12", "--file", "reponse.md"};
    EXPECT_EQ(server::parse_command_line(6, from_file, environment).command,
              (std::vector<std::string>{"comments", "edit", "12", "--file", "reponse.md"}));
    EXPECT_NE(server::help_text({}).find("comments reply"), std::string::npos);
    EXPECT_NE(server::help_text({"comments", "reply"}).find("--text"), std::string::npos);
}

TEST_F(AnswerCommandsTest, ReplyRendersMarkdownStoresTheAnswerAndQueuesItsCreate) {
    std::string out = run({"reply", std::to_string(question), "--text", "Merci *beaucoup* !\n\nÀ bientôt."});
    auto answers = store::Comments(app->database()).answers_to(question);
    ASSERT_EQ(answers.size(), 1u);
    const store::Comment& answer = answers[0];
    EXPECT_NE(out.find("Answer " + std::to_string(answer.id) + " published: https://blog.example/comments/" +
                       std::to_string(answer.id)),
              std::string::npos) << out;
    EXPECT_TRUE(answer.local);
    EXPECT_NE(answer.content_html.find("</span> Merci <em>beaucoup</em> !</p>"), std::string::npos)
        << answer.content_html;
    EXPECT_NE(answer.content_html.find("<p>À bientôt.</p>"), std::string::npos);
    auto creates = jobs_of_type("Create");
    ASSERT_EQ(creates.size(), 1u);
    EXPECT_EQ(creates[0].inbox, "https://m.example/inbox");  // the commenter's shared inbox

    // The listing shows the answer as the blog's.
    std::string listed = run({"list"});
    EXPECT_NE(listed.find(std::to_string(answer.id) + "  approved  bonjour  the blog's answer"), std::string::npos)
        << listed;
}

TEST_F(AnswerCommandsTest, ReplyReadsAFileOrRefusesWhatIsWrong) {
    fedblog::testing::write_file(dir / "reponse.md", "Une réponse **longue**.\n");
    run({"reply", std::to_string(question), "--file", (dir / "reponse.md").string()});
    EXPECT_NE(store::Comments(app->database()).answers_to(question)[0].content_html.find("<strong>longue</strong>"),
              std::string::npos);

    run({"reply", std::to_string(question)}, 2);  // no text
    EXPECT_NE(errors.find("usage"), std::string::npos);
    run({"reply", "x", "--text", "a"}, 2);
    run({"reply", std::to_string(question), "--text", "a", "--file", "b"}, 2);  // one or the other
    run({"reply", std::to_string(question), "--text", " \n\t"}, 1);
    EXPECT_NE(errors.find("empty"), std::string::npos) << errors;
    run({"reply", std::to_string(question), "--text", "caf\xe9"}, 1);
    EXPECT_NE(errors.find("not UTF-8"), std::string::npos) << errors;
    run({"reply", std::to_string(question), "--text", std::string(server::max_answer_bytes + 1, 'a')}, 1);
    EXPECT_NE(errors.find("longer than 64 KiB"), std::string::npos) << errors;
    run({"reply", std::to_string(question), "--file", (dir / "absent.md").string()}, 1);
    EXPECT_NE(errors.find("cannot read"), std::string::npos) << errors;
    run({"reply", "424242", "--text", "Personne"}, 1);
    EXPECT_NE(errors.find("no comment 424242"), std::string::npos) << errors;
    EXPECT_EQ(store::Comments(app->database()).answers_to(question).size(), 1u);  // only the first one
}

TEST_F(AnswerCommandsTest, EditAndDeleteOfAnAnswerSendUpdateAndDeleteButRemoteCommentsAreNotEdited) {
    run({"reply", std::to_string(question), "--text", "Premier jet"});
    std::int64_t answer = store::Comments(app->database()).answers_to(question)[0].id;
    std::string edited = run({"edit", std::to_string(answer), "--text", "Second jet"});
    EXPECT_NE(edited.find("edited"), std::string::npos) << edited;
    EXPECT_NE(store::Comments(app->database()).find(answer)->content_html.find("Second jet"), std::string::npos);
    EXPECT_EQ(jobs_of_type("Update").size(), 1u);

    run({"edit", std::to_string(question), "--text", "Réécrit"}, 1);
    EXPECT_NE(errors.find("only the blog's own answers can be changed"), std::string::npos) << errors;
    EXPECT_EQ(store::Comments(app->database()).find(question)->content_html, "<p>Une question ?</p>");

    run({"delete", std::to_string(answer)});
    EXPECT_TRUE(store::Comments(app->database()).find(answer)->deleted);
    auto deletes = jobs_of_type("Delete");
    ASSERT_EQ(deletes.size(), 1u);
    EXPECT_EQ(deletes[0].inbox, "https://m.example/inbox");
    run({"delete", std::to_string(answer)}, 1);  // once
    EXPECT_NE(errors.find("deleted already"), std::string::npos) << errors;

    // A remote comment's deletion stays what it was: the text goes, nothing is sent.
    run({"delete", std::to_string(question)});
    EXPECT_TRUE(store::Comments(app->database()).find(question)->deleted);
    EXPECT_EQ(jobs_of_type("Delete").size(), 1u);
}

}  // namespace
