// Evaluation of a video as frame sequences (`litesr eval --lr-frames/--gt-frames`, through ModelUpscaler): a folder of LR frames upscaled in order (multi-frame models keep
// their temporal state across frames) and scored against a folder of ground-truth frames, frame by frame
// (PSNR/SSIM on Y and RGB, DESIGN §5). Frames pair up by sorted file name; the counts must match and every
// GT frame must be exactly scale x its LR frame.
#pragma once

#include <string>

#include "base/cancel.h"
#include "base/progress.h"
#include "eval/evaluation.h"

namespace litesr {

struct FrameSequenceEvalOptions {
  std::string lr_dir;   // LR frames, e.g. Vid4_calendar/BIx4
  std::string gt_dir;   // ground truth, e.g. Vid4_calendar/GT
  std::string model;    // built-in name or .safetensors ("bicubic" needs `scale`)
  int scale = 0;        // 0 = the model's
  int shave = -1;       // -1 = the scale
  int threads = 0;      // session threads
};

Result<EvaluationResult> evaluate_frame_sequence(const FrameSequenceEvalOptions& options,
                                                 const CancelToken* cancel, Progress* progress);

}  // namespace litesr
