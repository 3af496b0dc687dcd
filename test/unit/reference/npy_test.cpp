// The .npy writer: parse what it wrote by hand (magic, version, header
// length, the dict, 64-byte alignment) and compare the data bytes.
#include "sieve/support/npy.h"

#include "../support/temp_dir.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace sieve {
namespace {

std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

struct Parsed {
  std::string dict;
  std::string data;
};

// The NPY v1.0 layout, checked field by field.
Parsed parseNpy(const std::string &bytes) {
  Parsed p;
  EXPECT_GE(bytes.size(), 10u);
  if (bytes.size() < 10)
    return p;
  EXPECT_EQ(bytes.substr(0, 6), std::string("\x93NUMPY", 6));
  EXPECT_EQ(bytes[6], '\x01'); // major
  EXPECT_EQ(bytes[7], '\x00'); // minor
  const size_t headerLen = size_t(uint8_t(bytes[8])) | size_t(uint8_t(bytes[9])) << 8;
  EXPECT_EQ((10 + headerLen) % 64, 0u) << "data must start 64-byte aligned";
  EXPECT_LE(10 + headerLen, bytes.size());
  p.dict = bytes.substr(10, headerLen);
  EXPECT_EQ(p.dict.back(), '\n');
  p.data = bytes.substr(10 + headerLen);
  return p;
}

TEST(Npy, WritesA2DFloatArrayThatParsesBack) {
  const std::vector<float> values = {0.0f, 1.5f, -2.25f, 3.0e-7f, 1e30f,
                                     -0.0f, 7.0f, 8.0f,   9.0f,    10.0f};
  test::ScopedTempDir tmp("sieve-npy");
  const std::string path = tmp.path() + "/logits.npy";
  ASSERT_TRUE(writeNpyF32(path, values.data(), {2, 5}).isOk());
  const std::string bytes = readFile(path);
  Parsed p = parseNpy(bytes);
  EXPECT_EQ(p.dict.rfind("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 5), }", 0), 0u)
      << p.dict;
  // Only spaces between the dict and the final newline.
  const size_t close = p.dict.find('}');
  EXPECT_EQ(p.dict.find_first_not_of(' ', close + 1), p.dict.size() - 1);
  ASSERT_EQ(p.data.size(), values.size() * 4);
  std::vector<float> back(values.size());
  std::memcpy(back.data(), p.data.data(), p.data.size());
  for (size_t i = 0; i < values.size(); ++i)
    EXPECT_EQ(std::memcmp(&back[i], &values[i], 4), 0) << i; // bit-exact, -0 included
  // 10 bytes + the 60-character dict + '\n' round up to two 64-byte blocks.
  EXPECT_EQ(bytes.size(), 128u + values.size() * 4);
}

TEST(Npy, ValuesAreLittleEndianBytes) {
  // '<f4' fixes the byte order: 1.5f is 0x3fc00000, low byte first.
  const float value = 1.5f;
  test::ScopedTempDir tmp("sieve-npy");
  const std::string path = tmp.path() + "/one.npy";
  ASSERT_TRUE(writeNpyF32(path, &value, {1}).isOk());
  const std::string bytes = readFile(path);
  ASSERT_GE(bytes.size(), 4u);
  EXPECT_EQ(bytes.substr(bytes.size() - 4), std::string("\x00\x00\xc0\x3f", 4));
  auto back = parseNpyF32(bytes, "one.npy");
  ASSERT_TRUE(back.isOk()) << back.status().message();
  ASSERT_EQ(back->data.size(), 1u);
  EXPECT_EQ(back->data[0], 1.5f);
}

TEST(Npy, TupleSpellingForOneAndZeroDimensions) {
  EXPECT_NE(npyHeader("<f4", {7}).find("'shape': (7,), }"), std::string::npos);
  EXPECT_NE(npyHeader("<f4", {}).find("'shape': (), }"), std::string::npos);
  EXPECT_NE(npyHeader("<f4", {2, 3, 129280}).find("'shape': (2, 3, 129280), }"),
            std::string::npos);
  for (const auto &shape : std::vector<std::vector<int64_t>>{{}, {1}, {12345678, 129280}})
    EXPECT_EQ(npyHeader("<f4", shape).size() % 64, 0u);
}

TEST(Npy, EmptyArrayIsJustTheHeader) {
  test::ScopedTempDir tmp("sieve-npy");
  const std::string path = tmp.path() + "/empty.npy";
  ASSERT_TRUE(writeNpyF32(path, nullptr, {0, 4}).isOk());
  Parsed p = parseNpy(readFile(path));
  EXPECT_NE(p.dict.find("(0, 4)"), std::string::npos);
  EXPECT_TRUE(p.data.empty());
}

TEST(Npy, ErrorsNameThePath) {
  float x = 1;
  Status s = writeNpyF32("/nonexistent-dir/x.npy", &x, {1});
  ASSERT_FALSE(s.isOk());
  EXPECT_EQ(s.code(), StatusCode::kIo);
  EXPECT_NE(s.message().find("/nonexistent-dir/x.npy"), std::string::npos);
  Status neg = writeNpyF32(std::string(::testing::TempDir()) + "neg.npy", &x, {-1});
  EXPECT_FALSE(neg.isOk());
}

TEST(NpyRead, ReadsBackWhatWasWritten) {
  test::ScopedTempDir tmp("sieve-npy");
  for (const std::vector<int64_t> &shape :
       {std::vector<int64_t>{2, 3}, std::vector<int64_t>{5}, std::vector<int64_t>{},
        std::vector<int64_t>{0, 4}}) {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    std::vector<float> values(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i)
      values[size_t(i)] = 0.5f * float(i) - 1.0f;
    const std::string path = tmp.path() + "/a.npy";
    ASSERT_TRUE(writeNpyF32(path, values.data(), shape).isOk());
    auto array = readNpyF32(path);
    ASSERT_TRUE(array.isOk()) << array.status().toString();
    EXPECT_EQ(array->shape, shape);
    EXPECT_EQ(array->data, values);
  }
}

TEST(NpyRead, NumpysOwnSpellingsParse) {
  // numpy.save writes 1.0 headers with this exact text; 2.0 has a 4-byte
  // length; keys may come in any order.
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
  std::string v1 = std::string("\x93NUMPY\x01\x00", 8) + char(dict.size() + 1) + '\0' + dict +
                   '\n' + std::string(8, '\0');
  auto a = parseNpyF32(v1, "v1.npy");
  ASSERT_TRUE(a.isOk()) << a.status().toString();
  EXPECT_EQ(a->shape, (std::vector<int64_t>{2}));
  std::string reordered = "{\"shape\": (1, 1), \"fortran_order\": False, \"descr\": \"<f4\"}";
  std::string v2 = std::string("\x93NUMPY\x02\x00", 8) + char(reordered.size()) +
                   std::string(3, '\0') + reordered + std::string(4, '\0');
  auto b = parseNpyF32(v2, "v2.npy");
  ASSERT_TRUE(b.isOk()) << b.status().toString();
  EXPECT_EQ(b->shape, (std::vector<int64_t>{1, 1}));
}

TEST(NpyRead, MalformedFilesAreErrorsNamingTheProblem) {
  auto header = [](const std::string &dict, size_t dataBytes) {
    return std::string("\x93NUMPY\x01\x00", 8) + char(dict.size()) + '\0' + dict +
           std::string(dataBytes, '\0');
  };
  struct Case {
    std::string bytes;
    const char *message;
  };
  const std::string ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }";
  const Case cases[] = {
      {"PK\x03\x04", "no \\x93NUMPY magic"},
      {std::string("\x93NUMPY\x09\x00\x10\x00", 10), "is not 1.0, 2.0 or 3.0"},
      {std::string("\x93NUMPY\x01\x00\xff\x7f", 10) + "{", "runs past the end"},
      {header(ok, 15), "shape needs 16 data bytes but the file has 15"},
      {header(ok, 17), "shape needs 16 data bytes but the file has 17"},
      {header("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", 16),
       "dtype '<f8' is not '<f4'"},
      {header("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }", 8),
       "Fortran-order arrays are not supported"},
      {header("{'descr': '<f4', 'fortran_order': False}", 0), "needs the keys"},
      {header("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': ()}", 4),
       "unexpected or repeated key 'descr'"},
      {header("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", 0),
       "not a non-negative integer"},
      {header("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }",
              0),
       "overflows int64"},
      {header("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }",
              0),
       "more than 2^63"},
  };
  for (const Case &c : cases) {
    auto a = parseNpyF32(c.bytes, "bad.npy");
    ASSERT_FALSE(a.isOk()) << c.message;
    EXPECT_NE(a.status().message().find(c.message), std::string::npos) << a.status().message();
    EXPECT_EQ(a.status().message().rfind("bad.npy: ", 0), 0u) << a.status().message();
  }
}

} // namespace
} // namespace sieve
