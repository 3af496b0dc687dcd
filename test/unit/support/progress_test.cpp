// The progress line on a fake clock: silent for quick steps, rate-limited
// redraws on a terminal (cleared at the end), plain lines in a log.
#include "sieve/support/progress.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

namespace sieve {
namespace {

/// What a ProgressLine wrote, read back from a temporary file.
std::string contents(std::FILE *f) {
  std::fflush(f);
  std::rewind(f);
  std::string text;
  char buffer[256];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0)
    text.append(buffer, n);
  return text;
}

ProgressLine::Options fakeClock(double &now, bool terminal) {
  ProgressLine::Options options;
  options.terminal = terminal ? 1 : 0;
  options.clock = [&now] { return now; };
  return options;
}

size_t count(const std::string &text, const std::string &what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
    ++n;
  return n;
}

TEST(ProgressLine, QuickStepsPrintNothing) {
  std::FILE *f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  double now = 100;
  {
    ProgressLine line("writing", 1000, f, fakeClock(now, true));
    for (int i = 1; i <= 10; ++i) {
      now += 0.15; // 1.5 s in all: under the 2 s of silence
      line.update(uint64_t(i) * 100);
    }
  }
  EXPECT_EQ(contents(f), "");
  std::fclose(f);
}

TEST(ProgressLine, LogLinesEveryTenSeconds) {
  std::FILE *f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  double now = 0;
  {
    ProgressLine line("sieve-gen: writing", uint64_t(100) << 20, f, fakeClock(now, false));
    for (int second = 1; second <= 25; ++second) {
      now = second;
      line.update(uint64_t(second) * (uint64_t(4) << 20)); // 4 MiB/s
    }
  }
  const std::string text = contents(f);
  // At 2 s (first), 12 s and 22 s.
  EXPECT_EQ(count(text, "\n"), 3u) << text;
  EXPECT_EQ(count(text, "\r"), 0u) << text;
  EXPECT_NE(text.find("sieve-gen: writing: 8% (8.0 MiB / 100.0 MiB, 4.0 MiB/s, 23 s left)\n"),
            std::string::npos)
      << text;
  std::fclose(f);
}

TEST(ProgressLine, TerminalRedrawsInPlaceAndClears) {
  std::FILE *f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  double now = 0;
  ProgressLine line("loading", 1000, f, fakeClock(now, true));
  now = 3;
  line.update(500);
  now = 3.05; // within 0.1 s of the last redraw: skipped
  line.update(510);
  now = 3.2;
  line.update(600);
  line.finish();
  line.finish(); // idempotent
  const std::string text = contents(f);
  EXPECT_EQ(count(text, "\r"), 3u) << text; // two redraws and the clear
  EXPECT_NE(text.find("loading [############            ] 50%"), std::string::npos) << text;
  EXPECT_EQ(text.find("51%"), std::string::npos) << text;
  EXPECT_EQ(text.substr(text.size() - 4), "\r\033[K");
  std::fclose(f);
}

TEST(ProgressLine, Describe) {
  EXPECT_EQ(ProgressLine::describe(0, 2048, 0), "0% (0 B / 2.0 KiB)");
  EXPECT_EQ(ProgressLine::describe(2048, 2048, 2), "100% (2.0 KiB / 2.0 KiB, 1.0 KiB/s)");
  EXPECT_EQ(ProgressLine::describe(0, 0, 1), "100% (0 B / 0 B)");
  EXPECT_EQ(formatBytesShort(uint64_t(3) << 40), "3.0 TiB");
  EXPECT_EQ(formatCount(512), "512");
  EXPECT_EQ(formatCount(812600000), "812.6 M");
  EXPECT_EQ(formatCount(uint64_t(1600) * 1000000000), "1.6 T");
}

TEST(StageTicker, QuietWhenQuick) {
  std::FILE *f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  {
    StageTicker ticker("sieve-compile", f);
    ticker.stage("import");
  } // the default two seconds of silence never pass
  EXPECT_EQ(contents(f), "");
  std::fclose(f);
}

TEST(StageTicker, NamesTheStageRunningInALog) {
  std::FILE *f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  ProgressLine::Options options;
  options.terminal = 0;
  options.quietSeconds = 0.05;
  options.logInterval = 0.05;
  StageTicker ticker("sieve-compile", f, options);
  ticker.stage("graph pipeline");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ticker.stage("objects and link");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ticker.finish();
  ticker.finish();
  const std::string text = contents(f);
  EXPECT_NE(text.find("sieve-compile: graph pipeline ("), std::string::npos) << text;
  EXPECT_NE(text.find("sieve-compile: objects and link ("), std::string::npos) << text;
  EXPECT_LT(text.find("graph pipeline"), text.find("objects and link")) << text;
  EXPECT_EQ(count(text, "\r"), 0u) << text;
  std::fclose(f);
}

} // namespace
} // namespace sieve
