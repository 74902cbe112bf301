#pragma once
// A comment's media under its text: images as lazy thumbnails, other media as links, all loaded from their
// origin (never proxied, never with a referrer). Every value is escaped; URLs were checked on the way in
// and are checked again here.
#include <string>
#include <vector>

#include "store/comment_attachments.hpp"
#include "web/i18n.hpp"

namespace fedblog::web {

// The <ul class="attachments">, or an empty string when there is nothing to show.
std::string render_attachments(const std::vector<store::Attachment>& attachments, const Strings& strings);

}  // namespace fedblog::web
