//===- tiny_tokenizer.h - The hand-written test tokenizer ----------*- C++ -*-===//
//
// tiny_tokenizer.json: DeepSeek's exact pre-tokenizer and a 39-entry vocab
// whose ids the tokenizer tests work out by hand from its merge list.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "test_paths.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <string>

namespace sieve::io::test {

inline const std::string kTinyTokenizerPath =
    sieve::test_paths::sourcePath("test/unit/io/tokenizer/tiny_tokenizer.json");

inline std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline nlohmann::json tinyTokenizerJson() {
  return nlohmann::json::parse(readFile(kTinyTokenizerPath));
}

} // namespace sieve::io::test
