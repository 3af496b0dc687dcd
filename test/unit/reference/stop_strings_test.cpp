// Stop strings over streamed text: held back while they may still complete,
// found across token boundaries, the earliest match wins, nothing after it.
#include "sieve/reference/stop_strings.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sieve::ref {
namespace {

/// Feeds `pieces` one by one; returns everything released.
std::string stream(StopStrings &stops, const std::vector<std::string> &pieces) {
  std::string out;
  for (const std::string &piece : pieces)
    out += stops.push(piece);
  return out + stops.finish();
}

TEST(StopStrings, WithoutAMatchEverythingComesOutInOrder) {
  StopStrings stops({"STOP"});
  EXPECT_EQ(stream(stops, {"Hello ", "wor", "ld. ST", "ATE"}), "Hello world. STATE");
  EXPECT_FALSE(stops.stopped());
}

TEST(StopStrings, APossibleStartIsHeldBackUntilItIsNot) {
  StopStrings stops({"</end>"});
  EXPECT_EQ(stops.push("a</"), "a");
  EXPECT_EQ(stops.push("e"), "");
  EXPECT_EQ(stops.push("x"), "</ex");
  EXPECT_EQ(stops.push("b</en"), "b");
  EXPECT_EQ(stops.push("d>tail"), "");
  EXPECT_TRUE(stops.stopped());
  EXPECT_EQ(stops.matched(), "</end>");
  EXPECT_EQ(stops.push("more"), "");
  EXPECT_EQ(stops.finish(), "");
}

TEST(StopStrings, TheEarliestOfSeveralWinsInsideOnePiece) {
  StopStrings stops({"world", "lo w", "\n\n"});
  EXPECT_EQ(stream(stops, {"Hello world\n\n"}), "Hel");
  EXPECT_EQ(stops.matched(), "lo w");
}

TEST(StopStrings, AStopStringAtTheVeryStartReleasesNothing) {
  StopStrings stops({"User:"});
  EXPECT_EQ(stream(stops, {"Us", "er", ":", " hi"}), "");
  EXPECT_TRUE(stops.stopped());
}

TEST(StopStrings, OverlappingPrefixesHoldOnlyWhatCanStillMatch) {
  StopStrings stops({"aab"});
  EXPECT_EQ(stops.push("aaa"), "a"); // "aa" may still become "aab"
  EXPECT_EQ(stops.push("b"), ""); // "aaab": the stop starts at the second a
  EXPECT_TRUE(stops.stopped());
}

} // namespace
} // namespace sieve::ref
