// LibTorch modules: parameter counts and tensor names (docs/architectures.md), the ELSR x2 -> x4 repeat,
// the exact bicubic skip, SAM-SR BN folding, and the collapsible (over-parameterised) convs of ELSR.
#include <set>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "eval/matlab_resize.h"
#include "train/elsr_network.h"
#include "train/bicubic_upsample.h"
#include "train/model_export.h"
#include "train/sam_sr_network.h"
#include "train/sr_network.h"

namespace litesr::train {
namespace {

SrNetworkPtr build(const ModelConfig& c) {
  Result<SrNetworkPtr> n = make_network(c);
  EXPECT_TRUE(n.ok()) << n.status().to_string();
  return *n;
}

std::set<std::string> names(const SrNetwork& net) {
  std::set<std::string> out;
  for (const auto& [k, v] : network_state(net)) out.insert(k);
  return out;
}

TEST(Networks, ParameterCountsMatchThePapers) {
  torch::manual_seed(0);
  EXPECT_EQ(parameter_count(*build(ElsrConfig{4, 6})), 3474);
  EXPECT_EQ(parameter_count(*build(ElsrConfig{{4, 6, 1}})), 1606);  // "color": "y"
  EXPECT_EQ(parameter_count(*build(EvsrnetConfig{4, 8, 5, 10, EvsrnetMode::kRecurrent})), 14400);
  EXPECT_EQ(parameter_count(*build(EvsrnetConfig{4, 8, 5, 10, EvsrnetMode::kFrameParallel})), 9568);
  SamSrConfig xlite;
  EXPECT_EQ(parameter_count(*build(xlite)), 17979);
  SamSrConfig lite;
  lite.nf = 72;
  lite.n = 16;
  EXPECT_EQ(parameter_count(*build(lite)), 558543);
  // FSRCNN (56,12,4) x4 RGB: 5·5·3·56+56 + 56 + 56·12+12 + 12 + 4·(9·144+12+12) + 12·56+56 + 56 + 56·3·81+3.
  EXPECT_EQ(parameter_count(*build(FsrcnnConfig{})), 4256 + 56 + 684 + 12 + 4 * 1320 + 728 + 56 + 13611);
  EXPECT_EQ(parameter_count(*build(EspcnConfig{})), 4864 + 18464 + 13872);
}

TEST(Networks, TensorNamesFollowTheContract) {
  EXPECT_EQ(names(*build(ElsrConfig{4, 6})),
            (std::set<std::string>{"conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "prelu.weight",
                                   "conv3.weight", "conv3.bias", "conv4.weight", "conv4.bias"}));
  auto ev = names(*build(EvsrnetConfig{}));
  for (const char* n : {"head.weight", "body.0.conv1.weight", "body.4.conv2.bias", "hidden.weight", "tail.bias"}) {
    EXPECT_TRUE(ev.count(n)) << n;
  }
  auto sam = names(*build(SamSrConfig{}));
  for (const char* n : {"blocks.0.expand.weight", "blocks.0.expand_bn.running_var", "blocks.1.se.fc1.weight",
                        "blocks.8.project_bn.bias", "blocks.3.dw.weight", "up.0.bias", "up.7.weight"}) {
    EXPECT_TRUE(sam.count(n)) << n;
  }
  EXPECT_FALSE(sam.count("blocks.0.se.fc1.weight"));
  for (const auto& n : sam) EXPECT_EQ(n.find("num_batches_tracked"), std::string::npos);
  auto fs = names(*build(FsrcnnConfig{}));
  for (const char* n : {"first_part.0.weight", "first_part.1.weight", "mid_part.0.weight", "mid_part.11.weight",
                        "last_part.weight", "last_part.bias"}) {
    EXPECT_TRUE(fs.count(n)) << n;
  }
}

TEST(Networks, OutputShapes) {
  torch::NoGradGuard ng;
  EXPECT_EQ(build(ElsrConfig{3, 6})->forward(torch::rand({2, 3, 5, 7})).sizes(), (std::vector<int64_t>{2, 3, 15, 21}));
  EXPECT_EQ(build(EvsrnetConfig{4, 4, 1, 3, EvsrnetMode::kRecurrent})->forward(torch::rand({1, 9, 6, 5})).sizes(),
            (std::vector<int64_t>{1, 9, 24, 20}));
  EXPECT_EQ(build(EvsrnetConfig{4, 4, 1, 3, EvsrnetMode::kFrameParallel})->forward(torch::rand({2, 9, 6, 5})).sizes(),
            (std::vector<int64_t>{2, 9, 24, 20}));
  EXPECT_EQ(build(FsrcnnConfig{3, 8, 4, 1, 3})->forward(torch::rand({1, 3, 6, 5})).sizes(),
            (std::vector<int64_t>{1, 3, 18, 15}));
  EXPECT_EQ(build(SamSrConfig{4, 8, 2})->forward(torch::rand({1, 3, 6, 5})).sizes(), (std::vector<int64_t>{1, 3, 24, 20}));
}

TEST(Networks, FrameParallelEvsrnetTreatsFramesIndependently) {
  torch::NoGradGuard ng;
  auto net = build(EvsrnetConfig{2, 4, 1, 2, EvsrnetMode::kFrameParallel});
  torch::Tensor a = torch::rand({1, 3, 6, 6}), b = torch::rand({1, 3, 6, 6});
  torch::Tensor both = net->forward(torch::cat({a, b}, 1));
  EXPECT_TRUE(torch::allclose(both.narrow(1, 3, 3), net->forward(b), 1e-6, 1e-6));
}

TEST(ElsrRemap, X4OutputIsNearestNeighbourUpsamplingOfX2Output) {
  for (int colors : {3, 1}) {  // RGB and luma
    for (int expand : {0, 16}) {
      torch::manual_seed(3);
      auto x2 = std::make_shared<ElsrNetwork>(ElsrConfig{{2, 6, colors}, expand});
      Result<std::shared_ptr<ElsrNetwork>> x4 = elsr_x2_to_x4(*x2);
      ASSERT_TRUE(x4.ok()) << x4.status().to_string();
      EXPECT_EQ(std::get<ElsrConfig>((*x4)->config()).expand, expand);
      torch::NoGradGuard ng;
      torch::Tensor x = torch::rand({2, colors, 9, 11});
      torch::Tensor y2 = x2->forward(x);                                          // [2, K, 18, 22]
      torch::Tensor nn = y2.repeat_interleave(2, 2).repeat_interleave(2, 3);      // [2, K, 36, 44]
      torch::Tensor y4 = (*x4)->forward(x);
      ASSERT_EQ(y4.sizes(), nn.sizes());
      // Plain: the same kernels, bit for bit. Expanded: x4's kernel rows are a 16K-row matmul instead of 4K.
      EXPECT_LE((y4 - nn).abs().max().item<float>(), expand == 0 ? 0.0f : 1e-6f) << "expand " << expand;
    }
  }
  EXPECT_EQ(elsr_x4_source_channel(0), 0);
  EXPECT_EQ(elsr_x4_source_channel(5), 0);   // i=1, j=1
  EXPECT_EQ(elsr_x4_source_channel(7), 1);   // i=1, j=3
  EXPECT_EQ(elsr_x4_source_channel(13), 2);  // i=3, j=1: (3/2)·2 + 1/2 = 2
  EXPECT_EQ(elsr_x4_source_channel(47), 11);  // c=2, i=3, j=3: 8 + 2 + 1
}

TEST(CollapsibleConv, PlainDrawsAndComputesWhatConv2dDoes) {
  torch::manual_seed(21);
  CollapsibleConv mine(6, 12, 3, 0);
  torch::manual_seed(21);
  torch::nn::Conv2d conv(torch::nn::Conv2dOptions(6, 12, 3).padding(1));
  EXPECT_TRUE(torch::equal(mine->weight(), conv->weight));
  EXPECT_TRUE(torch::equal(mine->bias, conv->bias));
  torch::NoGradGuard ng;
  torch::Tensor x = torch::rand({2, 6, 7, 9});
  EXPECT_TRUE(torch::equal(mine->forward(x), conv->forward(x)));
}

TEST(CollapsibleConv, ExpandedIsTheTwoConvBlockPlusIdentity) {
  torch::manual_seed(22);
  for (int64_t out : {6, 10}) {
    CollapsibleConv c(6, out, 3, 32);
    torch::NoGradGuard ng;
    torch::Tensor x = torch::rand({2, 6, 8, 5});
    // SESR's block as written: a 3x3 conv 6 -> 32 (no bias), a 1x1 conv 32 -> out, + x when in == out.
    torch::Tensor block = torch::conv2d(torch::conv2d(x, c->expand, {}, 1, 1), c->project.view({out, 32, 1, 1}), c->bias);
    if (out == 6) block = block + x;
    EXPECT_LE((c->forward(x) - block).abs().max().item<float>(), 1e-5f) << out;
    EXPECT_EQ(c->weight().sizes(), (std::vector<int64_t>{out, 6, 3, 3}));
  }
}

TEST(CollapsibleConv, ExpandedElsrCollapsesAndExportsThePlainNetwork) {
  torch::manual_seed(23);
  auto net = std::make_shared<ElsrNetwork>(ElsrConfig{{4, 6}, 24});
  EXPECT_EQ(names(*net), (std::set<std::string>{"conv1.expand", "conv1.project", "conv1.bias", "conv2.expand",
                                                "conv2.project", "conv2.bias", "prelu.weight", "conv3.expand",
                                                "conv3.project", "conv3.bias", "conv4.expand", "conv4.project",
                                                "conv4.bias"}));
  // Factors: 24·(3 + 6 + 6 + 6)·9 + 24·(6 + 6 + 6 + 48); biases and slopes as the plain network.
  EXPECT_EQ(parameter_count(*net), 24 * 21 * 9 + 24 * 66 + 6 + 6 + 6 + 48 + 6);
  // Collapsing (done at every checkpoint's export) leaves torch's global random stream where it was.
  torch::manual_seed(24);
  const float next_draw = torch::rand({1}).item<float>();
  torch::manual_seed(24);
  Result<std::shared_ptr<ElsrNetwork>> plain = collapse_elsr(*net);
  ASSERT_TRUE(plain.ok()) << plain.status().to_string();
  EXPECT_EQ(torch::rand({1}).item<float>(), next_draw);
  EXPECT_EQ(parameter_count(**plain), 3474);
  EXPECT_EQ(std::get<ElsrConfig>((*plain)->config()).expand, 0);
  torch::NoGradGuard ng;
  torch::Tensor x = torch::rand({2, 3, 11, 7});
  EXPECT_LE((net->forward(x) - (*plain)->forward(x)).abs().max().item<float>(), 1e-5f);
  // The model file holds the plain network; its config has no "expand" (the runtime's ELSR has none).
  Result<ModelFile> file = network_to_model_file(*net);
  ASSERT_TRUE(file.ok()) << file.status().to_string();
  EXPECT_EQ(file->metadata.at("litesr.config"), "{\"channels\":6,\"scale\":4}");
  EXPECT_EQ(file->tensors.size(), 9u);
  EXPECT_EQ(file->tensors.at("conv2.weight").shape, (std::vector<int64_t>{6, 6, 3, 3}));
  // The training config round-trips with "expand" (checkpoints store it).
  EXPECT_EQ(model_config_json(net->config()), "{\"channels\":6,\"expand\":24,\"scale\":4}");
  Result<ModelConfig> parsed = parse_model_config("elsr", model_config_json(net->config()));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(std::get<ElsrConfig>(*parsed).expand, 24);
  EXPECT_FALSE(parse_model_config("elsr", "{\"expand\":-1}").ok());
}

TEST(BicubicUpsample, MatchesMatlabImresizeOnFloatImages) {
  torch::manual_seed(5);
  torch::Tensor x = torch::rand({1, 3, 7, 9});
  BicubicUpsampler up(4, -0.5);
  torch::Tensor y = up(x);  // [1, 3, 28, 36]
  Result<Image> img = Image::create(9, 7, 3, PixelType::kF32);
  ASSERT_TRUE(img.ok());
  auto v = img->view<float>();
  for (int yy = 0; yy < 7; ++yy)
    for (int xx = 0; xx < 9; ++xx)
      for (int c = 0; c < 3; ++c) v.at(xx, yy, c) = x[0][c][yy][xx].item<float>();
  MatlabResizeOptions ro;  // symmetric, a = −0.5
  Result<Image> ref = matlab_imresize(*img, 4.0, ro);
  ASSERT_TRUE(ref.ok()) << ref.status().to_string();
  auto rv = ref->view<float>();
  float max_diff = 0;
  for (int yy = 0; yy < 28; ++yy)
    for (int xx = 0; xx < 36; ++xx)
      for (int c = 0; c < 3; ++c) max_diff = std::max(max_diff, std::abs(rv.at(xx, yy, c) - y[0][c][yy][xx].item<float>()));
  EXPECT_LE(max_diff, 1e-5f);
}

TEST(BicubicUpsample, PytorchKernelKeepsConstantsAndClampsBorders) {
  BicubicUpsampler up(4, -0.75);
  torch::Tensor y = up(torch::full({1, 1, 4, 4}, 0.25f));
  EXPECT_NEAR(y.min().item<float>(), 0.25f, 1e-6);
  EXPECT_NEAR(y.max().item<float>(), 0.25f, 1e-6);
}

TEST(SamSrFold, FoldedEqualsUnfoldedInEvalMode) {
  for (int colors : {3, 1}) {  // RGB and luma ("color": "y")
  SCOPED_TRACE(colors);
  torch::manual_seed(11);
  SamSrConfig c;
  c.nf = 8;
  c.n = 2;
  c.color_channels = colors;
  auto net = std::make_shared<SamSrNetwork>(c);
  {
    torch::NoGradGuard ng;
    for (auto& [name, t] : network_state(*net)) {
      if (name.find("running_var") != std::string::npos) t.uniform_(0.5, 2.0);
      else if (name.find("running_mean") != std::string::npos) t.uniform_(-0.3, 0.3);
      else if (name.find("_bn.weight") != std::string::npos) t.uniform_(0.5, 1.5);
      else if (name.find("_bn.bias") != std::string::npos) t.uniform_(-0.2, 0.2);
    }
  }
  net->eval();
  Result<std::shared_ptr<SamSrNetwork>> folded = fold_sam_sr_batch_norm(*net);
  ASSERT_TRUE(folded.ok()) << folded.status().to_string();
  torch::NoGradGuard ng;
  torch::Tensor x = torch::rand({2, colors, 10, 12});
  EXPECT_EQ(net->forward(x).sizes(), (std::vector<int64_t>{2, colors, 40, 48}));
  EXPECT_LE((net->forward(x) - (*folded)->forward(x)).abs().max().item<float>(), 1e-5f);
  for (const auto& n : names(**folded)) EXPECT_EQ(n.find("_bn"), std::string::npos) << n;
  // The exported file is the folded one, with every config key written out.
  Result<ModelFile> file = network_to_model_file(*net);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->metadata.at("litesr.arch"), "sam_sr");
  EXPECT_NE(file->metadata.at("litesr.config").find("\"bn\":false"), std::string::npos);
  EXPECT_TRUE(file->tensors.count("blocks.1.expand.bias"));
  EXPECT_EQ(file->metadata.at("litesr.color"), colors == 3 ? "rgb" : "y");
  }
}

}  // namespace
}  // namespace litesr::train
