#pragma once

#include <exception>
#include <utility>

#include "app/ports.hpp"
#include "infra/store/postgres/pipeline.hpp"

namespace gm::infra::store {

// A pipeline reply that maps the rows with `map` and answers with the value.
// A mapping that throws (a column that does not read as its type) answers
// with that fault instead, so the caller always hears back and the event
// loop that ran the reply goes on.
template <class T, class Map>
postgres::PgPipelinePool::Reply Mapped(app::Answer<T> answer, Map map) {
  return [answer = std::move(answer), map = std::move(map)](std::exception_ptr error, postgres::PgRows rows) {
    T value{};
    if (!error) {
      try {
        value = map(rows);
      } catch (...) {
        error = std::current_exception();
      }
    }
    answer(error, std::move(value));
  };
}

}  // namespace gm::infra::store
