//===- ModuleWriter.cpp - The .sieve module writer ------------------------===//

#include "sieve/Target/Module/ModuleWriter.h"

#include "HostProgram.h"

#include "sieve/Conversion/V4ToKernels/OpKernels.h"
#include "sieve/Import/ParameterBinding.h"
#include "sieve/module/module_file.h"
#include "program/IR/ProgramOps.h"
#include "v4/IR/V4Ops.h"
#include "v4/IR/V4Types.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

using namespace mlir;

namespace sieve {
namespace {

namespace fb = ::sieve::fb;
using module_writer::ModuleTables;

int64_t modelField(DictionaryAttr model, StringRef key, int64_t otherwise) {
  if (!model)
    return otherwise;
  if (auto value = model.getAs<IntegerAttr>(key))
    return value.getInt();
  return otherwise;
}

/// The module's description of a cache type.
FailureOr<flatbuffers::Offset<fb::Cache>> serializeCache(flatbuffers::FlatBufferBuilder &fbb,
                                                        const ModuleTables::Cache &cache,
                                                        Location loc) {
  auto typed = cast<v4::CacheTypeInterface>(cache.type);
  RankedTensorType storage = typed.getStorageType();
  FailureOr<fb::ElementType> element =
      module_writer::elementTypeOf(storage.getElementType(), loc);
  if (failed(element))
    return failure();
  fb::CacheKind kind;
  int64_t ratio = 0, rows = 0, dim = 0;
  uint32_t slotDim = 0;
  std::string encoding;
  llvm::raw_string_ostream encodingOs(encoding);
  if (auto window = dyn_cast<v4::WindowCacheType>(cache.type)) {
    kind = fb::CacheKind::Window;
    rows = window.getRows();
    dim = window.getDim();
    encodingOs << window.getElement();
  } else if (auto compressed = dyn_cast<v4::CompressedCacheType>(cache.type)) {
    kind = fb::CacheKind::Compressed;
    ratio = compressed.getRatio();
    rows = compressed.getCapacity();
    dim = compressed.getDim();
    encodingOs << compressed.getElement();
  } else if (auto keys = dyn_cast<v4::IndexerCacheType>(cache.type)) {
    kind = fb::CacheKind::IndexerKeys;
    ratio = v4::IndexerCacheType::kRatio;
    rows = keys.getCapacity();
    dim = keys.getDim();
    encodingOs << keys.getElement();
  } else if (auto state = dyn_cast<v4::CompressorStateType>(cache.type)) {
    kind = fb::CacheKind::CompressorState;
    ratio = state.getRatio();
    rows = state.getCoff() * state.getRatio();
    dim = state.getDim();
    slotDim = 1; // [kv | score, batch, ...]
    encoding = "f32";
  } else {
    return emitError(loc) << "cache '" << cache.name << "' has unknown type " << cache.type;
  }
  uint64_t bytes = 0;
  if (!module::elementBytes(*element, storage.getNumElements(), bytes))
    return emitError(loc) << "cache '" << cache.name << "' is too large";
  std::vector<int64_t> shape(storage.getShape().begin(), storage.getShape().end());
  return fb::CreateCacheDirect(fbb, cache.name.c_str(), kind, encoding.c_str(), *element, &shape,
                               slotDim, bytes, ratio, rows, dim);
}

FailureOr<flatbuffers::Offset<fb::Weight>> serializeWeight(flatbuffers::FlatBufferBuilder &fbb,
                                                          v4::ParamOp param) {
  RankedTensorType type = param.getResult().getType();
  FailureOr<fb::ElementType> element =
      module_writer::elementTypeOf(type.getElementType(), param.getLoc());
  if (failed(element))
    return failure();
  std::vector<StoredTensor> stored;
  if (failed(getStoredTensors(param, stored)))
    return failure();
  std::vector<flatbuffers::Offset<fb::StoredTensor>> storedTables;
  for (const StoredTensor &tensor : stored)
    storedTables.push_back(fb::CreateStoredTensorDirect(
        fbb, tensor.name.c_str(), io::dtypeName(tensor.dtype), &tensor.shape));
  uint64_t bytes = 0;
  if (!module::elementBytes(*element, type.getNumElements(), bytes))
    return param.emitOpError() << "is too large";
  std::vector<int64_t> shape(type.getShape().begin(), type.getShape().end());
  return fb::CreateWeightDirect(fbb, param.getName().str().c_str(), *element, &shape, bytes,
                                &storedTables);
}

/// `bytes` rounded up to the segment alignment.
fb::ExecutableFormat executableFormat(ExecutableImage::Format format) {
  switch (format) {
  case ExecutableImage::Format::ElfSharedObject:
    return fb::ExecutableFormat::ElfSharedObject;
  case ExecutableImage::Format::Ptx:
    return fb::ExecutableFormat::Ptx;
  case ExecutableImage::Format::Cubin:
    return fb::ExecutableFormat::Cubin;
  case ExecutableImage::Format::Hsaco:
    return fb::ExecutableFormat::Hsaco;
  case ExecutableImage::Format::SimtHost:
    return fb::ExecutableFormat::SimtHost;
  }
  llvm_unreachable("every executable format is handled");
}

uint64_t alignToSegment(uint64_t bytes) {
  return (bytes + module::kSegmentAlignment - 1) / module::kSegmentAlignment *
         module::kSegmentAlignment;
}

/// Affine maps in host index arithmetic become arith ops the runtime runs.
LogicalResult lowerHostAffine(ModuleOp module) {
  PassManager pm(module.getContext(), ModuleOp::getOperationName());
  pm.addNestedPass<func::FuncOp>(createLowerAffinePass());
  return pm.run(module);
}

} // namespace

FailureOr<std::string> writeSieveModule(ModuleOp module, const ModuleProvenance &provenance,
                                        llvm::ArrayRef<ExecutableImage> executables) {
  auto executableOps = llvm::to_vector(module.getOps<program::ExecutableOp>());
  if (executableOps.size() != 1)
    return module.emitError() << "the module writer takes one program.executable, found "
                              << executableOps.size();
  if (executables.empty())
    return module.emitError() << "no compiled executable to write";
  if (failed(lowerHostAffine(module)))
    return failure();

  flatbuffers::FlatBufferBuilder fbb(1 << 20);
  ModuleTables tables(executableOps.front());
  std::vector<flatbuffers::Offset<fb::EntryPoint>> entries;
  for (auto fn : module.getOps<func::FuncOp>()) {
    if (fn.isDeclaration())
      continue;
    FailureOr<flatbuffers::Offset<fb::EntryPoint>> entry =
        module_writer::serializeEntryPoint(fn, tables, fbb);
    if (failed(entry))
      return failure();
    entries.push_back(*entry);
  }
  if (entries.empty())
    return module.emitError() << "no entry point to write";

  std::vector<flatbuffers::Offset<fb::Cache>> caches;
  for (const ModuleTables::Cache &cache : tables.caches) {
    FailureOr<flatbuffers::Offset<fb::Cache>> c = serializeCache(fbb, cache, module.getLoc());
    if (failed(c))
      return failure();
    caches.push_back(*c);
  }
  std::vector<flatbuffers::Offset<fb::Weight>> weights;
  for (v4::ParamOp param : tables.weights) {
    FailureOr<flatbuffers::Offset<fb::Weight>> w = serializeWeight(fbb, param);
    if (failed(w))
      return failure();
    weights.push_back(*w);
  }
  std::vector<flatbuffers::Offset<fb::Kernel>> kernels;
  std::vector<std::string> exportNames;
  for (func::FuncOp kernel : tables.kernels) {
    unsigned bindings = 0, constants = 0;
    for (Type t : kernel.getArgumentTypes())
      (isa<MemRefType>(t) ? bindings : constants) += 1;
    auto bindingList = [&](StringRef attr) {
      std::vector<uint32_t> list;
      if (auto values = kernel->getAttrOfType<DenseI64ArrayAttr>(attr))
        for (int64_t v : values.asArrayRef())
          list.push_back(static_cast<uint32_t>(v));
      return list;
    };
    std::vector<uint32_t> gathered = bindingList(kGatheredBindingsAttr),
                          routed = bindingList(kRoutedBindingsAttr);
    auto library = kernel->getAttrOfType<StringAttr>(program::ProgramDialect::kLibraryAttr);
    kernels.push_back(fb::CreateKernelDirect(fbb, kernel.getSymName().str().c_str(), bindings,
                                             constants, gathered.empty() ? nullptr : &gathered,
                                             routed.empty() ? nullptr : &routed,
                                             library ? library.str().c_str() : nullptr));
    // A library kernel's code is the runtime's: no executable exports it.
    exportNames.push_back(library ? std::string() : kernel.getSymName().str());
  }

  // The executables' tables hold fixed-size Segment structs, so the header's
  // size does not depend on the offsets written into them: build it once
  // with the offsets relative to the first segment, then shift them by the
  // header's aligned size, patching the structs in place.
  auto exportsVector = fbb.CreateVectorOfStrings(exportNames);
  std::vector<flatbuffers::Offset<fb::Executable>> executableTables;
  std::vector<uint64_t> relativeOffsets;
  uint64_t at = 0;
  for (const ExecutableImage &image : executables) {
    relativeOffsets.push_back(at);
    fb::Segment segment(at, image.image.size(), module::segmentChecksum(image.image));
    flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<fb::KernelLaunch>>> launches;
    if (image.format != ExecutableImage::Format::ElfSharedObject) {
      // In the kernel table's order, as the exports.
      llvm::StringMap<const ExecutableImage::Launch *> byName;
      for (const ExecutableImage::Launch &launch : image.launches)
        byName[launch.kernel] = &launch;
      std::vector<flatbuffers::Offset<fb::KernelLaunch>> list;
      for (auto [name, kernel] : llvm::zip_equal(exportNames, tables.kernels)) {
        if (name.empty())
          return kernel.emitOpError()
                 << "is the library kernel '"
                 << kernel->getAttrOfType<StringAttr>(program::ProgramDialect::kLibraryAttr)
                        .getValue()
                 << "', which the " << image.target << " executable cannot call";
        const ExecutableImage::Launch *launch = byName.lookup(name);
        if (!launch)
          return module.emitError() << "the " << image.target << " executable has no kernel @"
                                    << name;
        list.push_back(fb::CreateKernelLaunch(
            fbb, fbb.CreateVector(launch->blockSize.data(), launch->blockSize.size()),
            launch->workgroupMemoryBytes));
      }
      launches = fbb.CreateVector(list);
    }
    executableTables.push_back(fb::CreateExecutable(
        fbb, fbb.CreateString(image.target), executableFormat(image.format),
        fbb.CreateString(image.architecture), fbb.CreateString(image.cpu),
        fbb.CreateVectorOfStrings(image.features), exportsVector, &segment, launches));
    at += alignToSegment(image.image.size());
  }

  std::vector<flatbuffers::Offset<fb::Option>> options;
  for (const auto &[key, value] : provenance.options)
    options.push_back(fb::CreateOptionDirect(fbb, key.c_str(), value.c_str()));
  auto producer = fb::CreateProducerDirect(fbb, "sieve-compile",
                                           provenance.producerVersion.c_str(), &options);
  auto modelAttr = module->getAttrOfType<DictionaryAttr>("v4.model");
  int64_t maxSeqLen = modelField(modelAttr, "max_seq_len", 0);
  auto model = fb::CreateModelDirect(
      fbb, provenance.configJson.c_str(), modelField(modelAttr, "vocab_size", 0),
      modelField(modelAttr, "bos_token_id", -1), modelField(modelAttr, "eos_token_id", -1),
      maxSeqLen, modelField(modelAttr, "max_batch", 0),
      modelField(modelAttr, "max_chunk", maxSeqLen), provenance.cacheFormat.c_str());
  fb::FormatVersion version(module::kFormatMajor, module::kFormatMinor);
  // Zero while the header is built; computed over the finished bytes below.
  fb::Checksum zeroChecksum(0);
  auto root = fb::CreateModuleDirect(fbb, &version, &zeroChecksum, producer, model, &caches,
                                     &weights, &kernels, &entries, &executableTables);
  fb::FinishSizePrefixedModuleBuffer(fbb, root);

  std::string bytes(reinterpret_cast<const char *>(fbb.GetBufferPointer()), fbb.GetSize());
  uint64_t headerEnd = alignToSegment(bytes.size());
  // Each Segment's offset, now that the header's size is known.
  fb::Module *mutableRoot = fb::GetMutableSizePrefixedModule(bytes.data());
  for (unsigned i = 0; i < executables.size(); ++i) {
    fb::Executable *executable = mutableRoot->mutable_executables()->GetMutableObject(i);
    executable->mutable_segment()->mutate_offset(headerEnd + relativeOffsets[i]);
  }
  // The header checksum last: it covers the patched offsets.
  const uint8_t *start = reinterpret_cast<const uint8_t *>(bytes.data());
  uint64_t field =
      uint64_t(reinterpret_cast<const uint8_t *>(mutableRoot->header_checksum()) - start);
  mutableRoot->mutable_header_checksum()->mutate_xxh3(
      module::headerChecksum(start, fbb.GetSize(), field));
  for (unsigned i = 0; i < executables.size(); ++i) {
    bytes.resize(headerEnd + relativeOffsets[i], '\0');
    bytes += executables[i].image;
  }

  // Read it back with the runtime's verifier: the compiler never emits a
  // module the runtime would refuse.
  Expected<std::unique_ptr<module::ModuleFile>> check =
      module::ModuleFile::fromBytes(bytes, "the written module");
  if (!check.isOk())
    return module.emitError() << "internal error: " << check.status().message();
  return bytes;
}

} // namespace sieve
