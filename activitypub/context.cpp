#include "activitypub/context.hpp"

namespace fedblog::activitypub {

Json context() {
    Json terms = {
        {"toot", "http://joinmastodon.org/ns#"},
        {"schema", "http://schema.org#"},
        {"manuallyApprovesFollowers", "as:manuallyApprovesFollowers"},
        {"sensitive", "as:sensitive"},
        {"Hashtag", "as:Hashtag"},
        {"discoverable", "toot:discoverable"},
        {"indexable", "toot:indexable"},
        {"attributionDomains", {{"@id", "toot:attributionDomains"}, {"@type", "@id"}}},
        {"PropertyValue", "schema:PropertyValue"},
        {"value", "schema:value"},
        // GoToSocial's interaction policy: who may reply to a post (the closed comments of a post).
        // Both spellings: GoToSocial reads automatic/manualApproval now, always/approvalRequired before 0.20.
        {"gts", "https://gotosocial.org/ns#"},
        {"interactionPolicy", {{"@id", "gts:interactionPolicy"}, {"@type", "@id"}}},
        {"canLike", {{"@id", "gts:canLike"}, {"@type", "@id"}}},
        {"canReply", {{"@id", "gts:canReply"}, {"@type", "@id"}}},
        {"canAnnounce", {{"@id", "gts:canAnnounce"}, {"@type", "@id"}}},
        {"automaticApproval", {{"@id", "gts:automaticApproval"}, {"@type", "@id"}}},
        {"manualApproval", {{"@id", "gts:manualApproval"}, {"@type", "@id"}}},
        {"always", {{"@id", "gts:always"}, {"@type", "@id"}}},
        {"approvalRequired", {{"@id", "gts:approvalRequired"}, {"@type", "@id"}}},
        // FEP-2c59, inlined rather than linked so no reader has to fetch another context document.
        {"webfinger",
         {{"@id", "https://purl.archive.org/socialweb/webfinger#webfinger"},
          {"@type", "http://www.w3.org/2001/XMLSchema#string"}}},
    };
    return Json::array({activity_streams_context, security_context, std::move(terms)});
}

Json with_context(Json body) {
    Json document = Json::object();
    document["@context"] = context();
    for (auto it = body.begin(); it != body.end(); ++it) document[it.key()] = std::move(it.value());
    return document;
}

Json embedded(Json document) {
    document.erase("@context");
    return document;
}

}  // namespace fedblog::activitypub
