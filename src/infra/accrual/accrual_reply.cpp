#include "infra/accrual/accrual_reply.hpp"

#include <boost/json.hpp>
#include <charconv>

#include "infra/json/json_text.hpp"

namespace gm::infra::accrual {
namespace {

namespace json = boost::json;

AccrualReply Fault(std::string why) {
  AccrualReply reply;
  reply.kind = AccrualReply::Kind::kFault;
  reply.fault = std::move(why);
  return reply;
}

std::optional<domain::AccrualStatus> ParseStatus(std::string_view name) {
  if (name == "REGISTERED") return domain::AccrualStatus::kRegistered;
  if (name == "PROCESSING") return domain::AccrualStatus::kProcessing;
  if (name == "INVALID") return domain::AccrualStatus::kInvalid;
  if (name == "PROCESSED") return domain::AccrualStatus::kProcessed;
  return std::nullopt;
}

AccrualReply InterpretResult(std::string_view body, const std::string& expected_order) {
  boost::system::error_code error;
  const json::value value = json::parse(body, error);
  if (error || !value.is_object()) return Fault("200 with a body that is not a JSON object");
  const auto& object = value.as_object();
  const auto* order = object.if_contains("order");
  if (order == nullptr || !order->is_string() || order->as_string() != expected_order) {
    return Fault("200 about another order, or without one");
  }
  const auto* status_name = object.if_contains("status");
  const auto status = status_name && status_name->is_string() ? ParseStatus(status_name->as_string()) : std::nullopt;
  if (!status) return Fault("200 with an unknown status");
  AccrualReply reply;
  reply.kind = AccrualReply::Kind::kResult;
  reply.status = *status;
  if (const auto* accrual = object.if_contains("accrual"); accrual != nullptr && !accrual->is_null()) {
    auto points = PointsFromJson(*accrual);
    if (!points || points.Value().hundredths < 0) return Fault("200 with an accrual that is not a valid amount");
    reply.accrual = points.Value();
  }
  return reply;
}

}  // namespace

std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value, std::time_t now) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  long long seconds = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (error == std::errc{} && end == value.data() + value.size()) {
    if (seconds < 0) return std::nullopt;
    return std::chrono::seconds(std::min(seconds, 3600LL));
  }
  std::tm parsed{};
  const std::string text(value);
  const char* rest = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &parsed);
  if (rest == nullptr || *rest != '\0') return std::nullopt;
  const std::time_t at = timegm(&parsed);
  return std::chrono::seconds(std::clamp<long long>(at - now, 0, 3600));
}

std::optional<int> ParseRequestsPerMinute(std::string_view body) {
  constexpr std::string_view kPrefix = "No more than ";
  const auto start = body.find(kPrefix);
  if (start == std::string_view::npos) return std::nullopt;
  body.remove_prefix(start + kPrefix.size());
  int limit = 0;
  const auto [end, error] = std::from_chars(body.data(), body.data() + body.size(), limit);
  if (error != std::errc{} || limit <= 0) return std::nullopt;
  if (std::string_view(end, static_cast<std::size_t>(body.data() + body.size() - end)).find("per minute") ==
      std::string_view::npos) {
    return std::nullopt;
  }
  return limit;
}

AccrualReply InterpretReply(unsigned status, std::string_view retry_after, std::string_view body,
                            const std::string& expected_order, std::time_t now) {
  switch (status) {
    case 200:
      return InterpretResult(body, expected_order);
    case 204: {
      AccrualReply reply;
      reply.kind = AccrualReply::Kind::kNotRegistered;
      return reply;
    }
    case 429: {
      AccrualReply reply;
      reply.kind = AccrualReply::Kind::kRateLimited;
      reply.retry_after = ParseRetryAfter(retry_after, now).value_or(kDefaultRetryAfter);
      reply.requests_per_minute = ParseRequestsPerMinute(body);
      return reply;
    }
    default:
      return Fault("HTTP " + std::to_string(status));
  }
}

}  // namespace gm::infra::accrual
