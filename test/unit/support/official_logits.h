//===- official_logits.h - DeepSeek's known answer for tests ------*- C++ -*-===//
//
// test/data/official-logits/tiny-v4-r128-seed4: a checkpoint, its prompt and
// the logits DeepSeek's official code computed on it (README there). Every
// executor's test reads the prompt the same way.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

namespace sieve::test {

inline const std::string kOfficialLogitsDir =
    SIEVE_SOURCE_DIR "/test/data/official-logits/tiny-v4-r128-seed4";

/// The 320 prompt ids of tokens.txt (comma separated).
inline std::vector<int32_t> officialTokens() {
  std::ifstream in(kOfficialLogitsDir + "/tokens.txt");
  std::vector<int32_t> ids;
  std::string item;
  while (std::getline(in, item, ','))
    ids.push_back(int32_t(std::stol(item)));
  return ids;
}

} // namespace sieve::test
