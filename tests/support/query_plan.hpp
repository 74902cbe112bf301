#pragma once
// SQLite's plan for a statement, one step per line ("SEARCH deliveries USING INDEX ..."), for tests that keep
// hot queries on their indexes.
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <string>

namespace fedblog::testing {

inline std::string query_plan(SQLite::Database& db, const std::string& sql) {
    SQLite::Statement plan(db, "EXPLAIN QUERY PLAN " + sql);
    std::string steps;
    while (plan.executeStep()) steps += plan.getColumn(3).getString() + "\n";
    return steps;
}

}  // namespace fedblog::testing
