#pragma once
#include <vector>

namespace fedblog::store {

// Schema steps in order; step N brings PRAGMA user_version from N-1 to N. Never edit a released step:
// append a new one.
const std::vector<const char*>& migrations();

}  // namespace fedblog::store
