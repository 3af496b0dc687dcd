// Safetensors reader and writers: round trips, sharding, aliases, and one
// test per kind of malformed file (each generated here in a temp dir).
#include "sieve/io/safetensors.h"

#include "test_util.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <random>

namespace sieve::io {
namespace {

using test::safetensorsImage;
using test::TempDir;
using test::writeBytes;

/// Opens `bytes` written to `file` in a temp dir; the error it gives.
std::string openError(const TempDir &dir, const std::string &file,
                      const std::vector<uint8_t> &bytes) {
  std::string path = dir.file(file);
  writeBytes(path, bytes);
  auto opened = SafetensorsFile::open(path);
  EXPECT_FALSE(opened.isOk()) << "opened a malformed file " << file;
  if (opened.isOk())
    return "";
  EXPECT_EQ(opened.status().code(), StatusCode::kInvalidArgument);
  // Every message names the file.
  EXPECT_NE(opened.status().message().find(path), std::string::npos)
      << opened.status().message();
  return opened.status().message();
}

std::vector<uint8_t> randomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v(n);
  for (uint8_t &b : v)
    b = uint8_t(rng());
  return v;
}

//===----------------------------------------------------------------------===//
// Dtypes and names
//===----------------------------------------------------------------------===//

TEST(SafetensorsDType, NamesSizesAndParsing) {
  struct {
    DType d;
    const char *name;
    size_t size;
  } cases[] = {{DType::kBF16, "BF16", 2},     {DType::kF16, "F16", 2},
               {DType::kF32, "F32", 4},       {DType::kF8E4M3, "F8_E4M3", 1},
               {DType::kF8E8M0, "F8_E8M0", 1}, {DType::kI8, "I8", 1},
               {DType::kI32, "I32", 4},       {DType::kI64, "I64", 8}};
  for (const auto &c : cases) {
    EXPECT_STREQ(dtypeName(c.d), c.name);
    EXPECT_EQ(dtypeSize(c.d), c.size);
    ASSERT_TRUE(parseDType(c.name).has_value());
    EXPECT_EQ(*parseDType(c.name), c.d);
  }
  EXPECT_FALSE(parseDType("F8_E5M2").has_value());
  EXPECT_FALSE(parseDType("bf16").has_value());
}

TEST(SafetensorsNames, ConverterRenamesAreAliases) {
  EXPECT_EQ(canonicalTensorName("layers.0.attn.wq_a.scale"), "layers.0.attn.wq_a.scale");
  EXPECT_EQ(canonicalTensorName("model.layers.0.self_attn.wq_a.weight_scale_inv"),
            "layers.0.attn.wq_a.scale");
  EXPECT_EQ(canonicalTensorName("layers.5.mlp.gate.e_score_correction_bias"),
            "layers.5.ffn.gate.bias");
  EXPECT_EQ(canonicalTensorName("model.mtp.0.mlp.experts.3.w1.weight"),
            "mtp.0.ffn.experts.3.w1.weight");
  EXPECT_EQ(canonicalTensorName("model.embed.weight"), "embed.weight");
  // Only whole name components are renamed.
  EXPECT_EQ(canonicalTensorName("layers.0.mlpx.weight"), "layers.0.mlpx.weight");
  EXPECT_EQ(canonicalTensorName("model"), "model");
}

//===----------------------------------------------------------------------===//
// Golden file (hand-written in the reference library's layout)
//===----------------------------------------------------------------------===//

TEST(SafetensorsReader, ReadsHandWrittenGoldenFile) {
  auto reader =
      SafetensorsReader::open(test::sourcePath("test/unit/io/model/data/golden.safetensors"));
  ASSERT_TRUE(reader.isOk()) << reader.status().toString();
  EXPECT_EQ(reader->size(), 4u);
  const SafetensorsFile &file = *reader->files()[0];
  EXPECT_EQ(file.metadata().at("format"), "pt");
  EXPECT_EQ(file.metadata().at("source"), "hand-written");

  auto a = reader->get("a");
  ASSERT_TRUE(a.isOk());
  EXPECT_EQ(a->dtype, DType::kF32);
  EXPECT_EQ(a->shape, (std::vector<int64_t>{2}));
  float af[2];
  std::memcpy(af, a->data, 8);
  EXPECT_EQ(af[0], 1.0f);
  EXPECT_EQ(af[1], -2.5f);

  auto b = reader->get("b");
  ASSERT_TRUE(b.isOk());
  EXPECT_EQ(b->dtype, DType::kBF16);
  EXPECT_EQ(b->shape, (std::vector<int64_t>{2, 2}));
  uint16_t bf[4];
  std::memcpy(bf, b->data, 8);
  EXPECT_EQ(bf[0], 0x3f80); // 1.0
  EXPECT_EQ(bf[3], 0x7f80); // +inf

  auto c = reader->get("c");
  ASSERT_TRUE(c.isOk());
  int64_t cv;
  std::memcpy(&cv, c->data, 8);
  EXPECT_EQ(cv, -7);

  auto d = reader->get("d");
  ASSERT_TRUE(d.isOk());
  EXPECT_EQ(d->dtype, DType::kF8E4M3);
  EXPECT_EQ(d->byteSize, 3u);
  EXPECT_EQ(d->data[2], 0x7e);

  auto missing = reader->get("e");
  ASSERT_FALSE(missing.isOk());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("'e'"), std::string::npos);
}

//===----------------------------------------------------------------------===//
// Writer round trips
//===----------------------------------------------------------------------===//

struct TestTensor {
  std::string name;
  DType dtype;
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;
};

std::vector<TestTensor> mixedTensors() {
  std::vector<TestTensor> out;
  const DType all[] = {DType::kBF16, DType::kF16,   DType::kF32, DType::kF8E4M3,
                       DType::kF8E8M0, DType::kI8, DType::kI32, DType::kI64};
  uint32_t seed = 1;
  for (DType d : all) {
    // Odd sizes so packing without gaps would misalign a naive order.
    std::vector<int64_t> shape{3, int64_t(5 + seed)};
    uint64_t n = 0;
    shapeElements(shape, n);
    out.push_back({std::string("t.") + dtypeName(d), d, shape,
                   randomBytes(n * dtypeSize(d), seed++)});
  }
  out.push_back({"scalar", DType::kF32, {}, randomBytes(4, 99)});
  out.push_back({"empty", DType::kBF16, {0, 7}, {}});
  return out;
}

void expectSame(const SafetensorsReader &reader, const std::vector<TestTensor> &tensors) {
  ASSERT_EQ(reader.size(), tensors.size());
  for (const TestTensor &t : tensors) {
    auto v = reader.get(t.name);
    ASSERT_TRUE(v.isOk()) << v.status().toString();
    EXPECT_EQ(v->dtype, t.dtype) << t.name;
    EXPECT_EQ(v->shape, t.shape) << t.name;
    ASSERT_EQ(v->byteSize, t.bytes.size()) << t.name;
    EXPECT_TRUE(t.bytes.empty() || std::memcmp(v->data, t.bytes.data(), t.bytes.size()) == 0)
        << t.name;
    // The writer's order keeps every tensor naturally aligned.
    EXPECT_EQ(reinterpret_cast<uintptr_t>(v->data) % dtypeSize(t.dtype), 0u) << t.name;
  }
}

TEST(SafetensorsWriter, RoundTripIsBitIdentical) {
  TempDir dir;
  std::vector<TestTensor> tensors = mixedTensors();
  SafetensorsWriter w;
  w.setMetadata("generator", "sieve test");
  for (size_t i = 0; i < tensors.size(); ++i) {
    const TestTensor &t = tensors[i];
    // Exercise all three ways of handing over bytes.
    if (i % 3 == 0) {
      ASSERT_TRUE(w.addTensor(t.name, t.dtype, t.shape, t.bytes).isOk());
    } else if (i % 3 == 1) {
      ASSERT_TRUE(w.addTensorRef(t.name, t.dtype, t.shape, t.bytes.data(), t.bytes.size())
                      .isOk());
    } else {
      std::vector<uint8_t> copy = t.bytes;
      ASSERT_TRUE(w.addTensorProducer(t.name, t.dtype, t.shape,
                                      [copy](uint8_t *dst, uint64_t size) {
                                        if (size != copy.size())
                                          return invalidArgument("size");
                                        std::memcpy(dst, copy.data(), size);
                                        return Status::ok();
                                      })
                      .isOk());
    }
  }
  std::string path = dir.file("model.safetensors");
  ASSERT_TRUE(w.write(path).isOk());
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));

  auto reader = SafetensorsReader::open(path);
  ASSERT_TRUE(reader.isOk()) << reader.status().toString();
  expectSame(*reader, tensors);
  const SafetensorsFile &file = *reader->files()[0];
  EXPECT_EQ(file.metadata().at("format"), "pt");
  EXPECT_EQ(file.metadata().at("generator"), "sieve test");

  // Header padded to 8 bytes, data packed without gaps.
  std::string bytes = test::readText(path);
  uint64_t headerLen = 0;
  std::memcpy(&headerLen, bytes.data(), 8);
  EXPECT_EQ(headerLen % 8, 0u);
  uint64_t sum = 0;
  for (const TensorEntry &e : file.entries())
    sum += e.byteSize();
  EXPECT_EQ(8 + headerLen + sum, bytes.size());
  EXPECT_EQ(w.dataBytes(), sum);
}

TEST(SafetensorsWriter, ShardedRoundTripWritesIndex) {
  TempDir dir;
  std::vector<TestTensor> tensors;
  for (int i = 0; i < 10; ++i)
    tensors.push_back({"layers." + std::to_string(i) + ".w", DType::kF32, {10, 10},
                       randomBytes(400, uint32_t(i + 10))});
  ShardedSafetensorsWriter w(1000); // two tensors per shard
  for (const TestTensor &t : tensors)
    ASSERT_TRUE(w.addTensor(t.name, t.dtype, t.shape, t.bytes).isOk());
  auto files = w.write(dir.path().string());
  ASSERT_TRUE(files.isOk()) << files.status().toString();
  ASSERT_EQ(files->size(), 6u);
  EXPECT_EQ((*files)[0], "model-00001-of-00005.safetensors");
  EXPECT_EQ((*files)[4], "model-00005-of-00005.safetensors");
  EXPECT_EQ((*files)[5], "model.safetensors.index.json");

  std::string index = test::readText(dir.file("model.safetensors.index.json"));
  EXPECT_NE(index.find("\"total_size\": 4000"), std::string::npos) << index;
  EXPECT_NE(index.find("\"layers.9.w\": \"model-00005-of-00005.safetensors\""),
            std::string::npos);

  // The directory, the index and each shard all open.
  for (std::string path : {dir.path().string(), dir.file("model.safetensors.index.json")}) {
    auto reader = SafetensorsReader::open(path);
    ASSERT_TRUE(reader.isOk()) << reader.status().toString();
    EXPECT_EQ(reader->files().size(), 5u);
    expectSame(*reader, tensors);
    EXPECT_EQ(reader->totalBytes(), 4000u);
  }
  auto shard = SafetensorsReader::open(dir.file("model-00002-of-00005.safetensors"));
  ASSERT_TRUE(shard.isOk());
  EXPECT_EQ(shard->names(), (std::vector<std::string>{"layers.2.w", "layers.3.w"}));
}

TEST(SafetensorsWriter, ShardedWriterUsesOneFileWhenUnderTheLimit) {
  TempDir dir;
  ShardedSafetensorsWriter w(1 << 20);
  std::vector<uint8_t> bytes(16, 1);
  ASSERT_TRUE(w.addTensor("a", DType::kI32, {4}, bytes).isOk());
  auto files = w.write(dir.path().string());
  ASSERT_TRUE(files.isOk());
  EXPECT_EQ(*files, std::vector<std::string>{"model.safetensors"});
  EXPECT_FALSE(std::filesystem::exists(dir.file("model.safetensors.index.json")));
}

TEST(SafetensorsWriter, OversizedTensorGetsItsOwnShard) {
  TempDir dir;
  ShardedSafetensorsWriter w(100);
  ASSERT_TRUE(w.addTensor("small0", DType::kI8, {10}, std::vector<uint8_t>(10)).isOk());
  ASSERT_TRUE(w.addTensor("big", DType::kI8, {500}, std::vector<uint8_t>(500)).isOk());
  ASSERT_TRUE(w.addTensor("small1", DType::kI8, {10}, std::vector<uint8_t>(10)).isOk());
  auto files = w.write(dir.path().string());
  ASSERT_TRUE(files.isOk());
  EXPECT_EQ(files->size(), 4u); // 3 shards + index
  auto reader = SafetensorsReader::open(dir.path().string());
  ASSERT_TRUE(reader.isOk()) << reader.status().toString();
  EXPECT_EQ(reader->size(), 3u);
}

TEST(SafetensorsWriter, RejectsBadTensors) {
  SafetensorsWriter w;
  std::vector<uint8_t> four(4);
  ASSERT_TRUE(w.addTensor("a", DType::kF32, {1}, four).isOk());
  Status dup = w.addTensor("a", DType::kF32, {1}, four);
  EXPECT_FALSE(dup.isOk());
  EXPECT_NE(dup.message().find("'a' added twice"), std::string::npos) << dup.message();
  Status size = w.addTensor("b", DType::kF32, {2}, four);
  EXPECT_FALSE(size.isOk());
  EXPECT_NE(size.message().find("needs 8 bytes, given 4"), std::string::npos)
      << size.message();
  EXPECT_FALSE(w.addTensor("", DType::kF32, {1}, four).isOk());
  EXPECT_FALSE(w.addTensor("__metadata__", DType::kF32, {1}, four).isOk());
  EXPECT_FALSE(w.addTensor("neg", DType::kF32, {-1}, {}).isOk());
  EXPECT_FALSE(w.addTensorRef("ref", DType::kF32, {2}, four.data(), 4).isOk());
  EXPECT_FALSE(w.addTensorProducer("p", DType::kF32, {1}, nullptr).isOk());
  EXPECT_EQ(w.numTensors(), 1u);
}

TEST(SafetensorsWriter, ProducerFailureLeavesNoFile) {
  TempDir dir;
  SafetensorsWriter w;
  ASSERT_TRUE(w.addTensorProducer("bad", DType::kI8, {4}, [](uint8_t *, uint64_t) {
                 return invalidArgument("generator ran out of ideas");
               }).isOk());
  std::string path = dir.file("model.safetensors");
  Status s = w.write(path);
  ASSERT_FALSE(s.isOk());
  EXPECT_NE(s.message().find("'bad'"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("out of ideas"), std::string::npos) << s.message();
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST(SafetensorsWriter, ProducersOnSeveralThreadsWriteTheSameFile) {
  // Producers of several sizes between owned tensors, one failing in the
  // middle when asked to: the file is byte-identical at 1 and 4 threads,
  // and the failure is reported the same way.
  auto fill = [](uint8_t seed) {
    return [seed](uint8_t *dst, uint64_t size) {
      for (uint64_t i = 0; i < size; ++i)
        dst[i] = uint8_t(seed + i * 7);
      return Status::ok();
    };
  };
  auto build = [&](SafetensorsWriter &w, bool failing) {
    for (int i = 0; i < 12; ++i) {
      std::string name = "t" + std::to_string(10 + i);
      if (i % 4 == 3)
        ASSERT_TRUE(w.addTensor(name, DType::kI8, {3}, {1, 2, 3}).isOk());
      else if (failing && i == 6)
        ASSERT_TRUE(w.addTensorProducer(name, DType::kI8, {5}, [](uint8_t *, uint64_t) {
                       return invalidArgument("no bytes today");
                     }).isOk());
      else
        ASSERT_TRUE(w.addTensorProducer(name, DType::kI8, {int64_t(100 * i + 1)},
                                        fill(uint8_t(i)))
                        .isOk());
    }
  };
  TempDir dir;
  std::vector<std::string> bytes;
  for (unsigned threads : {1u, 4u}) {
    SafetensorsWriter w;
    build(w, false);
    w.setProducerThreads(threads);
    std::string path = dir.file("m" + std::to_string(threads) + ".safetensors");
    ASSERT_TRUE(w.write(path).isOk());
    std::ifstream in(path, std::ios::binary);
    bytes.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  EXPECT_EQ(bytes[0], bytes[1]);
  EXPECT_GT(bytes[0].size(), 4509u); // the tensors' bytes, then the header

  SafetensorsWriter w;
  build(w, true);
  w.setProducerThreads(4);
  std::string path = dir.file("bad.safetensors");
  Status s = w.write(path);
  ASSERT_FALSE(s.isOk());
  EXPECT_NE(s.message().find("'t16'"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("no bytes today"), std::string::npos) << s.message();
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

//===----------------------------------------------------------------------===//
// Lookup by alias, duplicates across names and files, indexes
//===----------------------------------------------------------------------===//

TEST(SafetensorsReader, FindsConverterNamesByOfficialName) {
  TempDir dir;
  SafetensorsWriter w;
  std::vector<uint8_t> one(1), four(4);
  ASSERT_TRUE(w.addTensor("model.layers.0.self_attn.wq_a.weight_scale_inv", DType::kF8E8M0,
                          {1, 1}, one).isOk());
  ASSERT_TRUE(w.addTensor("model.layers.3.mlp.gate.e_score_correction_bias", DType::kF32,
                          {1}, four).isOk());
  ASSERT_TRUE(w.addTensor("embed.weight", DType::kBF16, {1, 2}, four).isOk());
  ASSERT_TRUE(w.write(dir.file("a.safetensors")).isOk());
  auto reader = SafetensorsReader::open(dir.file("a.safetensors"));
  ASSERT_TRUE(reader.isOk()) << reader.status().toString();
  auto v = reader->find("layers.0.attn.wq_a.scale");
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->name, "model.layers.0.self_attn.wq_a.weight_scale_inv");
  EXPECT_TRUE(reader->contains("layers.3.ffn.gate.bias"));
  EXPECT_TRUE(reader->contains("model.embed.weight")); // aliases work both ways
  EXPECT_EQ(reader->names(),
            (std::vector<std::string>{"embed.weight", "layers.0.attn.wq_a.scale",
                                      "layers.3.ffn.gate.bias"}));
}

TEST(SafetensorsReader, RejectsTwoNamesForOneTensor) {
  TempDir dir;
  SafetensorsWriter w;
  std::vector<uint8_t> four(4);
  ASSERT_TRUE(w.addTensor("norm.weight", DType::kBF16, {2}, four).isOk());
  ASSERT_TRUE(w.addTensor("model.norm.weight", DType::kBF16, {2}, four).isOk());
  ASSERT_TRUE(w.write(dir.file("a.safetensors")).isOk());
  auto reader = SafetensorsReader::open(dir.file("a.safetensors"));
  ASSERT_FALSE(reader.isOk());
  EXPECT_NE(reader.status().message().find("'norm.weight' appears twice"), std::string::npos)
      << reader.status().message();
}

TEST(SafetensorsReader, RejectsATensorInTwoShards) {
  TempDir dir;
  std::vector<uint8_t> four(4);
  for (const char *f : {"x-1.safetensors", "x-2.safetensors"}) {
    SafetensorsWriter w;
    ASSERT_TRUE(w.addTensor("head.weight", DType::kF32, {1}, four).isOk());
    ASSERT_TRUE(w.addTensor(std::string("only.") + f[2], DType::kF32, {1}, four).isOk());
    ASSERT_TRUE(w.write(dir.file(f)).isOk());
  }
  auto reader = SafetensorsReader::open(dir.path().string());
  ASSERT_FALSE(reader.isOk());
  const std::string &m = reader.status().message();
  EXPECT_NE(m.find("'head.weight' appears twice"), std::string::npos) << m;
  EXPECT_NE(m.find("x-1.safetensors"), std::string::npos) << m;
  EXPECT_NE(m.find("x-2.safetensors"), std::string::npos) << m;
}

TEST(SafetensorsReader, RejectsIndexThatDisagreesWithShards) {
  TempDir dir;
  SafetensorsWriter w;
  std::vector<uint8_t> four(4);
  ASSERT_TRUE(w.addTensor("a", DType::kF32, {1}, four).isOk());
  ASSERT_TRUE(w.addTensor("b", DType::kF32, {1}, four).isOk());
  ASSERT_TRUE(w.write(dir.file("s.safetensors")).isOk());
  test::writeText(dir.file("model.safetensors.index.json"),
                  R"({"metadata": {}, "weight_map": )"
                  R"({"a": "s.safetensors", "c": "s.safetensors"}})");
  auto reader = SafetensorsReader::open(dir.path().string());
  ASSERT_FALSE(reader.isOk());
  const std::string &m = reader.status().message();
  EXPECT_NE(m.find("lists 'c' in s.safetensors, which does not hold it"), std::string::npos)
      << m;
  EXPECT_NE(m.find("does not list 'b'"), std::string::npos) << m;

  // A shard path that leaves the checkpoint directory.
  test::writeText(dir.file("model.safetensors.index.json"),
                  R"({"weight_map": {"a": "../s.safetensors"}})");
  reader = SafetensorsReader::open(dir.file("model.safetensors.index.json"));
  ASSERT_FALSE(reader.isOk());
  EXPECT_NE(reader.status().message().find("not a file in the index's directory"),
            std::string::npos);

  // Duplicate keys in the index JSON.
  test::writeText(dir.file("model.safetensors.index.json"),
                  R"({"weight_map": {"a": "s.safetensors", "a": "s.safetensors"}})");
  reader = SafetensorsReader::open(dir.path().string());
  ASSERT_FALSE(reader.isOk());
  EXPECT_NE(reader.status().message().find("duplicate key 'a' in 'weight_map'"),
            std::string::npos)
      << reader.status().message();
}

TEST(SafetensorsReader, MissingPathsAreNotFound) {
  TempDir dir;
  auto r = SafetensorsReader::open(dir.file("nope.safetensors"));
  ASSERT_FALSE(r.isOk());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  auto empty = SafetensorsReader::open(dir.path().string());
  ASSERT_FALSE(empty.isOk());
  EXPECT_EQ(empty.status().code(), StatusCode::kNotFound);
}

//===----------------------------------------------------------------------===//
// Malformed files: one test per defect
//===----------------------------------------------------------------------===//

const char *kGoodHeader =
    R"({"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}})";

TEST(SafetensorsMalformed, WellFormedBaselineOpens) {
  TempDir dir;
  writeBytes(dir.file("ok.safetensors"), safetensorsImage(kGoodHeader, 16));
  auto f = SafetensorsFile::open(dir.file("ok.safetensors"));
  ASSERT_TRUE(f.isOk()) << f.status().toString();
  EXPECT_EQ(f->get()->entries().size(), 1u);
}

TEST(SafetensorsMalformed, TruncatedFile) {
  TempDir dir;
  // Shorter than the length prefix.
  std::string m = openError(dir, "short.safetensors", {1, 2, 3});
  EXPECT_NE(m.find("truncated"), std::string::npos) << m;
  m = openError(dir, "zero.safetensors", {});
  EXPECT_NE(m.find("truncated"), std::string::npos) << m;
  // Data cut off: the last tensor's offsets now run past the end.
  std::vector<uint8_t> img = safetensorsImage(kGoodHeader, 16);
  img.resize(img.size() - 5);
  m = openError(dir, "cut.safetensors", img);
  EXPECT_NE(m.find("tensor 'w'"), std::string::npos) << m;
  EXPECT_NE(m.find("run past the 11-byte data section"), std::string::npos) << m;
}

TEST(SafetensorsMalformed, HeaderLengthPastEnd) {
  TempDir dir;
  std::string m = openError(dir, "len.safetensors", safetensorsImage(kGoodHeader, 16, 1 << 20));
  EXPECT_NE(m.find("header length 1048576 runs past the end"), std::string::npos) << m;
  // A length that does not even fit in memory.
  m = openError(dir, "huge.safetensors", safetensorsImage(kGoodHeader, 16, INT64_MAX));
  EXPECT_NE(m.find("runs past the end"), std::string::npos) << m;
}

TEST(SafetensorsMalformed, OffsetsOutOfRange) {
  TempDir dir;
  std::string m = openError(
      dir, "range.safetensors",
      safetensorsImage(R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[8,24]}})", 16));
  EXPECT_NE(m.find("tensor 'w'"), std::string::npos) << m;
  EXPECT_NE(m.find("data_offsets [8, 24] run past the 16-byte data section"),
            std::string::npos)
      << m;
  m = openError(
      dir, "reversed.safetensors",
      safetensorsImage(R"({"w":{"dtype":"F32","shape":[0],"data_offsets":[8,4]}})", 16));
  EXPECT_NE(m.find("end before they begin"), std::string::npos) << m;
  m = openError(dir, "negative.safetensors",
                safetensorsImage(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}})",
                                 16));
  EXPECT_NE(m.find("not non-negative integers"), std::string::npos) << m;
}

TEST(SafetensorsMalformed, OverlappingOffsets) {
  TempDir dir;
  std::string m = openError(
      dir, "overlap.safetensors",
      safetensorsImage(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                       R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                       16));
  EXPECT_NE(m.find("'a' [0, 8) and 'b' [4, 12) overlap"), std::string::npos) << m;
}

TEST(SafetensorsMalformed, UnknownDType) {
  TempDir dir;
  std::string m = openError(
      dir, "dtype.safetensors",
      safetensorsImage(R"({"w":{"dtype":"F8_E5M2","shape":[4],"data_offsets":[0,4]}})", 4));
  EXPECT_NE(m.find("tensor 'w': unknown dtype 'F8_E5M2'"), std::string::npos) << m;
}

TEST(SafetensorsMalformed, ShapeTimesDTypeIsNotTheByteLength) {
  TempDir dir;
  std::string m = openError(
      dir, "size.safetensors",
      safetensorsImage(R"({"w":{"dtype":"BF16","shape":[3,2],"data_offsets":[0,16]}})", 16));
  EXPECT_NE(m.find("tensor 'w': BF16 [3, 2] needs 12 bytes but data_offsets hold 16"),
            std::string::npos)
      << m;
  // A shape whose byte count overflows 64 bits.
  m = openError(dir, "overflow.safetensors",
                safetensorsImage(R"({"w":{"dtype":"I64","shape":[4294967296,4294967296],)"
                                 R"("data_offsets":[0,16]}})",
                                 16));
  EXPECT_NE(m.find("overflows"), std::string::npos) << m;
  m = openError(dir, "negdim.safetensors",
                safetensorsImage(R"({"w":{"dtype":"I8","shape":[-1],"data_offsets":[0,0]}})",
                                 0));
  EXPECT_NE(m.find("not a non-negative integer"), std::string::npos) << m;
}

TEST(SafetensorsMalformed, DuplicateNames) {
  TempDir dir;
  std::string m = openError(
      dir, "dup.safetensors",
      safetensorsImage(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                       R"("w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                       8));
  EXPECT_NE(m.find("duplicate key 'w'"), std::string::npos) << m;
}

TEST(SafetensorsMalformed, InvalidJson) {
  TempDir dir;
  std::string m = openError(dir, "json.safetensors",
                            safetensorsImage(R"({"w":{"dtype":"F32",)", 0));
  EXPECT_NE(m.find("invalid JSON"), std::string::npos) << m;
  m = openError(dir, "array.safetensors", safetensorsImage("[1, 2]", 0));
  EXPECT_NE(m.find("not an object"), std::string::npos) << m;
  m = openError(dir, "entry.safetensors",
                safetensorsImage(R"({"w":{"dtype":"F32","shape":[1]}})", 4));
  EXPECT_NE(m.find("tensor 'w': 'data_offsets' must be an array"), std::string::npos) << m;
  m = openError(dir, "meta.safetensors", safetensorsImage(R"({"__metadata__":{"k":1}})", 0));
  EXPECT_NE(m.find("__metadata__ value 'k' is not a string"), std::string::npos) << m;
}

TEST(SafetensorsMalformed, InvalidUtf8InHeader) {
  TempDir dir;
  std::string header = "{\"w\xff\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
  std::string m = openError(dir, "utf8.safetensors", safetensorsImage(header, 4));
  EXPECT_NE(m.find("invalid UTF-8 at byte 3"), std::string::npos) << m;
  // Overlong encoding of '/' and a lone surrogate are rejected too.
  m = openError(dir, "overlong.safetensors", safetensorsImage("{\"\xc0\xaf\":1}", 0));
  EXPECT_NE(m.find("invalid UTF-8"), std::string::npos) << m;
  m = openError(dir, "surrogate.safetensors", safetensorsImage("{\"\xed\xa0\x80\":1}", 0));
  EXPECT_NE(m.find("invalid UTF-8"), std::string::npos) << m;
}

TEST(SafetensorsMalformed, InMemoryImagesAreCheckedTheSameWay) {
  auto f = SafetensorsFile::fromBytes(safetensorsImage(kGoodHeader, 3), "mem.safetensors");
  ASSERT_FALSE(f.isOk());
  EXPECT_NE(f.status().message().find("mem.safetensors: tensor 'w'"), std::string::npos)
      << f.status().message();
  auto ok = SafetensorsFile::fromBytes(safetensorsImage(kGoodHeader, 16), "mem");
  ASSERT_TRUE(ok.isOk());
}

TEST(SafetensorsMalformed, RandomCorruptionNeverCrashes) {
  // Flip bytes of a valid file: every result is a clean open or a Status.
  TempDir dir;
  SafetensorsWriter w;
  for (const TestTensor &t : mixedTensors())
    ASSERT_TRUE(w.addTensor(t.name, t.dtype, t.shape, t.bytes).isOk());
  ASSERT_TRUE(w.write(dir.file("m.safetensors")).isOk());
  std::string text = test::readText(dir.file("m.safetensors"));
  std::vector<uint8_t> good(text.begin(), text.end());
  std::mt19937 rng(7);
  for (int iter = 0; iter < 300; ++iter) {
    std::vector<uint8_t> bad = good;
    int flips = 1 + int(rng() % 4);
    for (int k = 0; k < flips; ++k)
      bad[rng() % std::min<size_t>(bad.size(), 400)] = uint8_t(rng());
    if (iter % 5 == 0)
      bad.resize(rng() % bad.size());
    auto f = SafetensorsFile::fromBytes(bad, "fuzz");
    if (f.isOk())
      for (const TensorEntry &e : f->get()->entries()) {
        TensorView v = f->get()->view(e);
        volatile uint8_t sink = 0;
        for (uint64_t i = 0; i < v.byteSize; ++i)
          sink = uint8_t(sink + v.data[i]);
        (void)sink;
      }
  }
}

} // namespace
} // namespace sieve::io
