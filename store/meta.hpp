#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "store/database.hpp"

namespace fedblog::store {

std::optional<std::string> get_meta(Database& db, std::string_view key);
// Stores value under key, replacing any earlier one.
void set_meta(Database& db, std::string_view key, std::string_view value);
// Stores value under key unless the key already has one; returns the value that is stored.
std::string get_or_set_meta(Database& db, std::string_view key, std::string_view value);

}  // namespace fedblog::store
