#include "activitypub/json.hpp"

namespace fedblog::activitypub {

std::string serialize(const Json& document) {
    return document.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace fedblog::activitypub
