#pragma once
// The media a comment carries (its Note's `attachment`): kept as a small JSON list in the comment's row and
// shown from their origin URLs, never downloaded. The list is bounded here whatever the caller passes, so a
// row can never hold more than a few short entries with http(s) URLs.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "store/database.hpp"

namespace fedblog::store {

struct Attachment {
    std::string kind;        // image | video | audio | document
    std::string url;         // absolute http:// or https:// URL on the attachment's origin
    std::string media_type;  // e.g. "image/jpeg"; empty when not given
    std::string name;        // the author's description (alt text), plain text; empty when none
    std::string blurhash;    // empty when none
    int width = 0;           // pixels; 0 when unknown
    int height = 0;

    bool operator==(const Attachment&) const = default;
};

// Mastodon sends at most 4; other servers a few more. Longer strings are cut at a character boundary.
inline constexpr std::size_t max_attachments = 8;
inline constexpr std::size_t max_attachment_url_bytes = 2048;
inline constexpr std::size_t max_attachment_name_bytes = 1500;  // Mastodon's description limit, in characters
inline constexpr std::size_t max_attachment_media_type_bytes = 100;
inline constexpr std::size_t max_attachment_blurhash_bytes = 100;
inline constexpr int max_attachment_dimension = 100000;

// What may be stored: known kinds, http(s) URLs without spaces or control characters within the caps, cut
// strings, sane dimensions; the first max_attachments valid entries. Invalid entries are dropped.
std::vector<Attachment> bounded_attachments(std::vector<Attachment> attachments);

// The column's JSON text (empty for no attachments, stored as NULL) and back. Decoding is lenient about
// what it cannot read (it yields fewer entries) and applies bounded_attachments again.
std::string encode_attachments(const std::vector<Attachment>& attachments);
std::vector<Attachment> decode_attachments(std::string_view json);

class CommentAttachments {
public:
    explicit CommentAttachments(Database& db) : db_(db) {}

    // Replaces the list of the comment with this object id (an edit may add or remove media). A deleted
    // comment keeps none. True when a live comment was changed.
    bool replace(std::string_view object_id, const std::vector<Attachment>& attachments);
    std::vector<Attachment> of(std::int64_t comment_id);
    // The lists of a post's comments that have any, by comment id.
    std::map<std::int64_t, std::vector<Attachment>> for_post(std::int64_t post_id);

private:
    Database& db_;
};

}  // namespace fedblog::store
