// Learning-rate schedules of one training stage, as a pure function of the iteration (so a resumed run
// gets the same rate). `it` counts iterations done in the stage (0-based), `total` = stage iterations.
//   constant   lr
//   step       lr · gamma^floor(it / step_size)
//   multistep  lr · gamma^(number of milestones <= it)      (ELSR: ×0.5 at the listed iterations)
//   cosine     min_lr + (lr − min_lr) · (1 + cos(π · it / total)) / 2
// Optional linear warm-up over the first `warmup` iterations multiplies the above by (it + 1) / warmup.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace litesr::train {

enum class ScheduleKind { kConstant, kStep, kMultiStep, kCosine };

struct ScheduleSpec {
  ScheduleKind kind = ScheduleKind::kConstant;
  int64_t step_size = 0;            // step: iterations between decays (> 0)
  std::vector<int64_t> milestones;  // multistep: stage iterations at which lr is multiplied by gamma
  double gamma = 0.5;               // decay factor (step, multistep)
  double min_lr = 0.0;              // cosine: final rate
  int64_t warmup = 0;               // linear warm-up iterations (0 = none)
};

Result<ScheduleKind> parse_schedule_kind(std::string_view name);  // constant|step|multistep|cosine
std::string_view schedule_kind_name(ScheduleKind kind);

double learning_rate_at(const ScheduleSpec& spec, double base_lr, int64_t it, int64_t total);

}  // namespace litesr::train
