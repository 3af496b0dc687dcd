//===- CpuTarget.cpp - CPU target strings and their TargetMachine ---------===//

#include "sieve/Target/CPU/CpuTarget.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#include <mutex>

using namespace mlir;

namespace sieve::cpu {

namespace {
/// x86-64 microarchitecture levels: LLVM knows them as CPU names whose
/// features are the level's.
constexpr llvm::StringLiteral kKnownTargets =
    "cpu (= cpu:host), cpu:host, cpu:x86-64-v3, cpu:x86-64-v4, each with optional +feature "
    "suffixes";

void initializeNativeTarget() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
}

/// "+f1,+f2,-f3" for the host's features, sorted so the string is stable.
std::string hostFeatures() {
  llvm::SmallVector<std::string> parts;
  for (const auto &feature : llvm::sys::getHostCPUFeatures())
    parts.push_back((feature.second ? "+" : "-") + feature.first().str());
  llvm::sort(parts);
  return llvm::join(parts, ",");
}
} // namespace

/// The subtarget of `target` (its CPU with its features), for queries.
std::unique_ptr<llvm::MCSubtargetInfo> subtargetOf(const CpuTarget &target) {
  initializeNativeTarget();
  llvm::Triple triple(target.triple);
  std::string error;
  const llvm::Target *llvmTarget = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!llvmTarget)
    return nullptr;
  return std::unique_ptr<llvm::MCSubtargetInfo>(
      llvmTarget->createMCSubtargetInfo(triple, target.cpu, target.features));
}

FailureOr<CpuTarget> parseCpuTarget(llvm::StringRef spec, Location loc) {
  CpuTarget target;
  target.spec = spec.str();
  llvm::Triple host(llvm::sys::getProcessTriple());
  target.triple = host.str();
  // Plain "cpu" (or "cpu+feature") is this machine's CPU.
  std::string normalized = spec.str();
  if (spec == "cpu" || spec.starts_with("cpu+"))
    normalized = "cpu:host" + spec.drop_front(3).str();
  llvm::StringRef name = normalized;
  if (!name.consume_front("cpu:"))
    return emitError(loc) << "unknown target '" << spec << "' (known: " << kKnownTargets
                          << ")";
  // Extra features: cpu:x86-64-v4+avx512bf16+avx512vnni.
  llvm::SmallVector<llvm::StringRef> extras;
  name.split(extras, '+');
  name = extras.front();
  extras.erase(extras.begin());
  if (name == "host") {
    target.cpu = llvm::sys::getHostCPUName().str();
    target.features = hostFeatures();
  } else {
    if (name != "x86-64-v3" && name != "x86-64-v4")
      return emitError(loc) << "unknown CPU '" << name << "' in target '" << spec
                            << "' (known: " << kKnownTargets << ")";
    if (host.getArch() != llvm::Triple::x86_64)
      return emitError(loc) << "target '" << spec << "' needs an x86-64 host, this is "
                            << host.str();
    target.cpu = name.str();
  }
  if (extras.empty())
    return target;
  std::unique_ptr<llvm::MCSubtargetInfo> subtarget = subtargetOf(target);
  if (!subtarget)
    return emitError(loc) << "no LLVM target for " << target.triple;
  for (llvm::StringRef feature : extras) {
    bool known = llvm::any_of(subtarget->getAllProcessorFeatures(),
                              [&](const llvm::SubtargetFeatureKV &kv) {
                                return feature == kv.Key;
                              });
    if (!known)
      return emitError(loc) << "unknown CPU feature '" << feature << "' in target '" << spec
                            << "' (LLVM's x86 feature names, e.g. avx512bf16)";
    target.features += (target.features.empty() ? "+" : ",+") + feature.str();
  }
  return target;
}

bool hasFeature(const CpuTarget &target, llvm::StringRef feature) {
  std::unique_ptr<llvm::MCSubtargetInfo> subtarget = subtargetOf(target);
  return subtarget && subtarget->checkFeatures(("+" + feature).str());
}

std::vector<std::string> enabledFeatures(const CpuTarget &target,
                                         llvm::ArrayRef<std::string> candidates) {
  std::vector<std::string> enabled;
  std::unique_ptr<llvm::MCSubtargetInfo> subtarget = subtargetOf(target);
  if (!subtarget)
    return enabled;
  for (const std::string &feature : candidates)
    if (subtarget->checkFeatures("+" + feature))
      enabled.push_back(feature);
  return enabled;
}

FailureOr<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const CpuTarget &target, Location loc) {
  initializeNativeTarget();
  llvm::Triple triple(target.triple);
  std::string error;
  const llvm::Target *llvmTarget = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!llvmTarget)
    return emitError(loc) << "no LLVM target for " << target.triple << ": " << error;
  llvm::TargetOptions options;
  std::unique_ptr<llvm::TargetMachine> machine(llvmTarget->createTargetMachine(
      triple, target.cpu, target.features, options, llvm::Reloc::PIC_, std::nullopt,
      llvm::CodeGenOptLevel::Aggressive));
  if (!machine)
    return emitError(loc) << "LLVM could not create a target machine for " << target.spec;
  return machine;
}

} // namespace sieve::cpu
