// Teacher: knowledge distillation (issue #18) — a LiteSR model file run without gradients on the batches the
// student sees, its output a second target for the student (trainer.cpp: objective = (1 − w)·loss(student, HR)
// + w·loss(student, teacher), w = the stage's distill_weight, the stage's loss kind and luma_weight).
// Internal to src/train (includes LibTorch).
//
// The teacher is any float, one-frame model file of the stage's scale (a built-in name or a .safetensors path),
// run through GraphForward (the LibTorch peer's op definitions) with its output clamped to [0, 1] as inference
// does. Colours: an RGB teacher teaches RGB and luma students (its output's Y for the latter); a luma teacher only
// luma students. A multi-frame batch ([B, K·T, h, w], video students) is taught frame by frame.
#pragma once

#include <torch/torch.h>

#include <map>
#include <memory>
#include <string>

#include "base/status.h"
#include "train/graph_forward.h"

namespace litesr::train {

class Teacher {
 public:
  // kInvalidArgument naming `model` for an INT8 or multi-frame model, another scale, or a luma teacher of an RGB
  // student; resolve / read errors as models::resolve_model gives them.
  static Result<std::unique_ptr<Teacher>> load(const std::string& model, int scale, bool student_luma);

  // x_rgb: the student's batch in RGB, [B, 3·T, h, w] in [0, 1] -> the teacher's output in the student's
  // colour, [B, K·T, s·h, s·w] (K = 1 for a luma student), without gradients.
  torch::Tensor targets(const torch::Tensor& x_rgb);

  const std::string& name() const { return name_; }
  int64_t parameters() const { return parameters_; }

 private:
  Teacher(std::string name, const Graph& graph, bool luma, bool student_luma);

  std::string name_;
  GraphForward ops_;
  bool luma_ = false;          // the teacher takes and gives Y/255 planes
  bool student_luma_ = false;  // the student does
  std::map<std::string, torch::Tensor> params_;
  int64_t parameters_ = 0;
};

}  // namespace litesr::train
