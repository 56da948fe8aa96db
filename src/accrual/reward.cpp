#include "accrual/reward.hpp"

namespace gm::accrual {
namespace {

// Wide enough for a million goods at the largest price times the largest
// percentage, so the sum is exact before it is rounded.
__extension__ using Wide = __int128;

constexpr Wide kMillionthsPerHundredth = 10'000;

// Millionths of a point earned by one good under one rule.
Wide Earned(const Good& good, const RewardRule& rule) {
  switch (rule.type) {
    case RewardType::kPercent:
      // hundredths of a point x hundredths of a percent = millionths of a point
      return Wide{good.price.hundredths} * Wide{rule.reward.hundredths};
    case RewardType::kPoints:
      return Wide{rule.reward.hundredths} * kMillionthsPerHundredth;
  }
  return 0;
}

}  // namespace

domain::Result<RewardRule, RuleError> MakeRewardRule(std::string match, domain::Points reward,
                                                     std::string_view type_name) {
  if (match.empty()) return RuleError::kEmptyMatch;
  if (reward.hundredths < 0) return RuleError::kNegativeReward;
  if (type_name == "%") return RewardRule{std::move(match), reward, RewardType::kPercent};
  if (type_name == "pt") return RewardRule{std::move(match), reward, RewardType::kPoints};
  return RuleError::kUnknownType;
}

std::string_view RewardTypeName(RewardType type) {
  switch (type) {
    case RewardType::kPercent:
      return "%";
    case RewardType::kPoints:
      return "pt";
  }
  return "%";
}

domain::Result<domain::Points, CalculationError> CalculateAccrual(const std::vector<Good>& goods,
                                                                  const std::vector<RewardRule>& rules) {
  Wide millionths = 0;
  bool matched = false;
  for (const auto& good : goods) {
    for (const auto& rule : rules) {
      if (good.description.find(rule.match) == std::string::npos) continue;
      matched = true;
      millionths += Earned(good, rule);
    }
  }
  if (!matched) return CalculationError::kNothingMatched;
  const Wide hundredths = (millionths + kMillionthsPerHundredth / 2) / kMillionthsPerHundredth;
  if (hundredths > Wide{domain::kMaxPointsHundredths}) return CalculationError::kTooLarge;
  return domain::Points{static_cast<std::int64_t>(hundredths)};
}

}  // namespace gm::accrual
