//===- case_file_test.cpp - Recorded conformance cases: files and checks --===//

#include "case_file.h"

#include "sieve/numerics/float_formats.h"
#include "test_paths.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>

namespace sieve::replay {
namespace {

std::string bytesOf(const std::vector<float> &values) {
  std::string bytes(values.size() * 4, '\0');
  std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

std::string bf16BytesOf(const std::vector<float> &values) {
  std::string bytes;
  for (float v : values) {
    uint16_t bits = num::bf16FromFloat(v);
    bytes.append(reinterpret_cast<const char *>(&bits), 2);
  }
  return bytes;
}

RecordedCase sampleCase() {
  RecordedCase recorded;
  recorded.name = "OpConformance.Sample-0";
  RecordedCode ptx;
  ptx.target = "nvidia:sm_90";
  ptx.format = fb::ExecutableFormat::Ptx;
  ptx.architecture = "sm_90";
  ptx.symbol = "op";
  ptx.blockSize = {128, 1, 1};
  ptx.workgroupMemoryBytes = 4096;
  ptx.image = ".version 8.0\n";
  recorded.codes.push_back(ptx);
  recorded.workgroups = {7, 1, 1};
  recorded.constants = {5, 9};
  RecordedBinding input;
  input.element = fb::replay::Element::F32;
  input.before = input.after = bytesOf({1.0f, 2.0f});
  RecordedBinding output;
  output.element = fb::replay::Element::BF16;
  output.before = bf16BytesOf({0.0f, 0.0f});
  output.after = bf16BytesOf({3.0f, -1.5f});
  recorded.bindings = {input, output};
  return recorded;
}

TEST(ReplayCaseFile, ReadsBackWhatItWrote) {
  const std::string bytes = serializeCase(sampleCase());
  Expected<const fb::replay::Case *> opened = openCase(bytes, "sample.case");
  ASSERT_TRUE(opened.isOk()) << opened.status().message();
  const fb::replay::Case &c = **opened;
  EXPECT_EQ(c.name()->str(), "OpConformance.Sample-0");
  ASSERT_EQ(c.codes()->size(), 1u);
  const fb::Executable &executable = *c.codes()->Get(0)->executable();
  EXPECT_EQ(executable.format(), fb::ExecutableFormat::Ptx);
  EXPECT_EQ(executable.exports()->Get(0)->str(), "op");
  EXPECT_EQ(executable.launches()->Get(0)->block_size()->Get(0), 128u);
  EXPECT_EQ(executable.launches()->Get(0)->workgroup_memory(), 4096u);
  EXPECT_EQ(c.codes()->Get(0)->image()->size(), 13u);
  EXPECT_EQ(c.workgroups()->Get(0), 7u);
  EXPECT_EQ(c.constants()->Get(1), 9u);
  ASSERT_EQ(c.bindings()->size(), 2u);
  EXPECT_EQ(c.bindings()->Get(1)->element(), fb::replay::Element::BF16);
  EXPECT_EQ(bytesAfter(*c.bindings()->Get(1)), bf16BytesOf({3.0f, -1.5f}));
  // An input's bytes are written once and read back as its bytes after.
  EXPECT_EQ(c.bindings()->Get(0)->after(), nullptr);
  EXPECT_EQ(bytesAfter(*c.bindings()->Get(0)), bytesOf({1.0f, 2.0f}));
}

TEST(ReplayCaseFile, RefusesWhatIsNotACase) {
  const std::string bytes = serializeCase(sampleCase());
  Expected<const fb::replay::Case *> empty = openCase("", "empty.case");
  ASSERT_FALSE(empty.isOk());
  EXPECT_NE(empty.status().message().find("empty.case"), std::string::npos);
  std::string renamed = bytes;
  std::memcpy(renamed.data() + 4, "SIEV", 4);
  Expected<const fb::replay::Case *> module = openCase(renamed, "module.case");
  ASSERT_FALSE(module.isOk());
  EXPECT_NE(module.status().message().find("identifier"), std::string::npos);
  // Every truncation is refused, never read past its end.
  for (size_t size = 0; size < bytes.size(); size += 7)
    EXPECT_FALSE(openCase(bytes.substr(0, size), "cut.case").isOk()) << size;
}

TEST(ReplayCaseFile, RefusesABindingWhoseBytesChangeLength) {
  RecordedCase recorded = sampleCase();
  recorded.bindings[1].after += "xx";
  Expected<const fb::replay::Case *> opened = openCase(serializeCase(recorded), "bad.case");
  ASSERT_FALSE(opened.isOk());
  EXPECT_NE(opened.status().message().find("binding 1 has 4 bytes before and 6 after"),
            std::string::npos)
      << opened.status().message();
}

TEST(ReplayCaseFile, RefusesAGpuCodeWithoutItsLaunch) {
  // serializeCase always writes a GPU code's launch; a file from elsewhere
  // may not have one.
  flatbuffers::FlatBufferBuilder fbb;
  const fb::Segment unused(0, 0, 0);
  auto executable = fb::CreateExecutable(
      fbb, fbb.CreateString("nvidia:sm_90"), fb::ExecutableFormat::Ptx, fbb.CreateString("sm_90"),
      0, 0, fbb.CreateVectorOfStrings(std::vector<std::string>{"op"}), &unused);
  auto code = fb::replay::CreateCode(fbb, executable, fbb.CreateVector(std::vector<uint8_t>{}));
  auto root = fb::replay::CreateCase(
      fbb, fbb.CreateString("NoLaunch-0"), fbb.CreateVector(std::vector{code}),
      fbb.CreateVector(std::vector<uint32_t>{1, 1, 1}), 0,
      fbb.CreateVector(std::vector<flatbuffers::Offset<fb::replay::Binding>>{}));
  fb::replay::FinishCaseBuffer(fbb, root);
  std::string bytes(reinterpret_cast<const char *>(fbb.GetBufferPointer()), fbb.GetSize());
  Expected<const fb::replay::Case *> opened = openCase(bytes, "ptx.case");
  ASSERT_FALSE(opened.isOk());
  EXPECT_NE(opened.status().message().find("no launch shape"), std::string::npos)
      << opened.status().message();
}

// The fuzz target's seed must stay a case this build opens: a seed every
// schema change rejected would leave the fuzzer only refusals to explore.
TEST(ReplayCaseFile, OpensTheFuzzTargetsSeed) {
  const std::string path =
      sieve::test_paths::sourcePath("test/fuzz/corpus/replay_case_fuzzer/ptx-two-bindings.case");
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << path;
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Expected<const fb::replay::Case *> opened = openCase(bytes, path);
  ASSERT_TRUE(opened.isOk()) << opened.status().message();
  ASSERT_EQ((*opened)->codes()->size(), 1u);
  EXPECT_EQ((*opened)->codes()->Get(0)->executable()->format(), fb::ExecutableFormat::Ptx);
  EXPECT_EQ((*opened)->bindings()->size(), 2u);
}

TEST(ReplayCompare, FloatsWithinTheToleranceMatch) {
  const std::string expected = bytesOf({1.0f, -2.0f, 4.0f, 0.5f});
  Comparison same = compareBinding(fb::replay::Element::F32, expected, expected, 1e-3);
  EXPECT_TRUE(same.exact);
  EXPECT_TRUE(same.withinTolerance);

  const std::string near = bytesOf({1.0f, -2.0f, 4.0001f, 0.5f});
  Comparison close = compareBinding(fb::replay::Element::F32, expected, near, 1e-3);
  EXPECT_FALSE(close.exact);
  EXPECT_TRUE(close.withinTolerance);
  EXPECT_EQ(close.differing, 1u);
  EXPECT_NEAR(close.relativeL2, 1e-4 / std::sqrt(21.25), 1e-6);

  const std::string far = bytesOf({1.0f, -2.0f, 4.5f, 0.5f});
  Comparison wrong = compareBinding(fb::replay::Element::F32, expected, far, 1e-3);
  EXPECT_FALSE(wrong.withinTolerance);
  EXPECT_NE(wrong.firstDifference.find("element 2: expected 4, got 4.5"), std::string::npos)
      << wrong.firstDifference;
}

TEST(ReplayCompare, NaNMustStayNaNAndInfinitiesEqual) {
  const float nan = std::nanf("");
  const std::string expected = bytesOf({nan, INFINITY, 1.0f});
  // Another NaN payload is still NaN.
  std::string otherNaN = expected;
  otherNaN[0] ^= 1;
  EXPECT_TRUE(compareBinding(fb::replay::Element::F32, expected, otherNaN, 0).withinTolerance);
  EXPECT_FALSE(
      compareBinding(fb::replay::Element::F32, expected, bytesOf({0.0f, INFINITY, 1.0f}), 1.0)
          .withinTolerance);
  EXPECT_FALSE(
      compareBinding(fb::replay::Element::F32, expected, bytesOf({nan, -INFINITY, 1.0f}), 1.0)
          .withinTolerance);
}

TEST(ReplayCompare, Bf16ValuesAndBytes) {
  const std::string expected = bf16BytesOf({1.0f, 2.0f, 3.0f, 4.0f});
  // One ulp of 4 (0.03125) in a vector of norm 5.5: within 1%, not 0.1%.
  const std::string ulp = bf16BytesOf({1.0f, 2.0f, 3.0f, 4.03125f});
  EXPECT_TRUE(compareBinding(fb::replay::Element::BF16, expected, ulp, 1e-2).withinTolerance);
  EXPECT_FALSE(compareBinding(fb::replay::Element::BF16, expected, ulp, 1e-3).withinTolerance);
  // Codes and indices match byte for byte or not at all.
  Comparison codes = compareBinding(fb::replay::Element::Bytes, "abcd", "abed", 1.0);
  EXPECT_FALSE(codes.withinTolerance);
  EXPECT_EQ(codes.differing, 1u);
  EXPECT_NE(codes.firstDifference.find("element 2"), std::string::npos);
  EXPECT_FALSE(compareBinding(fb::replay::Element::Bytes, "abc", "abcd", 1.0).withinTolerance);
}

} // namespace
} // namespace sieve::replay
