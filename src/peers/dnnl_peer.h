// oneDNN as a `litesr bench` peer (peers/graph_peer.h): the graph rebuilt from oneDNN primitives (Debian
// libdnnl-dev 2.6, the CPU engine, OpenMP runtime), float32, executed in node order on one stream.
//
// Layouts: activations NHWC (the input converted once at creation; output 0 NHWC too), weights in the layout
// each convolution asks for (format_tag::any, reordered once at creation). Measured on this project's AVX-512
// machine (ONEDNN_VERBOSE=1): with `any` destinations oneDNN 2.6 chose nChw16c for the 6- and 8-channel maps
// (2.7x / 2x padding) and, with those, reference kernels for the fused PReLU and residual-add convolutions;
// NHWC gets brgconv / jit:avx512_core kernels for every convolution, and a 1.2 ms instead of 1.5 ms shuffle
// reorder at 720p (NHWC instead of NCHW output).
//
// Op mapping:
//   conv2d / conv_transpose2d  convolution_forward / deconvolution_forward (direct, forward_inference; groups
//                              as 5-D weights), with the ops after it fused as post-ops while each value has one
//                              reader and is not a graph output: relu / leaky_relu (eltwise_relu with alpha),
//                              sigmoid (eltwise_logistic), tanh (eltwise_tanh), prelu (prelu post-op, one slope
//                              per channel), a 2-input add whose other input is already computed (binary_add
//                              post-op), and output 0's clamp (eltwise_clip [0, 1]) when the chain feeds the
//                              final pixel shuffle or is output 0. A chain that only a reference kernel accepts
//                              is cut until an optimised one does (2.6: PReLU after a convolution runs
//                              ref:any, 65 ms instead of 0.5 ms at 320x180), the cut ops as primitives below
//   the same ops unfused       eltwise_forward / prelu_forward / sum (add of 2+ inputs) / binary_mul (mul)
//   batch_norm                 batch_normalization_forward (global stats, scale and shift)
//   concat                     concat (channels)
//   squeeze_excite             pooling_avg over the whole H x W -> inner_product (+ relu post-op) -> inner_product
//                              (+ hard-sigmoid as eltwise_linear(1/6, 0.5) and eltwise_clip(0, 1) post-ops,
//                              or eltwise_logistic) -> binary_mul broadcasting [N, C, 1, 1]
//   pixel_shuffle              a reorder: oneDNN 2.6 has no depth-to-space primitive, but PixelShuffle is a pure
//                              permutation, written as a 6-D reorder between strided views of the source
//                              [N, C, r, r, H, W] and of the destination [N, C, H·r, W·r] (timed with the run)
//   bicubic_upsample           oneDNN's resampling is nearest / linear only, but an integer-factor bicubic
//                              upscale is a k x k filter per output phase on a border-padded input: two concats
//                              of one-column / one-row views pad it (replicate: PyTorch's kind; mirrored: MATLAB's),
//                              a grouped convolution (group = channel, r² phase outputs, weights f_p ⊗ f_q from the
//                              runtime's own taps, runtime/bicubic_table.h) and the shuffle reorder; creation checks
//                              that the runtime's taps for the actual size are exactly this (k = 5 at x4)
// Not mapped (creation fails with kUnsupported naming the op; no shipped bench model uses them): slice,
// max_pool2d, bilinear_upsample / bilinear_resize, squeeze_excite with the mean + std pool, strided shapes.
// A recurrent step: x_prev / x_t are memories pointed at the window's frames step by step (no copies), and each
// state output is written in place into the buffer the next step reads as its state input (legal because
// every reader of a state input runs before its writer; checked at creation); step 0 reads zeros.
// Threads: omp_set_num_threads(threads) (the OpenMP runtime LibTorch shares; `litesr bench --peers` runs
// with OMP_WAIT_POLICY=PASSIVE so idle workers sleep between engines).
#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "peers/graph_peer.h"
#include "runtime/graph.h"
#include "runtime/model_quantization.h"
#include "runtime/tensor.h"

namespace litesr::peers {

// Builds the graph for `input` (copied) on `threads` >= 1 OpenMP threads. kUnsupported for an op oneDNN
// cannot express (see above); kInvalidArgument for a malformed graph or input; kInternal when oneDNN rejects a
// primitive (the message names the node and oneDNN's error).
Result<std::unique_ptr<GraphPeer>> create_dnnl_peer(const Graph& graph, const TensorMap& tensors,
                                                    const PeerInput& input, int threads);

// An INT8 model (runtime/model_quantization.h) on oneDNN's int8 primitives, from the model's integer form
// (compile_int8_program: the same int8 per-channel filters, int32 biases and activation parameters LiteSR runs):
// s8 NHWC values at each step's parameters; convs as int8 convolutions (src zero point, per-channel output
// scales, dst zero point) with relu / leaky_relu fused as eltwise post-ops and a residual add as a sum post-op
// (its other input's s8 values in the destination, scaled around their zero point); a PReLU after a conv in f32
// (the conv writes f32, oneDNN 2.6 fuses PReLU only into its reference kernel) and quantized by a reorder;
// pixel_shuffle as the s8 reorder. The f32 input is quantized and output 0 dequantized by reorders inside the
// run. Fused chains skip the conv's own rounding, so its integers can differ from TFLite's by a step (the bench
// checks them with its INT8 bound). Single-input, single-output graphs; other ops are kUnsupported, and so is
// every graph where dnnl_int8_keeps_weights() is false.
Result<std::unique_ptr<GraphPeer>> create_dnnl_int8_peer(const Graph& graph, const TensorMap& tensors,
                                                         const ModelQuantization& quantization, const PeerInput& input,
                                                         int threads);

// Whether oneDNN's int8 convolutions use the model's s8 weights as they are on this CPU. Without VNNI (x86 up
// to AVX2 and AVX-512 without VNNI) oneDNN multiplies u8 by s8 with vpmaddubsw, whose int16 pair sums saturate,
// so its weight reorder halves every weight (ONEDNN_VERBOSE shows "sa0.5") and doubles the output scale: a
// network with 7-bit weights, off the model's integers by up to ~12 steps on elsr-x4-int8 (measured on an AMD
// EPYC with AVX2 only). True with VNNI and on CPUs oneDNN reports no x86 ISA for.
bool dnnl_int8_keeps_weights();

// "2.6.3" (dnnl_version()).
std::string dnnl_version();

}  // namespace litesr::peers
