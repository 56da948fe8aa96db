// Proves the accrual system's rules and its exact, half-up calculation,
// including both worked examples of SPEC §4.
#include <gtest/gtest.h>

#include "accrual/reward.hpp"

namespace gm::accrual {
namespace {

RewardRule Rule(std::string match, std::int64_t reward_hundredths, std::string_view type) {
  return MakeRewardRule(std::move(match), {reward_hundredths}, type).Value();
}

TEST(Reward, SpecWorkedExampleEarns27_25) {
  const std::vector<RewardRule> rules{Rule("Pringles", 1000, "%"), Rule("Coca-Cola", 1250, "pt")};
  const std::vector<Good> goods{
      {"Чайник Tefal", {700000}}, {"Чипсы Pringles бекон", {14750}}, {"Напиток Coca-Cola Zero 0.5л", {5500}}};
  EXPECT_EQ(CalculateAccrual(goods, rules).Value().hundredths, 2725);
}

TEST(Reward, FivePercentOf14599_50RoundsHalfUpTo729_98) {
  EXPECT_EQ(CalculateAccrual({{"X", {1459950}}}, {Rule("X", 500, "%")}).Value().hundredths, 72998);
}

TEST(Reward, RoundsOnceOverTheWholeOrder) {
  // Each good (0.01 at 50 %) earns 0.005. The exact sum 0.015 rounds to 0.02;
  // rounding each good first would give 3 x 0.01 = 0.03.
  const std::vector<Good> goods{{"X", {1}}, {"X", {1}}, {"X", {1}}};
  EXPECT_EQ(CalculateAccrual(goods, {Rule("X", 5000, "%")}).Value().hundredths, 2);
}

TEST(Reward, EveryMatchingRuleCounts) {
  const std::vector<RewardRule> rules{Rule("Bork", 1000, "%"), Rule("Bork V", 200, "pt")};
  EXPECT_EQ(CalculateAccrual({{"Bork V700", {10000}}}, rules).Value().hundredths, 1000 + 200);
}

TEST(Reward, NothingMatchedMakesTheOrderInvalid) {
  EXPECT_EQ(CalculateAccrual({{"Tefal", {100}}}, {Rule("Bork", 1000, "%")}).Error(), CalculationError::kNothingMatched);
  EXPECT_EQ(CalculateAccrual({}, {Rule("Bork", 1000, "%")}).Error(), CalculationError::kNothingMatched);
}

TEST(Reward, MatchedWithZeroEarnsZero) {
  EXPECT_EQ(CalculateAccrual({{"Bork", {0}}}, {Rule("Bork", 1000, "%")}).Value().hundredths, 0);
}

TEST(Reward, HugeTotalsAreRefusedNotWrapped) {
  const std::vector<Good> goods(10, Good{"X", {domain::kMaxPointsHundredths}});
  EXPECT_EQ(CalculateAccrual(goods, {Rule("X", 10000, "%")}).Error(), CalculationError::kTooLarge);
}

TEST(Reward, RulesAreCheckedInOrder) {
  EXPECT_EQ(MakeRewardRule("", {-1}, "?").Error(), RuleError::kEmptyMatch);
  EXPECT_EQ(MakeRewardRule("X", {-1}, "?").Error(), RuleError::kNegativeReward);
  EXPECT_EQ(MakeRewardRule("X", {1}, "?").Error(), RuleError::kUnknownType);
  EXPECT_EQ(MakeRewardRule("X", {1}, "pt").Value().type, RewardType::kPoints);
}

}  // namespace
}  // namespace gm::accrual
