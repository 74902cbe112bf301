#pragma once
// An activity as it arrives at the inbox: the few fields every handler dispatches on, read leniently about
// JSON-LD shapes (a reference or an embedded object) and strictly about ids (non-empty absolute URLs).
#include "activitypub/json.hpp"
#include <string>
#include <variant>

namespace fedblog::activitypub::inbox {

struct IncomingActivity {
    Json document;  // as received (or as fetched again from its origin)
    std::string id;
    std::string type;
    std::string actor;        // the actor's id, whether given as a string or an object
    std::string object_id;    // empty when the object has no id (or there is none)
    std::string object_type;  // empty when the object is only a reference
    const Json& object() const;  // null when absent
};

struct MalformedActivity {
    std::string detail;  // for the 400 body and the log line
};

std::variant<IncomingActivity, MalformedActivity> read_activity(Json document);

// The id of a JSON-LD node given as a string or as an object with an "id", or as a one-element array of
// either; empty otherwise (several ids are not one).
std::string id_of(const Json& node);

}  // namespace fedblog::activitypub::inbox
