#pragma once
// The words the pages show, in French or English, and the date and plural forms that go with them.
// A plain table: the blog has one language, so nothing here needs a locale or a translation framework.
#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "store/post.hpp"

namespace fedblog::web {

struct Strings {
    std::string_view language;  // "fr" or "en": the table's own language
    std::string_view skip_to_content;
    std::string_view follow_prompt;  // followed by the handle
    std::string_view atom_feed;
    std::string_view fediverse_profile;
    std::string_view latest_posts;
    std::string_view no_posts_yet;
    std::string_view newer_posts;
    std::string_view older_posts;
    std::string_view pagination;
    std::string_view page_n_of;  // "Page 2 sur 3" = "Page " 2 page_n_of 3
    std::string_view updated_on;
    std::string_view tags;
    std::string_view comments;
    std::string_view no_comments_yet;
    std::string_view comments_closed;
    std::string_view comment_deleted;
    std::string_view comment_edited;
    std::string_view comment_sensitive;  // the fold's label for a sensitive comment without a warning text
    std::string_view attachment_image;   // alt text when the author gave none
    std::string_view attachment_video, attachment_audio, attachment_document;  // link labels
    std::string_view comment_by_owner;  // the label on the blog's own answers
    std::string_view comment_pages;     // the label of the thread's page links
    std::string_view earlier_comments, later_comments;
    std::string_view earlier_in_thread;           // a page's reminder of an answered comment, linking back
    std::string_view more_reply_one, more_reply_many;  // "3 more replies in this thread", after a cut thread
    std::string_view reply_from_your_instance;
    std::string_view reply_explanation;
    std::string_view post_address;
    std::string_view post_deleted;
    std::string_view post_deleted_explanation;
    std::string_view back_home;
    std::string_view not_found;
    std::string_view not_found_explanation;
    std::string_view interaction_heading;
    std::string_view interaction_explanation;
    std::string_view interaction_open;  // link text to the remote object
    std::string_view tag_heading;  // followed by the tag name
    std::string_view how_to_follow;
    std::array<std::string_view, 3> follow_steps;
    std::string_view only_new_posts;
    std::string_view recent_posts;
    std::string_view all_posts;
    std::string_view post_one, post_many;
    std::string_view follower_one, follower_many;
    std::string_view like_one, like_many;
    std::string_view share_one, share_many;
    std::array<std::string_view, 12> months;
};

// French when the language starts with "fr", English otherwise.
const Strings& strings_for(std::string_view language);

// "1er janvier 2026", "26 novembre 2026"; "1 January 2026" in English. The UTC calendar day.
std::string format_long_date(store::Timestamp when, const Strings& strings);

// "0 abonné", "2 abonnés", "1 follower", "0 followers": French counts 0 and 1 as singular.
std::string count_label(std::size_t count, std::string_view one, std::string_view many, const Strings& strings);

// OpenGraph's language_TERRITORY form: "fr" → "fr_FR", "fr-CA" → "fr_CA", "en" → "en_US".
std::string og_locale(std::string_view language);

}  // namespace fedblog::web
