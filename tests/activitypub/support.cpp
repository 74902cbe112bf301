#include "support.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace fedblog::activitypub::testing {

Settings blog_settings() {
    Settings settings;
    settings.public_url = "https://blog.example";
    settings.handle = "blog";
    settings.blog_name = "Le carnet de Léa";
    settings.blog_summary = "Notes sur le logiciel libre & le Web.\nÉcrit à Lyon.\n\nRéponses bienvenues.";
    settings.blog_icon = "images/avatar.png";
    settings.blog_header = "https://cdn.example/banniere.jpg";
    settings.language = "fr";
    return settings;
}

Ids blog_ids() { return Ids("https://blog.example", "blog"); }

store::Post sample_post() {
    store::Post post;
    post.id = 7;
    post.slug = "bonjour-le-monde";
    post.source_path = "posts/bonjour-le-monde.md";
    post.title = "Bonjour, le monde !";
    post.summary_html = "<p>Premier billet : pourquoi ce blog parle <em>ActivityPub</em>.</p>";
    post.content_html = "<h2>Pourquoi</h2>\n<p>Parce que le Web est à tout le monde.</p>\n";
    post.language = "fr";
    post.tags = {"fediverse", "économie"};
    post.image_path = "images/couverture.jpg";
    post.image_alt = "Une couverture de carnet";
    post.published = 1763632800;
    post.updated = 1763713800;
    return post;
}

store::Post deleted_post() {
    store::Post post = sample_post();
    post.deleted = 1764590400;
    return post;
}

std::vector<store::Post> numbered_posts(int count) {
    std::vector<store::Post> posts;
    for (int n = count; n >= 1; --n) {
        std::string number = (n < 10 ? "0" : "") + std::to_string(n);
        store::Post post;
        post.id = n;
        post.slug = "billet-" + number;
        post.title = "Billet " + number;
        post.summary_html = "<p>Résumé " + number + ".</p>";
        post.content_html = "<p>Texte " + number + ".</p>";
        post.language = "fr";
        post.published = 1735722000 + static_cast<store::Timestamp>(n - 1) * 86400;
        posts.push_back(std::move(post));
    }
    return posts;
}

std::vector<const store::Post*> pointers(const std::vector<store::Post>& posts) {
    std::vector<const store::Post*> result;
    for (const store::Post& post : posts) result.push_back(&post);
    return result;
}

void expect_golden(const Json& actual, std::string_view name) {
    const std::string path = std::string(FEDBLOG_SOURCE_DIR) + "/tests/golden/" + std::string(name) + ".json";
    const char* update = std::getenv("FEDBLOG_UPDATE_GOLDEN");
    if (update && std::string_view(update) == "1") {
        std::ofstream(path) << actual.dump(2, ' ', false, Json::error_handler_t::replace) << '\n';
        return;
    }
    std::ifstream file(path);
    ASSERT_TRUE(file) << "missing golden file " << path << " (FEDBLOG_UPDATE_GOLDEN=1 writes it)";
    std::stringstream text;
    text << file.rdbuf();
    // Through the wire form, as a reader would parse it; compared unordered.
    const auto expected = nlohmann::json::parse(text.str());
    const auto got = nlohmann::json::parse(serialize(actual));
    EXPECT_EQ(got, expected) << path << " differs (JSON Patch from golden to actual):\n"
                             << nlohmann::json::diff(expected, got).dump(2);
}

}  // namespace fedblog::activitypub::testing
