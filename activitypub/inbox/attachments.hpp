#pragma once
// A reply's `attachment` array read into the comment's media list: Document, Image, Video and Audio
// entries with an absolute http(s) URL (a string, a Link, or a list of those), their media type, their
// description (`name`, the alt text), blurhash and size. Everything else is skipped; the result is bounded
// by store::bounded_attachments.
#include <vector>

#include "activitypub/json.hpp"
#include "store/comment_attachments.hpp"

namespace fedblog::activitypub::inbox {

std::vector<store::Attachment> attachments_of(const Json& object);

}  // namespace fedblog::activitypub::inbox
