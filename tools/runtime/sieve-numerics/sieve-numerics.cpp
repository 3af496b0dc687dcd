//===- sieve-numerics.cpp - Numeric-formats self-check and calculator -----===//
//
//   sieve-numerics --self-check         known-answer vectors, exit 1 on mismatch
//   sieve-numerics --quantize e2m1|e4m3 --rule ceil|floor --block N v0 v1 ...
//
// The self-check runs the library on the known-answer vectors of
// ../shared/docs/mx-formats.md 1.10 and DeepSeek's codec examples, so a user
// can see on their own machine (compiler flags, FTZ, libm) that the formats
// behave as documented.
//
//===----------------------------------------------------------------------===//

#include "sieve/numerics/block_quant.h"
#include "sieve/numerics/float_formats.h"
#include "sieve/numerics/packing.h"
#include "sieve/numerics/rope.h"
#include "sieve/support/command_line.h"
#include "sieve/support/tool_main.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using namespace sieve::num;

namespace {

int failures = 0;

void check(bool ok, const std::string &what) {
  std::printf("  [%s] %s\n", ok ? " ok " : "FAIL", what.c_str());
  if (!ok)
    ++failures;
}

std::string hex(const uint8_t *p, size_t n) {
  std::string s;
  char b[3];
  for (size_t i = 0; i < n; ++i) {
    std::snprintf(b, sizeof b, "%02x", p[i]);
    s += b;
  }
  return s;
}

int selfCheck() {
  std::printf("scalar formats\n");
  check(e8m0ToFloat(0x00) == std::ldexp(1.0f, -127),
        "E8M0 0x00 decodes to 2^-127 (no flush to zero)");
  check(std::isnan(e8m0ToFloat(0xFF)), "E8M0 0xFF is NaN");
  check(e2m1FromFloat(1.25f) == 0x2 && e2m1FromFloat(2.5f) == 0x4 && e2m1FromFloat(5.0f) == 0x6,
        "E2M1 ties 1.25, 2.5, 5.0 round to even (1, 2, 4)");
  check(e2m1FromFloat(-0.25f) == 0x8, "E2M1 keeps the sign of -0.25 -> -0");
  check(e4m3FromFloat(1000.0f) == 0x7E, "E4M3 saturates 1000 to 448");

  std::printf("MXFP4 block v_i = (i-16)*0.37, v_5 = 7.9 (mx-formats.md 1.10)\n");
  std::vector<float> v(32);
  for (int i = 0; i < 32; ++i)
    v[i] = float((i - 16) * 0.37);
  v[5] = 7.9f;
  struct Row {
    ScaleRule rule;
    const char *name;
    uint8_t scale;
    const char *ocp;
    const char *ggml;
  } rows[] = {{ScaleRule::kOcpFloor, "OCP floor", 0x7F, "ffef7ededdccab991021435455666677",
               "0f1f1f2e3e474e5d5d5d6c6c6b6a7979"},
              {ScaleRule::kDeepSeekCeil, "DeepSeek ceil", 0x80, "ddcd6cbcbbaa99890011213233444455",
               "0d0d1d1c1c262c3b3b3b4a4a49495958"}};
  for (const Row &r : rows) {
    uint8_t codes[32], scale, packed[16], ggml[16];
    if (!quantize(v.data(), 32, {ElementFormat::kE2M1, r.rule, 32}, codes, &scale).isOk() ||
        !packE2M1(codes, 32, packed).isOk()) {
      check(false, std::string(r.name) + ": quantize failed");
      continue;
    }
    canonicalToGgmlBlock(packed, ggml);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s: scale 0x%02X", r.name, scale);
    check(scale == r.scale, buf);
    check(hex(packed, 16) == r.ocp, std::string(r.name) + ": OCP bytes " + hex(packed, 16));
    check(hex(ggml, 16) == r.ggml, std::string(r.name) + ": ggml bytes " + hex(ggml, 16));
  }

  std::printf("DeepSeek codec examples (v4-architecture.md 17.2)\n");
  auto fp4Ceil = [](float amax) {
    return computeScaleCode(amax, ElementFormat::kE2M1, ScaleRule::kDeepSeekCeil);
  };
  check(fp4Ceil(6.0f) == 127 && fp4Ceil(3.0f) == 126 && fp4Ceil(3.015625f) == 127,
        "FP4 scale bytes for amax 6, 3, 3.015625: 127, 126, 127");
  check(fp4Ceil(0.0f) == 1, "all-zero group: scale byte 1");

  std::printf("YaRN (v4-architecture.md 6)\n");
  RopeParams p;
  p.base = 160000;
  p.yarn = true;
  p.factor = 16;
  p.originalSeqLen = 65536;
  YarnRange yr = yarnCorrectionRange(p);
  check(yr.low == 15 && yr.high == 25, "base 160000: ramp low 15, high 25");

  std::printf(failures ? "%d check(s) FAILED\n" : "all checks passed\n", failures);
  return failures ? 1 : 0;
}

/// The usage on `out`; returns `code` (0 for --help, 2 for a bad command
/// line).
int usage(const char *argv0, std::FILE *out = stderr, int code = 2) {
  std::fprintf(out,
               "usage: %s --self-check\n"
               "       %s --quantize e2m1|e4m3 --rule ceil|floor --block 32|64|128 V...\n",
               argv0, argv0);
  return code;
}

int usageError(const std::string &msg) { return sieve::cli::usageError("sieve-numerics", msg); }

int quantizeValues(int argc, char **argv) {
  BlockFormat fmt;
  std::vector<float> values;
  bool haveRule = false, haveBlock = false; // required, as the usage says
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> const char * { return i + 1 < argc ? argv[++i] : nullptr; };
    if (a == "--quantize") {
      const char *f = next();
      if (!f || (std::strcmp(f, "e2m1") && std::strcmp(f, "e4m3")))
        return usageError(std::string("--quantize takes e2m1 or e4m3 (got '") + (f ? f : "") +
                          "')");
      fmt.element = std::strcmp(f, "e2m1") == 0 ? ElementFormat::kE2M1 : ElementFormat::kE4M3;
    } else if (a == "--rule") {
      const char *r = next();
      if (!r || (std::strcmp(r, "ceil") && std::strcmp(r, "floor")))
        return usageError(std::string("--rule takes ceil or floor (got '") + (r ? r : "") + "')");
      fmt.rule = std::strcmp(r, "ceil") == 0 ? ScaleRule::kDeepSeekCeil : ScaleRule::kOcpFloor;
      haveRule = true;
    } else if (a == "--block") {
      const char *b = next();
      int64_t block = 0;
      if (!b || !sieve::cli::parseInt(b, block) || block <= 0 || block > 1024)
        return usageError(std::string("--block takes 32, 64 or 128 (got '") + (b ? b : "") + "')");
      fmt.blockSize = int(block);
      haveBlock = true;
    } else {
      char *end = nullptr;
      float x = std::strtof(a.c_str(), &end);
      if (end == a.c_str() || *end)
        return usageError("'" + a + "' is not a number");
      values.push_back(x);
    }
  }
  if (!haveRule || !haveBlock || values.empty())
    return usageError(std::string("--quantize needs ") + (!haveRule    ? "--rule ceil|floor"
                                                          : !haveBlock ? "--block 32|64|128"
                                                                       : "values"));
  while (values.size() % size_t(fmt.blockSize))
    values.push_back(0.0f); // pad the last block with zeros
  std::vector<uint8_t> codes(values.size()), scales(values.size() / fmt.blockSize);
  if (auto s = quantize(values.data(), values.size(), fmt, codes.data(), scales.data()); !s) {
    return usageError(s.message());
  }
  for (size_t i = 0; i < values.size(); ++i) {
    uint8_t sc = scales[i / fmt.blockSize];
    std::printf("%g -> code 0x%X scale 0x%02X -> %g\n", values[i], codes[i], sc,
                decodeElement(codes[i], fmt.element) * e8m0ToFloat(sc));
  }
  return 0;
}

} // namespace

static int runMain(int argc, char **argv) {
  if (argc == 2 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0))
    return usage(argv[0], stdout, 0);
  if (argc == 2 && std::strcmp(argv[1], "--self-check") == 0)
    return selfCheck();
  if (argc >= 2 && std::strcmp(argv[1], "--quantize") == 0)
    return quantizeValues(argc, argv);
  if (argc < 2)
    return usage(argv[0]);
  if (std::strcmp(argv[1], "--self-check") == 0)
    return usageError("--self-check takes no other arguments");
  return usageError(std::string("unknown argument '") + argv[1] +
                    "' (--self-check or --quantize ...)");
}

int main(int argc, char **argv) {
  return sieve::runToolMain("sieve-numerics", argc, argv, [&] { return runMain(argc, argv); });
}
