#pragma once

// The event store's reads, shared by the blocking store and the PostgreSQL
// pipeline so both ask exactly the same thing.
namespace gm::infra::store::queries {

// version, type, data of a stream's events, oldest first.
inline constexpr const char* kLoadStream = "SELECT version, type, data FROM events WHERE stream = ? ORDER BY version";
// The account stream folded (current, withdrawn) and its version.
inline constexpr const char* kLoadAccount =
    "SELECT current, withdrawn, account_version FROM balances_view WHERE user_id = ?";

}  // namespace gm::infra::store::queries
