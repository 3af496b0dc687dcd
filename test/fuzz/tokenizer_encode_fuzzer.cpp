//===- tokenizer_encode_fuzzer.cpp - Encoding and decoding any text -------===//
//
// With a fixed byte-level tokenizer (DeepSeek's when scripts/fetch-tokenizer.sh
// has fetched it, else the repository's byte-level test tokenizer): encoding
// rejects invalid UTF-8 and otherwise round-trips exactly through decode, with
// special tokens matched or not; decoding arbitrary ids never reads outside
// the tables.
//
//===----------------------------------------------------------------------===//

#include "fuzz_check.h"

#include "sieve/io/tokenizer.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <vector>

using namespace sieve;

namespace {
const io::Tokenizer &tokenizer() {
  static const io::Tokenizer *tok = [] {
    auto t = io::Tokenizer::fromFile(SIEVE_FUZZ_TOKENIZER);
    if (!t) {
      std::fprintf(stderr, "%s\n", t.status().toString().c_str());
      std::abort();
    }
    return new io::Tokenizer(t.take());
  }();
  return *tok;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const io::Tokenizer &tok = tokenizer();
  std::string_view text(reinterpret_cast<const char *>(data), size);
  for (bool special : {true, false}) {
    io::EncodeOptions options;
    options.matchSpecialTokens = special;
    auto ids = tok.encode(text, options);
    if (!ids) {
      FUZZ_CHECK(ids.status().message().find("invalid UTF-8") != std::string::npos);
      break;
    }
    auto decoded = tok.decode(ids->data(), ids->size());
    FUZZ_CHECK(decoded.isOk());
    FUZZ_CHECK(*decoded == text);
  }
  // The same bytes as ids, in and out of range.
  std::vector<int32_t> ids(size / sizeof(int32_t));
  if (!ids.empty())
    std::memcpy(ids.data(), data, ids.size() * sizeof(int32_t));
  auto decoded = tok.decode(ids.data(), ids.size());
  if (!decoded)
    FUZZ_CHECK(decoded.status().message().find("is not in the vocabulary") != std::string::npos);
  return 0;
}
