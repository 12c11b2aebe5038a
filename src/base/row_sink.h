// RowSink: a consumer of an output image's rows as they become final, so that the next stage reads them while they
// are still in cache (video: the R'G'B' -> Y'CbCr conversion of each group of rows right after the band executor
// stores it, instead of a pass over the whole 11 MB f32 frame afterwards; docs/video.md "Threads").
//
// The producer (Session::run, MultiFrameSession::push_frame, ModelUpscaler::push_frame with a sink) calls
// rows_ready(y0, y1) after rows [y0, y1) of the output image are stored and will not change, from whichever of its
// threads stored them. Contract:
//   - every row of the output is in exactly one call, and every call has returned before the producer's run does;
//   - calls for disjoint ranges can run at the same time on different threads (the sink must allow that);
//   - y0 and y1 are multiples of the producer's group size — the model's scale for Session / MultiFrameSession (the
//     fused executors hand on each LR row's `scale` output rows) — except that y1 may be the output height. Paths
//     that do not stream rows (the layer-by-layer and reference executors) make one call for the whole image.
#pragma once

namespace litesr {

class RowSink {
 public:
  virtual void rows_ready(int y0, int y1) = 0;

 protected:
  ~RowSink() = default;
};

// The producers' one rule: after storing the output rows before `end` (a whole group or the last row of one; the
// band executors: an LR row's pixel-shuffled rows, or a full-resolution output's rows one by one), tells `sink` (if
// any) of the group [end − group, end) once `end` completes it. A whole image: rows_stored(sink, h, h).
inline void rows_stored(RowSink* sink, int end, int group) {
  if (sink != nullptr && end % group == 0) sink->rows_ready(end - group, end);
}

}  // namespace litesr
