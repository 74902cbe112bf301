#include "web/embed.hpp"

#include "common/time.hpp"

#include "keys/digest.hpp"
#include "web/escape.hpp"
#include "web/style.hpp"
#include "web/thread_pages.hpp"

namespace fedblog::web {

namespace {

std::string text(std::string_view value) { return escape_text(value); }
std::string attr(std::string_view value) { return escape_attribute(value); }

// <head> of both embed pages. <base target="_blank">: a link followed inside the frame would open the
// remote page in a few hundred pixels (and most servers refuse to be framed), so links open outside it.
std::string head(const SiteView& site, std::string_view title) {
    return "<!DOCTYPE html>\n<html lang=\"" + attr(site.settings.language) +
           "\">\n<head>\n<meta charset=\"utf-8\">\n"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
           "<meta name=\"robots\" content=\"noindex\">\n<title>" +
           text(title) + "</title>\n<base target=\"_blank\">\n<link rel=\"stylesheet\" href=\"" +
           std::string(stylesheet_path) + "\">\n</head>\n";
}

std::string tail() { return "<script>" + std::string(embed_height_script()) + "</script>\n</body>\n</html>\n"; }

}  // namespace

std::string_view embed_height_script() {
    static constexpr std::string_view script =
        "(function(){var last=0;function report(){var h=document.documentElement.scrollHeight;"
        "if(h!==last){last=h;parent.postMessage({fedblogEmbedHeight:h},\"*\");}}"
        "new ResizeObserver(report).observe(document.body);addEventListener(\"load\",report);report();})();";
    return script;
}

const std::string& embed_content_security_policy() {
    static const std::string policy = [] {
        keys::Sha256 hash = keys::sha256(embed_height_script());
        return "default-src 'none'; script-src 'sha256-" + keys::base64_encode(hash) +
               "'; style-src 'self'; img-src https: http:; base-uri 'none'; form-action 'none'; "
               "frame-ancestors *; sandbox allow-scripts allow-popups allow-popups-to-escape-sandbox";
    }();
    return policy;
}

std::string render_embed(const SiteView& site, const store::Post& post, const ThreadPage& thread,
                         const store::ReactionCounts& reactions) {
    const Strings& s = site.strings();
    const std::string address = site.ids.post(post.slug);
    const std::int64_t shown = thread.total;  // the whole thread's, not this page's

    std::string out = head(site, std::string(s.comments) + " · " + post.title);
    out += "<body class=\"embed\">\n<main>\n<section class=\"comments\" aria-labelledby=\"commentaires-titre\">\n";
    out += "<h2 id=\"commentaires-titre\"><a href=\"" + attr(address) + "#commentaires\">" + text(s.comments) +
           "</a> <span class=\"count\">(" + std::to_string(shown) + ")</span></h2>\n";
    if (reactions.likes > 0 || reactions.shares > 0)
        out += "<p class=\"reactions\">" +
               text(count_label(static_cast<std::size_t>(reactions.likes), s.like_one, s.like_many, s) + " · " +
                    count_label(static_cast<std::size_t>(reactions.shares), s.share_one, s.share_many, s)) +
               "</p>\n";
    std::string rendered = render_thread_page(site, thread, ThreadPlace::frame);
    const bool open = post.accepts_replies(site.settings.comments_close_after_days, now_seconds());
    out += rendered.empty() && open ? "<p class=\"empty\">" + text(s.no_comments_yet) + "</p>\n"
                                                      : rendered;
    if (!open) {
        out += "<p class=\"closed\">" + text(s.comments_closed) + "</p>\n";
    } else {
        out += "<div class=\"reply\">\n<h3>" + text(s.reply_from_your_instance) + "</h3>\n<p>" +
               text(s.reply_explanation) + "</p>\n<label for=\"adresse-billet\">" + text(s.post_address) +
               "</label>\n<input id=\"adresse-billet\" type=\"url\" readonly value=\"" + attr(address) + "\">\n</div>\n";
    }
    return out + "</section>\n</main>\n" + tail();
}

std::string render_embed_gone(const SiteView& site) {
    const Strings& s = site.strings();
    return head(site, s.post_deleted) + "<body class=\"embed\">\n<main>\n<p class=\"empty\">" +
           text(s.post_deleted_explanation) + "</p>\n</main>\n" + tail();
}

}  // namespace fedblog::web
