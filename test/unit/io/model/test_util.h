//===- test_util.h - Helpers for the model I/O tests -------------*- C++ -*-===//
#pragma once

#include "test_paths.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

namespace sieve::io::test {

/// A fresh directory under the system temp dir, removed on destruction.
class TempDir {
public:
  TempDir() {
    const auto *info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string("sieve-model-io-") + std::to_string(::getpid()) +
                       "-" + (info ? info->test_suite_name() : "x") + "-" +
                       (info ? info->name() : "y");
    path_ = std::filesystem::temp_directory_path() / name;
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string &name) const { return (path_ / name).string(); }
  const std::filesystem::path &path() const { return path_; }

private:
  std::filesystem::path path_;
};

inline void writeBytes(const std::string &path, const std::vector<uint8_t> &bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char *>(bytes.data()), std::streamsize(bytes.size()));
}

inline void writeText(const std::string &path, const std::string &text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

inline std::string readText(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

/// A safetensors image from a raw header string: 8-byte length (or
/// `lengthOverride`), the header, then `dataBytes` bytes of 0xAB.
inline std::vector<uint8_t> safetensorsImage(const std::string &header, size_t dataBytes,
                                             int64_t lengthOverride = -1) {
  uint64_t n = lengthOverride >= 0 ? uint64_t(lengthOverride) : header.size();
  std::vector<uint8_t> out;
  for (int i = 0; i < 8; ++i)
    out.push_back(uint8_t(n >> (8 * i)));
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), dataBytes, 0xAB);
  return out;
}

using sieve::test_paths::sourcePath;

} // namespace sieve::io::test
