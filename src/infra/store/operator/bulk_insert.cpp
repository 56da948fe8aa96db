#include "infra/store/operator/bulk_insert.hpp"

#include <cassert>
#include <charconv>
#include <exception>
#include <stdexcept>

namespace gm::infra::store {
namespace {

std::int64_t Integer(const std::string& text) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    throw std::invalid_argument("not an integer: " + text);
  }
  return value;
}

// One element of a PostgreSQL array literal: quoted, with " and \ escaped.
void AppendElement(std::string& array, const std::string& value) {
  if (array.size() > 1) array += ',';
  if (value.empty()) {
    array += "NULL";
    return;
  }
  array += '"';
  for (const char c : value) {
    if (c == '"' || c == '\\') array += '\\';
    array += c;
  }
  array += '"';
}

}  // namespace

BulkTarget::BulkTarget(const char* table, std::vector<Column> columns) : columns_(std::move(columns)) {
  std::string names;
  std::string arrays;
  std::string values;
  for (const auto& column : columns_) {
    const bool first = names.empty();
    names += (first ? "" : ", ") + std::string(column.name);
    arrays += (first ? "?::" : ", ?::") + std::string(column.integer ? "bigint[]" : "text[]");
    values += first ? "?" : ", ?";
  }
  // In the order given: a sequence default (the log's position) follows it.
  postgres_ = "INSERT INTO " + std::string(table) + " (" + names + ") SELECT " + names + " FROM unnest(" + arrays +
              ") WITH ORDINALITY AS given (" + names + ", ordinal) ORDER BY ordinal";
  sqlite_ = "INSERT INTO " + std::string(table) + " (" + names + ") VALUES (" + values + ")";
}

const char* BulkTarget::Sql(Dialect dialect) const {
  return dialect == Dialect::kPostgres ? postgres_.c_str() : sqlite_.c_str();
}

BulkInsert::BulkInsert(sql::Connection& connection, const BulkTarget& target, std::size_t batch)
    : connection_(connection),
      target_(target),
      batch_(batch),
      arrays_(target.Columns().size(), "{"),
      exceptions_(std::uncaught_exceptions()) {}

BulkInsert::~BulkInsert() {
  // Rows left unsent are a caller that forgot Flush(): SQLite would not show it.
  assert(rows_ == 0 || std::uncaught_exceptions() > exceptions_);
}

void BulkInsert::Add(const std::vector<std::string>& row) {
  const auto& columns = target_.Columns();
  if (row.size() != columns.size()) throw std::logic_error("a bulk row of the wrong width");
  if (connection_.Kind() == Dialect::kSqlite) {
    auto insert = connection_.Prepare(target_.Sql(Dialect::kSqlite));
    for (std::size_t i = 0; i < row.size(); ++i) {
      const int index = static_cast<int>(i) + 1;
      if (row[i].empty()) {
        insert.BindNull(index);
      } else if (columns[i].integer) {
        insert.Bind(index, Integer(row[i]));
      } else {
        insert.Bind(index, row[i]);
      }
    }
    insert.Run();
    return;
  }
  for (std::size_t i = 0; i < row.size(); ++i) AppendElement(arrays_[i], row[i]);
  if (++rows_ == batch_) Flush();
}

void BulkInsert::Flush() {
  if (rows_ == 0) return;
  auto insert = connection_.Prepare(target_.Sql(Dialect::kPostgres));
  for (std::size_t i = 0; i < arrays_.size(); ++i) {
    insert.Bind(static_cast<int>(i) + 1, arrays_[i] + "}");  // copied
    arrays_[i] = "{";
  }
  rows_ = 0;  // sent or failed, the batch is done with
  insert.Run();
  (void)connection_.Changes();  // the batch now: its faults here, and its memory freed
}

}  // namespace gm::infra::store
