#include "web/i18n.hpp"

#include <cstdint>

namespace fedblog::web {

namespace {

// French typography: a no-break space (U+00A0) before ':' and inside « », and the curly apostrophe.
constexpr Strings french{
    .language = "fr",
    .skip_to_content = "Aller au contenu",
    .follow_prompt = "Suivez ce blog depuis le fédivers\u00A0: ",
    .atom_feed = "Flux Atom",
    .fediverse_profile = "Profil fédivers",
    .latest_posts = "Derniers billets",
    .no_posts_yet = "Aucun billet pour l’instant.",
    .newer_posts = "Billets plus récents",
    .older_posts = "Billets plus anciens",
    .pagination = "Pages",
    .page_n_of = " sur ",
    .updated_on = "mis à jour le ",
    .tags = "Étiquettes",
    .comments = "Commentaires",
    .no_comments_yet = "Aucun commentaire pour l’instant.",
    .comments_closed = "Les commentaires sont fermés.",
    .comment_deleted = "Ce commentaire a été supprimé.",
    .comment_edited = "modifié",
    .comment_sensitive = "Contenu sensible",
    .attachment_image = "Image jointe",
    .attachment_video = "Vidéo",
    .attachment_audio = "Audio",
    .attachment_document = "Fichier joint",
    .comment_by_owner = "Auteur",
    .comment_pages = "Pages des commentaires",
    .earlier_comments = "Commentaires précédents",
    .later_comments = "Commentaires suivants",
    .earlier_in_thread = "plus haut dans le fil",
    .more_reply_one = "autre réponse dans ce fil",
    .more_reply_many = "autres réponses dans ce fil",
    .reply_from_your_instance = "Répondre depuis votre instance",
    .reply_explanation =
        "Copiez l’adresse de ce billet, collez-la dans la recherche de votre instance Mastodon "
        "(ou de tout autre logiciel du fédivers), puis répondez au billet qui s’affiche. "
        "Les réponses publiques pourront apparaître ici.",
    .post_address = "Adresse du billet",
    .post_deleted = "Ce billet a été supprimé",
    .post_deleted_explanation = "Son auteur l’a retiré du blog. Les autres billets sont toujours là.",
    .back_home = "Retour à l’accueil",
    .not_found = "Page introuvable",
    .not_found_explanation = "Cette adresse ne correspond à aucune page de ce blog.",
    .interaction_heading = "Ce blog ne suit personne",
    .interaction_explanation =
        "Pour suivre un compte ou répondre à une publication du fédivers, ouvrez-la depuis votre propre instance : "
        "collez son adresse dans la recherche de votre instance.",
    .interaction_open = "Voir la publication d’origine",
    .tag_heading = "Étiquette\u00A0: ",
    .how_to_follow = "Suivre ce blog depuis Mastodon",
    .follow_steps = {"Copiez l’identifiant ci-dessus.",
                     "Collez-le dans la recherche de votre instance Mastodon (ou Pixelfed, Misskey, Friendica…).",
                     "Ouvrez le profil trouvé et choisissez «\u00A0Suivre\u00A0»."},
    .only_new_posts =
        "Les billets publiés ensuite arriveront dans votre fil d’accueil. Les plus anciens restent "
        "à lire ici.",
    .recent_posts = "Billets récents",
    .all_posts = "Tous les billets",
    .post_one = "billet",
    .post_many = "billets",
    .follower_one = "abonné",
    .follower_many = "abonnés",
    .like_one = "j’aime",
    .like_many = "j’aime",
    .share_one = "partage",
    .share_many = "partages",
    .months = {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
               "novembre", "décembre"},
};

constexpr Strings english{
    .language = "en",
    .skip_to_content = "Skip to content",
    .follow_prompt = "Follow this blog from the fediverse: ",
    .atom_feed = "Atom feed",
    .fediverse_profile = "Fediverse profile",
    .latest_posts = "Latest posts",
    .no_posts_yet = "No posts yet.",
    .newer_posts = "Newer posts",
    .older_posts = "Older posts",
    .pagination = "Pages",
    .page_n_of = " of ",
    .updated_on = "updated on ",
    .tags = "Tags",
    .comments = "Comments",
    .no_comments_yet = "No comments yet.",
    .comments_closed = "Comments are closed.",
    .comment_deleted = "This comment was deleted.",
    .comment_edited = "edited",
    .comment_sensitive = "Sensitive content",
    .attachment_image = "Attached image",
    .attachment_video = "Video",
    .attachment_audio = "Audio",
    .attachment_document = "Attached file",
    .comment_by_owner = "Author",
    .comment_pages = "Comment pages",
    .earlier_comments = "Earlier comments",
    .later_comments = "Later comments",
    .earlier_in_thread = "earlier in the thread",
    .more_reply_one = "more reply in this thread",
    .more_reply_many = "more replies in this thread",
    .reply_from_your_instance = "Reply from your instance",
    .reply_explanation =
        "Copy this post’s address, paste it into the search of your Mastodon instance (or any "
        "other fediverse software), then reply to the post that shows up. Public replies may "
        "appear here.",
    .post_address = "Post address",
    .post_deleted = "This post was deleted",
    .post_deleted_explanation = "Its author removed it from the blog. The other posts are still here.",
    .back_home = "Back to the home page",
    .not_found = "Page not found",
    .not_found_explanation = "This address matches no page of this blog.",
    .interaction_heading = "This blog follows no one",
    .interaction_explanation =
        "To follow an account or reply to a post from the fediverse, open it from your own instance: paste its "
        "address into your instance's search.",
    .interaction_open = "See the original post",
    .tag_heading = "Tag: ",
    .how_to_follow = "Follow this blog from Mastodon",
    .follow_steps = {"Copy the handle above.",
                     "Paste it into the search of your Mastodon instance (or Pixelfed, Misskey, Friendica…).",
                     "Open the profile it finds and choose “Follow”."},
    .only_new_posts =
        "Posts published from then on will arrive in your home timeline. Older ones stay here to "
        "read.",
    .recent_posts = "Recent posts",
    .all_posts = "All posts",
    .post_one = "post",
    .post_many = "posts",
    .follower_one = "follower",
    .follower_many = "followers",
    .like_one = "like",
    .like_many = "likes",
    .share_one = "boost",
    .share_many = "boosts",
    .months = {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December"},
};

struct CivilDate {
    std::int64_t year;
    unsigned month;  // 1..12
    unsigned day;    // 1..31
};

// Howard Hinnant's civil_from_days: the proleptic Gregorian date of a day count since 1970-01-01.
CivilDate civil_from_days(std::int64_t days) {
    days += 719468;
    const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const auto doe = static_cast<unsigned>(days - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned day = doy - (153 * mp + 2) / 5 + 1;
    const unsigned month = mp < 10 ? mp + 3 : mp - 9;
    return {static_cast<std::int64_t>(yoe) + era * 400 + (month <= 2), month, day};
}

}  // namespace

const Strings& strings_for(std::string_view language) { return language.substr(0, 2) == "fr" ? french : english; }

std::string format_long_date(store::Timestamp when, const Strings& strings) {
    // Floor division, so instants before 1970 still land on their own day.
    std::int64_t days = when / 86400 - (when % 86400 < 0);
    CivilDate date = civil_from_days(days);
    std::string day = std::to_string(date.day);
    if (strings.language == "fr" && date.day == 1) day += "er";
    return day + " " + std::string(strings.months[date.month - 1]) + " " + std::to_string(date.year);
}

std::string count_label(std::size_t count, std::string_view one, std::string_view many, const Strings& strings) {
    bool singular = strings.language == "fr" ? count < 2 : count == 1;
    return std::to_string(count) + " " + std::string(singular ? one : many);
}

std::string og_locale(std::string_view language) {
    auto ascii_case = [](std::string_view in, bool upper) {
        std::string out(in);
        for (char& c : out) {
            if (upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
            if (!upper && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        }
        return out;
    };
    std::size_t separator = language.find_first_of("-_");
    std::string lang = ascii_case(language.substr(0, separator), false);
    if (lang.empty()) return {};
    if (separator != std::string_view::npos && language.size() - separator - 1 == 2)
        return lang + "_" + ascii_case(language.substr(separator + 1), true);
    // A bare language: its most common territory, which for most languages has the language's own code.
    struct Default {
        std::string_view lang, locale;
    };
    static constexpr Default defaults[] = {{"en", "en_US"}, {"ja", "ja_JP"}, {"zh", "zh_CN"}, {"ko", "ko_KR"},
                                           {"sv", "sv_SE"}, {"da", "da_DK"}, {"cs", "cs_CZ"}, {"el", "el_GR"},
                                           {"uk", "uk_UA"}, {"ca", "ca_ES"}, {"br", "br_FR"}, {"oc", "oc_FR"}};
    for (const auto& d : defaults)
        if (d.lang == lang) return std::string(d.locale);
    return lang + "_" + ascii_case(lang, true);
}

}  // namespace fedblog::web
