//===- tokenizer_json_fuzzer.cpp - tokenizer.json from any bytes ----------===//
//
// Loading validates everything up front, so a tokenizer that loads must
// encode and decode without failing on its own tables: encoding fixed text
// either succeeds or names a byte it has no token for, and the ids it
// returns decode.
//
//===----------------------------------------------------------------------===//

#include "fuzz_check.h"

#include "sieve/io/tokenizer.h"

#include <cstdint>
#include <string_view>

using namespace sieve;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  auto tok = io::Tokenizer::fromJson(text, "fuzz.json");
  if (!tok)
    return 0;
  auto ids = tok->encode("Hello world! 12345 \xe4\xb8\xad\xe6\x96\x87 <|x|>\n\n  end");
  if (!ids) {
    FUZZ_CHECK(ids.status().message().find("cannot encode byte") != std::string::npos);
    return 0;
  }
  auto decoded = tok->decode(ids->data(), ids->size());
  FUZZ_CHECK(decoded.isOk());
  return 0;
}
