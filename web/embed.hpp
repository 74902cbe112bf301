#pragma once
// The comments of a post for other sites: /embed/<slug> is the thread as a small page meant for an iframe,
// and /embed.js the loader a static blog includes to place that iframe (see README.md, "Comments on another
// site").
//
// Nothing from a comment can run on the host page, by construction, not by filtering alone:
// - the thread is never inserted into the host page: it lives in an iframe of the blog's origin, which the
//   browser keeps apart from the host (same-origin policy);
// - that iframe is sandboxed twice (the loader's sandbox attribute and the page's own CSP `sandbox`
//   directive): an opaque origin, no top navigation, no dialogs, no forms;
// - its Content-Security-Policy allows exactly one script, the height reporter below, by its SHA-256:
//   no inline handler, no other <script>, no javascript: URL can run in it even if the sanitizer missed one;
// - the comment HTML in it is the allow-list sanitizer's output (activitypub/comments), everything else is
//   escaped;
// - the loader reads only a clamped number from the frame it created, and builds the iframe with DOM calls.
#include <string>
#include <string_view>
#include <vector>

#include "store/post.hpp"
#include "store/reactions.hpp"
#include "web/comments.hpp"
#include "web/layout.hpp"
#include "web/thread.hpp"

namespace fedblog::web {

inline constexpr std::string_view embed_prefix = "/embed/";
inline constexpr std::string_view embed_loader_path = "/embed.js";

// The page for the iframe: one page of the thread (links to the others stay in the frame), the counts, how to
// reply, and the height reporter.
std::string render_embed(const SiteView& site, const store::Post& post, const ThreadPage& thread,
                         const store::ReactionCounts& reactions);
// At a deleted post's embed address (410).
std::string render_embed_gone(const SiteView& site);

// The one script the embed page runs: it posts the document's height to the parent window.
std::string_view embed_height_script();
// The Content-Security-Policy header of the embed page: nothing but the stylesheet, images from anywhere on
// the web, and the height script by hash; framing allowed everywhere; sandboxed.
const std::string& embed_content_security_policy();

// /embed.js (from web/embed.js, compiled in).
std::string_view embed_loader_script();

}  // namespace fedblog::web
