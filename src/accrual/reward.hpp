#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "domain/points.hpp"
#include "domain/result.hpp"

// The accrual system's own model (standard library only): reward rules and
// the exact calculation of what an order earns.
namespace gm::accrual {

enum class RewardType { kPercent, kPoints };

// Goods whose description contains `match` earn `reward` percent of their
// price (kPercent; 12.5 % is 1250 hundredths) or `reward` points (kPoints).
struct RewardRule {
  std::string match;
  domain::Points reward;
  RewardType type = RewardType::kPercent;
};

// In the order they are checked.
enum class RuleError { kEmptyMatch, kNegativeReward, kUnknownType };

domain::Result<RewardRule, RuleError> MakeRewardRule(std::string match, domain::Points reward,
                                                     std::string_view type_name);
std::string_view RewardTypeName(RewardType type);

struct Good {
  std::string description;
  domain::Points price;
};

enum class CalculationError {
  kNothingMatched,  // no rule matches any good: the order is INVALID
  kTooLarge,        // beyond kMaxPointsHundredths
};

// The sum over the goods of every matching rule, computed exactly in
// millionths of a point and rounded half-up to 0.01 once, at the end:
// 5 % of 14599.50 is 729.975, which is 729.98.
domain::Result<domain::Points, CalculationError> CalculateAccrual(const std::vector<Good>& goods,
                                                                  const std::vector<RewardRule>& rules);

}  // namespace gm::accrual
