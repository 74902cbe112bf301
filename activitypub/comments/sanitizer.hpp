#pragma once
// Remote HTML (the `content` of a reply from another server) made safe for the blog's own pages.
//
// The HTML is parsed with gumbo as an HTML5 fragment (the way a browser would parse it inside a <div>) and
// rebuilt from an allow-list close to Mastodon's Sanitize::Config::MASTODON_STRICT; text is always escaped,
// attribute values are always quoted and escaped, nothing is ever matched with a regex.
//
// Kept: p br span a del s pre blockquote code b strong u i em ul ol li ruby rt rp, and these attributes only:
//   a[href]      absolute http:// or https:// URL with a host (checked after entity decoding, after removing
//                tab/CR/LF and trimming spaces and control characters); otherwise the <a> is unwrapped to its
//                text. rel="nofollow noopener noreferrer" and target="_blank" are always added.
//   a[class], span[class]   only Mastodon's classes: h-*, p-*, u-*, dt-*, e-* (microformats), mention,
//                hashtag, ellipsis, invisible.
//   a[translate], span[translate]   only translate="no".
//   ol[start], ol[reversed], li[value]   start and value only when they are integers.
// Changed: h1-h6 become <p><strong>...</strong></p> (just <strong> when already inside a paragraph).
// Dropped with their whole content: script style template noscript iframe object embed applet svg math
//   textarea select head title noembed noframes frameset frame, everything in the SVG/MathML namespaces,
//   comments and doctypes.
// Dropped: img (like Mastodon: no image, no alt text, no link) and every other void element (input, hr, ...).
// Unwrapped (tags dropped, content kept): every other element; block-level ones (div, table cells, ...)
//   leave a space so that words do not run together.
// Also: the output is valid UTF-8: gumbo turns malformed sequences, C0/C1 control characters other than
// whitespace, and noncharacters into U+FFFD (NULs in text are dropped), and any control character left is
// dropped here; an <a> inside an <a>, block elements inside a <p>, an <li> inside an <li> and an <rp>/<rt>
// that would close the <p>, <li>, <rp> or <rt> around it in a <ruby> are unwrapped so that the result parses
// back to the same tree (sanitizing it again changes nothing); output nesting is capped at `max_depth` elements, deeper
// elements are unwrapped (their text kept). The tree is walked iteratively: any nesting depth is safe.
#include <cstddef>
#include <string>
#include <string_view>

#include "activitypub/comments/content_shape.hpp"

namespace fedblog::activitypub::comments {

struct SanitizeOptions {
    // The result is never longer than this: it is cut between elements or between characters of a text
    // (never inside a tag, an entity or a UTF-8 sequence), and the elements still open are closed.
    std::size_t max_output_bytes = 64 * 1024;
    // Longer input is cut (at a UTF-8 character boundary) before parsing. gumbo's tree builder does work
    // proportional to the nesting depth for many tokens (quadratic on hostile input: 20,000 nested <div>
    // take 0.3 s, 100,000 take 7 s), so this bounds the CPU one reply can cost: about 0.2 s at worst for
    // 64 KiB. Replies are far shorter (Mastodon: 500 characters, others a few thousand).
    std::size_t max_input_bytes = 64 * 1024;
    // Deeper allowed elements are unwrapped.
    std::size_t max_depth = 100;
};

// Remote HTML → safe HTML for the blog's pages. With `shape`, also what content_shape() would find in the
// result, read while writing it rather than from a second parse.
std::string sanitize_html(std::string_view remote_html, const SanitizeOptions& options = {},
                          ContentShape* shape = nullptr);

// The same content as plain text (for summaries, logs, the JSON API's text field): tags dropped, entities
// decoded, runs of whitespace collapsed outside <pre>, <br> as a newline, paragraphs (and headings, lists,
// block quotes) separated by a blank line, list items and other blocks by a newline; leading and trailing
// whitespace trimmed. The content of the elements sanitize_html drops is dropped here too, and control
// characters are handled as above. Not escaped: escape it again before putting it into HTML.
// max_input_bytes and max_output_bytes apply (the output is cut at a character boundary).
std::string html_to_text(std::string_view remote_html, const SanitizeOptions& options = {});

}  // namespace fedblog::activitypub::comments
