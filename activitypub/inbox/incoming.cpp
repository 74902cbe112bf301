#include "activitypub/inbox/incoming.hpp"

namespace fedblog::activitypub::inbox {

namespace {

bool is_absolute_http_url(const std::string& value) {
    return value.starts_with("https://") || value.starts_with("http://");
}

const Json& null_json() {
    static const Json null;
    return null;
}

}  // namespace

std::string id_of(const Json& node) {
    // JSON-LD: a one-element array says the same as its element (a compactor leaves some that way).
    if (node.is_array() && node.size() == 1) return id_of(node.front());
    if (node.is_string()) return node.get<std::string>();
    if (node.is_object()) {
        auto id = node.find("id");
        if (id != node.end() && id->is_string()) return id->get<std::string>();
    }
    return {};
}

const Json& IncomingActivity::object() const {
    auto found = document.find("object");
    return found == document.end() ? null_json() : *found;
}

std::variant<IncomingActivity, MalformedActivity> read_activity(Json document) {
    if (!document.is_object()) return MalformedActivity{"the body is not a JSON object"};
    // A one-element array is its element (JSON-LD); handlers then see one actor and one object.
    for (const char* key : {"actor", "object"})
        if (auto field = document.find(key); field != document.end() && field->is_array() && field->size() == 1)
            *field = Json(field->front());
    IncomingActivity activity;
    activity.id = id_of(document.value("id", Json()));
    if (activity.id.empty() || !is_absolute_http_url(activity.id))
        return MalformedActivity{"the activity has no id, or its id is not an absolute http(s) URL"};
    auto type = document.find("type");
    if (type == document.end() || !type->is_string() || type->get<std::string>().empty())
        return MalformedActivity{"the activity has no type (or not a single string)"};
    activity.type = type->get<std::string>();
    activity.actor = id_of(document.value("actor", Json()));
    if (activity.actor.empty() || !is_absolute_http_url(activity.actor))
        return MalformedActivity{"the activity has no actor, or its actor is not an absolute http(s) URL"};
    if (auto object = document.find("object"); object != document.end()) {
        activity.object_id = id_of(*object);
        if (object->is_object()) {
            auto object_type = object->find("type");
            if (object_type != object->end() && object_type->is_string()) activity.object_type = object_type->get<std::string>();
        }
    }
    activity.document = std::move(document);
    return activity;
}

}  // namespace fedblog::activitypub::inbox
