// SHA-256, base64, escaping and number formatting used by the reports.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "models/embedded_file.h"
#include "report/html_encoding.h"
#include "report/score_table.h"
#include "report/sha256.h"
#include "testing/test_env.h"

namespace litesr {
namespace {

TEST(Sha256, FipsVectors) {
  // FIPS 180-4 / NIST CSRC example values.
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  // Padding edge cases: 55, 56 and 64 bytes (one or two final blocks).
  EXPECT_EQ(sha256_hex(std::string(55, 'a')), "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
  EXPECT_EQ(sha256_hex(std::string(56, 'a')), "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
  EXPECT_EQ(sha256_hex(std::string(64, 'a')), "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
}

TEST(Sha256, MatchesSha256sumOfAShippedModel) {
  if (std::system("sha256sum --version > /dev/null 2>&1") != 0) GTEST_SKIP() << "sha256sum not found";
  ASSERT_GT(kEmbeddedModelCount, 0u);
  const EmbeddedFile& f = kEmbeddedModels[0];
  const std::string path = (testing::source_dir() / "models" / (std::string(f.name) + ".safetensors")).string();
  const std::string cmd = "sha256sum '" + path + "'";
  FILE* pipe = popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  char buf[128] = {};
  ASSERT_NE(fgets(buf, sizeof buf, pipe), nullptr);
  pclose(pipe);
  EXPECT_EQ(sha256_hex(std::string_view(reinterpret_cast<const char*>(f.data), f.size)), std::string(buf, 64));
}

TEST(HtmlEncoding, Base64Rfc4648) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode(std::string("\xff\xfe\x00", 3)), "//4A");
  EXPECT_EQ(data_uri("image/png", "foo"), "data:image/png;base64,Zm9v");
}

TEST(HtmlEncoding, EscapesAndScriptSafeJson) {
  EXPECT_EQ(html_escape("<a href=\"x\">Tom & 'Jerry'</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;");
  const std::string json = nlohmann::json{{"name", "</script><b>\u2028"}}.dump();
  const std::string safe = json_for_script(json);
  EXPECT_EQ(safe.find('<'), std::string::npos) << safe;
  EXPECT_EQ(safe.find("\u2028"), std::string::npos) << safe;
  EXPECT_EQ(nlohmann::json::parse(safe), nlohmann::json::parse(json));
}

TEST(HtmlEncoding, ShellCommandLine) {
  EXPECT_EQ(shell_command_line({"litesr", "compare", "-n", "elsr-x4", "-i", "../data/Set5"}),
            "litesr compare -n elsr-x4 -i ../data/Set5");
  EXPECT_EQ(shell_command_line({"litesr", "-i", "my photos", "it's", ""}), "litesr -i 'my photos' 'it'\\''s' ''");
}

TEST(ScoreTable, NumbersWinnersAndMarkup) {
  EXPECT_EQ(format_score(31.23456, 2), "31.23");
  EXPECT_EQ(format_score(0.876543, 4), "0.8765");
  EXPECT_EQ(format_score(INFINITY, 2), "\u221e");
  EXPECT_EQ(format_score(NAN, 2), "");
  for (double v : {31.784533949008239, 0.1, 1.0 / 3.0, 1e-300})
    EXPECT_EQ(std::strtod(exact_number(v).c_str(), nullptr), v);
  EXPECT_EQ(exact_number(INFINITY), "Infinity");
  EXPECT_EQ(row_winners({1, 3, 2}, true), (std::vector<int>{1}));
  EXPECT_EQ(row_winners({1, 3, 3}, true), (std::vector<int>{1, 2}));
  EXPECT_EQ(row_winners({1, 3, 2}, false), (std::vector<int>{0}));
  EXPECT_EQ(row_winners({NAN, 2, INFINITY}, true), (std::vector<int>{2}));

  ScoreTable t;
  t.id = "t1";
  t.caption = "PSNR";
  t.columns = {"bicubic", "elsr-x4"};
  t.rows = {{"baby", {30.5, 31.25}}, {"bird", {29.0, 28.5}}};
  t.footer = ScoreRow{"mean", {29.75, 29.875}};
  const std::string html = score_table_html(t);
  EXPECT_NE(html.find("<tr data-row=\"baby\">"), std::string::npos);
  EXPECT_NE(html.find("<td data-col=\"1\" data-value=\"31.25\" class=\"win\">31.25"), std::string::npos) << html;
  EXPECT_NE(html.find("<td data-col=\"0\" data-value=\"29\" class=\"win\">29.00"), std::string::npos) << html;
  EXPECT_NE(html.find("<tfoot>"), std::string::npos);
  EXPECT_NE(html.find("(best)"), std::string::npos);
  // One column: nothing to win.
  t.columns = {"bicubic"};
  t.rows = {{"baby", {30.5}}};
  t.footer.reset();
  EXPECT_EQ(score_table_html(t).find("class=\"win\""), std::string::npos);
}

}  // namespace
}  // namespace litesr
