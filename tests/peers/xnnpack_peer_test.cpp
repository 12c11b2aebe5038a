// XNNPACK as a `litesr bench` peer (peers/xnnpack_peer.h): the same random-weight graphs through the peer and through
// LiteSR's Session / MultiFrameSession agree within 1e-4 (f32, clamped output 0) — ELSR x4 (the shipped shape), EVSRNet
// frame-parallel (a batch of frames) and recurrent (a window, state fed back), a graph with depthwise convs,
// squeeze-excite, batch norm and a PReLU carrying the shuffle's channel order, FSRCNN's deconvolution — and graphs
// with an op the library cannot express fail with kUnsupported naming the op. Skipped with a message when XNNPACK
// was not found at configure time.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#ifdef LITESR_HAVE_XNNPACK
#include "graph_peer_testing.h"
#include "io/image_file.h"
#include "models/builtin_models.h"
#include "models/registry.h"
#include "peers/xnnpack_peer.h"
#include "runtime/model_quantization.h"
#include "testing/test_env.h"
#endif

namespace litesr {
namespace {

#ifndef LITESR_HAVE_XNNPACK
TEST(XnnpackPeer, Skipped) {
  GTEST_SKIP()
      << "XNNPACK was not found at configure time (libxnnpack-dev, libpthreadpool-dev); its bench peer is not built";
}
#else
using testing::compare_with_litesr;
using testing::kPeerTolerance;

using testing::expect_match;

// A built-in architecture with random weights, through this peer and LiteSR.
testing::PeerComparison compare_xnnpack(const std::string& arch, const std::string& config, int frames, int w, int h,
                                        int threads) {
  return testing::compare_builtin_model(&peers::create_xnnpack_peer, arch, config, frames, w, h, threads);
}

TEST(XnnpackPeer, ElsrMatchesTheSession) {
  const std::string elsr = R"({"scale": 4, "channels": 6})";
  expect_match(compare_xnnpack("elsr", elsr, 1, 17, 13, 1), 1);
  expect_match(compare_xnnpack("elsr", elsr, 1, 133, 9, 2), 1);  // two threads, a wide odd row
}

TEST(XnnpackPeer, FrameParallelBatchMatchesTheSession) {
  expect_match(compare_xnnpack("evsrnet", R"({"scale": 4, "nc": 8, "nb": 2, "frames": 3, "mode": "frame_parallel"})", 3,
                               19, 11, 2),
               3);
}

TEST(XnnpackPeer, RecurrentWindowMatchesTheMultiFrameSession) {
  expect_match(
      compare_xnnpack("evsrnet", R"({"scale": 4, "nc": 8, "nb": 2, "frames": 4, "mode": "recurrent"})", 4, 19, 11, 2),
      4);
}

TEST(XnnpackPeer, DepthwiseSqueezeExciteAndShuffleMatchTheSession) {
  for (SeGate gate : {SeGate::kHardSigmoid, SeGate::kSigmoid}) {
    const Graph g = testing::mixed_ops_graph(gate);
    const TensorMap tensors = testing::random_tensors(g, 11);
    expect_match(compare_with_litesr(&peers::create_xnnpack_peer, g, tensors, 2, 23, 17, 2), 2);
  }
}

TEST(XnnpackPeer, DeconvolutionMatchesTheSession) {  // FSRCNN: conv_transpose2d (x4) and PReLU
  expect_match(compare_xnnpack("fsrcnn", R"({"scale": 4, "d": 32, "s": 5, "m": 1, "channels": 3})", 1, 15, 12, 2), 1);
}

// Named kUnsupported, never a wrong result: SAM-SR's bicubic skip (XNNPACK resizes bilinearly only) and ESPCN's
// tanh (no f32 tanh node in this XNNPACK).
TEST(XnnpackPeer, UnexpressibleOpsAreSkippedByName) {
  const testing::PeerComparison sam =
      compare_xnnpack("sam_sr", R"({"scale": 4, "nf": 16, "n": 1, "se": true, "bn": false, "bicubic_a": -0.75,
                                      "se_gate": "hard_sigmoid", "upsampler": "candidate_a"})",
                      1, 9, 7, 1);
  EXPECT_EQ(sam.status.code(), StatusCode::kUnsupported);
  EXPECT_NE(sam.status.message().find("bicubic_upsample"), std::string::npos) << sam.status.message();
  const testing::PeerComparison espcn = compare_xnnpack("espcn", R"({"scale": 4, "channels": 3})", 1, 9, 7, 1);
  EXPECT_EQ(espcn.status.code(), StatusCode::kUnsupported);
  EXPECT_NE(espcn.status.message().find("tanh"), std::string::npos) << espcn.status.message();
}

// INT8: the shipped elsr-x4-int8 on XNNPACK's integer operators (create_xnnpack_int8_peer) against LiteSR's INT8
// session, on a crop of the bundled photo. Both run the same integer network (same int8 weights, biases and
// activation parameters); XNNPACK requantizes in float and runs the prelu on dequantized values, so single steps
// differ and later layers can grow them (measured here: at most 5 steps, 1.4 % of samples off by more than one).
// A wrong weight layout, scale or channel order is off by tens of steps almost everywhere.
TEST(XnnpackPeer, Int8ElsrMatchesTheInt8Session) {
  testing::expect_int8_match(testing::compare_int8_elsr(&peers::create_xnnpack_int8_peer), "XNNPACK", "QS8");
}

TEST(XnnpackPeer, RejectsBadInput) {
  Result<ModelFile> model = models::make_random_model("elsr", 4, R"({"scale": 4, "channels": 6})", 1);
  ASSERT_TRUE(model.ok());
  const Graph graph = *models::build_graph(*model);
  std::vector<float> x(3 * 4 * 4, 0.5f);
  EXPECT_EQ(peers::create_xnnpack_peer(graph, model->tensors, {nullptr, 1, 3, 4, 4}, 1).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(peers::create_xnnpack_peer(graph, model->tensors, {x.data(), 1, 3, 0, 4}, 1).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(peers::create_xnnpack_peer(graph, model->tensors, {x.data(), 1, 1, 4, 4}, 1).status().code(),
            StatusCode::kInvalidArgument);  // a 1-channel input for a 3-channel graph
  TensorMap missing = model->tensors;
  missing.erase(missing.begin());
  EXPECT_EQ(peers::create_xnnpack_peer(graph, missing, {x.data(), 1, 3, 4, 4}, 1).status().code(),
            StatusCode::kInvalidArgument);
}
#endif

}  // namespace
}  // namespace litesr
