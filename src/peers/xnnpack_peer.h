// XNNPACK as a `litesr bench` peer (peers/graph_peer.h), FP32 and (create_xnnpack_int8_peer, below) INT8: the graph
// rebuilt with XNNPACK's subgraph API (Debian libxnnpack-dev 0.0~git20220216, the snapshot PyTorch 1.12 and TFLite of
// that year ship), run by an xnn_runtime on a pthreadpool of the bench's thread count, float32 NHWC.
//
// Op mapping (N = frames of a batch, or 1 for a recurrent step; every value is [N, H, W, C]):
//   conv2d (groups 1)        xnn_define_convolution_2d, filter [O, kh, kw, C] from PyTorch's [O, C, kh, kw];
//                            a missing bias is a zero bias (this XNNPACK requires one for convolution_2d)
//   conv2d (depthwise)       xnn_define_depthwise_convolution_2d, filter [1, kh, kw, C]
//   conv2d (other groups)    xnn_define_convolution_2d with groups
//   conv_transpose2d         xnn_define_deconvolution_2d (padding p, adjustment = output_padding)
//   relu                     the producing conv's / add's output range [0, +inf) when it is their only
//                            consumer (TFLite's fused activation), else xnn_define_clamp(0, +inf)
//   leaky_relu / prelu / sigmoid   xnn_define_leaky_relu / xnn_define_prelu / xnn_define_sigmoid
//   batch_norm               xnn_define_multiply2 + xnn_define_add2 with [C] constants (inference form)
//   squeeze_excite           global_average_pooling_2d -> fully_connected (range [0, +inf): ReLU) ->
//                            fully_connected (hard-sigmoid: weights and bias / 6, bias + 0.5, range [0, 1];
//                            sigmoid: xnn_define_sigmoid) -> multiply2 broadcasting [N, 1, 1, C]
//   add / mul                chains of xnn_define_add2 / xnn_define_multiply2 (mul broadcasts a 1-channel input)
//   pixel_shuffle            xnn_define_depth_to_space. Its channel order is TensorFlow's DCR (channel
//                            (i·r + j)·C + c), PyTorch's is CRD (c·r² + i·r + j): the convolution that makes the
//                            shuffled value writes its output channels in DCR order (weights and bias permuted at
//                            build time; per-channel ops in between carry the permutation), so no extra pass runs
//   output 0 clamp [0, 1]    the output range of the convolution feeding the final shuffle when nothing else reads
//                            it, else xnn_define_clamp
//   concat                   only the recurrent step's concat of its inputs (x_prev, x_t, states): XNNPACK of this
//                            date has no concatenate node, so the step input is one external NHWC value that the
//                            run fills each step from the frames and the previous step's state outputs (a copy
//                            on the same pthreadpool, timed with the run; state values keep XNNPACK's channel
//                            order and the head convolution's weights are permuted to read them)
// Not expressible here (creation fails with kUnsupported naming the op): tanh (no f32 tanh node), slice,
// other concats, bicubic_upsample (XNNPACK resizes bilinearly only), bilinear_upsample / bilinear_resize,
// max_pool2d, squeeze_excite with the mean + std pool, strided shapes.
// The runtime is created with XNN_FLAG_YIELD_WORKERS (idle workers yield instead of spinning through the other
// engines' interleaved runs, like ONNX Runtime's spinning off and LibTorch's OMP_WAIT_POLICY=PASSIVE).
#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "peers/graph_peer.h"
#include "runtime/graph.h"
#include "runtime/model_quantization.h"
#include "runtime/tensor.h"

namespace litesr::peers {

// Builds the graph for `input` (copied into NHWC) on `threads` >= 1 threads. kUnsupported for an op XNNPACK
// cannot express (see above) or a CPU XNNPACK does not run on; kInvalidArgument for a malformed graph or input;
// kInternal when XNNPACK rejects a node (the message names it and XNNPACK's status).
Result<std::unique_ptr<GraphPeer>> create_xnnpack_peer(const Graph& graph, const TensorMap& tensors,
                                                       const PeerInput& input, int threads);

// An INT8 model (runtime/model_quantization.h) on XNNPACK's integer operators, from the model's integer form
// (compile_int8_program: the same int8 per-channel filters, int32 biases and activation parameters LiteSR runs):
// convs (dense and depthwise) as QC8 convolutions, adds and sigmoids in QS8; prelu, leaky_relu, a relu with new
// parameters and depth_to_space (XNNPACK 2022-02 has them in f32 / x32 only) on dequantized values, with convert
// nodes between (what TFLite's XNNPACK delegate would hand back to TFLite's own kernels). The f32 input is
// quantized by a convert node; the output is f32. XNNPACK requantizes in float, so its integers differ from
// TFLite's in rounding (the bench checks them with its INT8 bound). Single-input, single-output graphs.
Result<std::unique_ptr<GraphPeer>> create_xnnpack_int8_peer(const Graph& graph, const TensorMap& tensors,
                                                            const ModelQuantization& quantization,
                                                            const PeerInput& input, int threads);

// The XNNPACK build linked in (the Debian package version found at configure time; XNNPACK has no version
// API).
std::string xnnpack_version();

}  // namespace litesr::peers
