#include "base/progress.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace litesr {
namespace {

std::string run_progress(ProgressMode mode) {
  std::FILE* f = std::tmpfile();
  {
    Progress p(mode, "upscale", 3, f);
    p.set_fields({{"loss", 0.5}});
    p.advance(1, "a.png");
    p.advance(2, "b\"c.png");
  }
  std::rewind(f);
  std::string out;
  char buf[512];
  while (std::fgets(buf, sizeof buf, f)) out += buf;
  std::fclose(f);
  return out;
}

TEST(Progress, JsonLinesAreObjectsWithEscapedItems) {
  const std::string out = run_progress(ProgressMode::kJson);
  EXPECT_NE(out.find("{\"event\":\"progress\",\"task\":\"upscale\",\"done\":1,\"total\":3"), std::string::npos);
  EXPECT_NE(out.find("\"event\":\"done\""), std::string::npos);
  EXPECT_NE(out.find("\"loss\":0.5"), std::string::npos);
  EXPECT_NE(out.find("b\\\"c.png"), std::string::npos);
}

TEST(Progress, BarEndsWithNewline) {
  const std::string out = run_progress(ProgressMode::kBar);
  EXPECT_NE(out.find("3/3"), std::string::npos);
  EXPECT_EQ(out.back(), '\n');
}

TEST(Progress, AutoIsSilentWhenNotATerminal) {
  EXPECT_TRUE(run_progress(ProgressMode::kAuto).empty());
  EXPECT_TRUE(run_progress(ProgressMode::kNone).empty());
}

TEST(Progress, ParsesModesAndFormatsDurations) {
  EXPECT_EQ(*parse_progress_mode("json"), ProgressMode::kJson);
  EXPECT_FALSE(parse_progress_mode("loud").ok());
  EXPECT_EQ(format_duration(62), "1:02");
  EXPECT_EQ(format_duration(3723), "1:02:03");
}

}  // namespace
}  // namespace litesr
