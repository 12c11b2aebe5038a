#include "train/lr_schedule.h"

#include <cmath>
#include <numbers>
#include <string>

namespace litesr::train {

Result<ScheduleKind> parse_schedule_kind(std::string_view name) {
  if (name == "constant") return ScheduleKind::kConstant;
  if (name == "step") return ScheduleKind::kStep;
  if (name == "multistep") return ScheduleKind::kMultiStep;
  if (name == "cosine") return ScheduleKind::kCosine;
  return invalid_argument("unknown schedule '" + std::string(name) + "' (constant, step, multistep, cosine)");
}

std::string_view schedule_kind_name(ScheduleKind kind) {
  switch (kind) {
    case ScheduleKind::kConstant: return "constant";
    case ScheduleKind::kStep: return "step";
    case ScheduleKind::kMultiStep: return "multistep";
    case ScheduleKind::kCosine: return "cosine";
  }
  return "constant";
}

double learning_rate_at(const ScheduleSpec& spec, double base_lr, int64_t it, int64_t total) {
  double lr = base_lr;
  switch (spec.kind) {
    case ScheduleKind::kConstant:
      break;
    case ScheduleKind::kStep:
      if (spec.step_size > 0) lr = base_lr * std::pow(spec.gamma, static_cast<double>(it / spec.step_size));
      break;
    case ScheduleKind::kMultiStep: {
      int passed = 0;
      for (int64_t m : spec.milestones) passed += (it >= m) ? 1 : 0;
      lr = base_lr * std::pow(spec.gamma, passed);
      break;
    }
    case ScheduleKind::kCosine: {
      const double t = total > 0 ? static_cast<double>(it) / static_cast<double>(total) : 0.0;
      lr = spec.min_lr + (base_lr - spec.min_lr) * 0.5 * (1.0 + std::cos(std::numbers::pi * t));
      break;
    }
  }
  if (spec.warmup > 0 && it < spec.warmup) lr *= static_cast<double>(it + 1) / static_cast<double>(spec.warmup);
  return lr;
}

}  // namespace litesr::train
