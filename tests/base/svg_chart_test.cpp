#include "base/svg_chart.h"

#include <gtest/gtest.h>

#include <cmath>
#include <regex>
#include <string>
#include <vector>

namespace litesr {
namespace {

int count(const std::string& s, const std::string& what) {
  int n = 0;
  for (std::size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

// Every '<' opens a tag that is closed: a cheap well-formedness check (no CDATA or comments are written).
void expect_balanced(const std::string& svg) {
  EXPECT_EQ(svg.rfind("<svg", 0), 0u) << svg.substr(0, 80);
  EXPECT_EQ(count(svg, "<svg"), count(svg, "</svg>"));
  EXPECT_EQ(count(svg, "<text"), count(svg, "</text>"));
  EXPECT_EQ(count(svg, "<g "), count(svg, "</g>"));
  EXPECT_EQ(count(svg, "<"), count(svg, ">"));
}

TEST(SvgChart, XmlEscape) { EXPECT_EQ(xml_escape("a<b>&'\""), "a&lt;b&gt;&amp;&#39;&quot;"); }

TEST(SvgChart, LinearTicksAreNiceAndCover) {
  const auto t = axis_ticks(0.0, 9.3, false);
  ASSERT_GE(t.size(), 3u);
  EXPECT_DOUBLE_EQ(t.front(), 0.0);
  EXPECT_GE(t.back(), 9.3);
  EXPECT_DOUBLE_EQ(t[1] - t[0], 2.0);  // 9.3 / 6 -> step 2
  const auto u = axis_ticks(27.6, 31.2, false);
  EXPECT_LE(u.front(), 27.6);
  EXPECT_GE(u.back(), 31.2);
  EXPECT_DOUBLE_EQ(u[1] - u[0], 0.5);
}

TEST(SvgChart, LogTicks) {
  const auto wide = axis_ticks(3.0, 2000.0, true);  // three decades: powers of ten only
  EXPECT_EQ(wide, (std::vector<double>{1, 10, 100, 1000, 10000}));
  const auto narrow = axis_ticks(0.03, 0.4, true);  // fewer: 2 and 5 multiples, trimmed to the span
  EXPECT_EQ(narrow.front(), 0.02);
  EXPECT_NEAR(narrow.back(), 0.5, 1e-12);
  EXPECT_TRUE(axis_ticks(0.0, 1.0, true).empty());  // log axis needs lo > 0
}

TEST(SvgChart, GroupedBars) {
  BarChart c;
  c.title = "ms per frame <2 threads>";
  c.groups = {"elsr-x4-720p", "sam-sr-xlite-x4-256"};
  c.series = {{"litesr", {11.5, 400.4}, ""}, {"libtorch", {97.0, NAN}, ""}, {"onnxruntime", {30.0}, ""}};
  c.value_axis.label = "ms per frame";
  const Svg svg = bar_chart_svg(c);
  expect_balanced(svg.text);
  EXPECT_GT(svg.width, 0);
  EXPECT_GT(svg.height, 0);
  EXPECT_NE(svg.text.find("elsr-x4-720p"), std::string::npos);
  EXPECT_NE(svg.text.find("sam-sr-xlite-x4-256"), std::string::npos);
  EXPECT_NE(svg.text.find("&lt;2 threads&gt;"), std::string::npos);  // title escaped
  EXPECT_EQ(count(svg.text, "<rect x="), 4 + 3);                     // 4 bars + 3 legend swatches
  EXPECT_EQ(count(svg.text, ">n/a<"), 2);                            // NaN and the missing entry
  EXPECT_NE(svg.text.find(">11.5<"), std::string::npos);
  EXPECT_NE(svg.text.find(">400<"), std::string::npos);  // "auto": no exponent
}

TEST(SvgChart, LogBarsStartAtAxisLow) {
  BarChart c;
  c.groups = {"a"};
  c.series = {{"x", {5.0}, ""}, {"y", {500.0}, ""}};
  c.value_axis.log = true;
  const Svg svg = bar_chart_svg(c);
  expect_balanced(svg.text);
  EXPECT_NE(svg.text.find("log scale"), std::string::npos);
  EXPECT_EQ(count(svg.text, ">n/a<"), 0);
}

TEST(SvgChart, LabelledScatter) {
  XyChart c;
  c.title = "PSNR vs MACs";
  c.x.label = "GMACs per 1280x720 frame";
  c.y.label = "PSNR-Y (dB)";
  c.series = {
      {"", {{0.0, 28.4, "bicubic"}, {0.196, 29.5, "elsr-x4"}, {0.968, 30.9, "sam-sr-xlite-x4"}}, true, false, ""}};
  const Svg svg = xy_chart_svg(c);
  expect_balanced(svg.text);
  EXPECT_EQ(count(svg.text, "<circle"), 3);
  for (const char* name : {"bicubic", "elsr-x4", "sam-sr-xlite-x4", "PSNR-Y (dB)"}) {
    EXPECT_NE(svg.text.find(name), std::string::npos) << name;
  }
}

TEST(SvgChart, LabelsOfNearbyPointsDoNotOverlap) {
  // The trade-off chart's cluster: three models within a few pixels of each other.
  XyChart c;
  c.series = {{"",
               {{0.0, 28.43, "bicubic"},
                {0.09, 29.745, "elsr-x4-y"},
                {0.196, 29.730, "elsr-x4"},
                {0.196, 29.664, "elsr-x4-int8"},
                {2.134, 29.83, "espcn-x4"}},
               true,
               false,
               ""}};
  const std::string svg = xy_chart_svg(c).text;
  // Label boxes as the chart lays them out: 0.6 em per character, the font's height above the baseline.
  struct Box {
    double x0, y0, x1, y1;
  };
  std::vector<Box> boxes;
  const std::regex label(
      "<text x='([-0-9.]+)' y='([-0-9.]+)' font-size='11' text-anchor='(start|end)'[^>]*>([^<]+)</text>");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), label); it != std::sregex_iterator(); ++it) {
    const std::string name = (*it)[4];
    if (name.find("elsr") == std::string::npos && name != "bicubic" && name != "espcn-x4") continue;
    const double x = std::stod((*it)[1]), y = std::stod((*it)[2]), w = 0.6 * 11 * static_cast<double>(name.size());
    boxes.push_back((*it)[3] == "end" ? Box{x - w, y - 11, x, y} : Box{x, y - 11, x + w, y});
  }
  ASSERT_EQ(boxes.size(), 5u) << svg;
  for (std::size_t i = 0; i < boxes.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      const Box &a = boxes[i], &b = boxes[j];
      EXPECT_FALSE(a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1) << "labels " << i << " and " << j;
    }
  }
}

TEST(SvgChart, LogAxisSkipsNonPositivePoints) {
  XyChart c;
  c.x.log = true;
  c.series = {{"s", {{0.0, 1.0, "zero"}, {10.0, 2.0, "ten"}, {1000.0, 3.0, "k"}}, true, true, ""}};
  const Svg svg = xy_chart_svg(c);
  expect_balanced(svg.text);
  EXPECT_EQ(count(svg.text, "<circle"), 2 + 1);  // two points + the legend dot
  EXPECT_EQ(svg.text.find(">zero<"), std::string::npos);
  EXPECT_EQ(count(svg.text, "<polyline"), 1);
}

TEST(SvgChart, EmptyChartsAreStillDocuments) {
  expect_balanced(bar_chart_svg(BarChart{}).text);
  expect_balanced(xy_chart_svg(XyChart{}).text);
}

TEST(SvgChart, Stack) {
  XyChart a;
  a.height = 200;
  BarChart b;
  b.groups = {"g"};
  b.series = {{"s", {1.0}, ""}};
  const Svg pa = xy_chart_svg(a), pb = bar_chart_svg(b);
  const Svg s = stack_svg({pa, pb}, "both");
  expect_balanced(s.text);
  EXPECT_EQ(s.height, 30 + pa.height + pb.height);
  EXPECT_EQ(s.width, std::max(pa.width, pb.width));
  EXPECT_EQ(count(s.text, "<svg"), 3);
}

}  // namespace
}  // namespace litesr
