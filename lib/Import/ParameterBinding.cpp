//===- ParameterBinding.cpp - v4.param <-> checkpoint tensors --------------===//

#include "sieve/Import/ParameterBinding.h"

#include "v4/IR/V4Ops.h"

#include "sieve/io/checkpoint.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>

using namespace mlir;

namespace sieve {

/// The safetensors dtype a parameter element type is stored as.
static std::optional<io::DType> storedDType(Type element) {
  if (isa<BFloat16Type>(element))
    return io::DType::kBF16;
  if (isa<Float16Type>(element))
    return io::DType::kF16;
  if (isa<Float32Type>(element))
    return io::DType::kF32;
  if (isa<Float8E4M3FNType>(element))
    return io::DType::kF8E4M3;
  if (isa<Float8E8M0FNUType>(element))
    return io::DType::kF8E8M0;
  if (isa<Float4E2M1FNType>(element))
    return io::DType::kI8; // two E2M1 codes per byte
  if (element.isSignlessInteger(8))
    return io::DType::kI8;
  if (element.isSignlessInteger(32))
    return io::DType::kI32;
  if (element.isSignlessInteger(64))
    return io::DType::kI64;
  return std::nullopt;
}

LogicalResult getStoredTensors(v4::ParamOp param,
                               std::vector<StoredTensor> &out) {
  RankedTensorType type = param.getResult().getType();
  std::optional<io::DType> dtype = storedDType(type.getElementType());
  if (!dtype)
    return param.emitOpError() << "has no checkpoint dtype for element type "
                               << type.getElementType();
  std::vector<int64_t> shape(type.getShape().begin(), type.getShape().end());
  if (isa<Float4E2M1FNType>(type.getElementType()) && !shape.empty())
    shape.back() /= 2;
  if (!param.isStacked()) {
    out.push_back({param.getName().str(), *dtype, std::move(shape)});
    return success();
  }
  std::vector<int64_t> member(shape.begin() + 1, shape.end());
  for (int64_t i = 0, e = param.getNumMembers(); i < e; ++i)
    out.push_back({param.getMemberName(i), *dtype, member});
  return success();
}

namespace {

/// At most this many mismatches become errors at their parameters; the
/// summary counts the rest (a wrong checkpoint can differ in every one of
/// tens of thousands of tensors).
constexpr size_t kParameterErrorsShown = 10;

/// Walks the parameters of a module and compares each stored tensor with
/// `lookup` once per name; the first mismatches are errors at their
/// parameters, then one summary error at `summaryLoc`. A name bound again
/// with another type is a mismatch at the later occurrence. With
/// `reportPath`, every mismatch is written there, one per line.
template <typename Lookup>
LogicalResult checkParameters(ModuleOp module, Location summaryLoc, llvm::StringRef against,
                              Lookup &&lookup, llvm::StringRef reportPath = {}) {
  llvm::StringMap<v4::ParamOp> seen;
  size_t problems = 0;
  std::vector<std::string> report;
  // Counts a mismatch; the returned diagnostic is live while the first
  // kParameterErrorsShown are shown, else empty.
  auto mismatch = [&](Location loc, const std::string &message) -> InFlightDiagnostic {
    ++problems;
    if (!reportPath.empty())
      report.push_back(message);
    if (problems > kParameterErrorsShown)
      return InFlightDiagnostic();
    return emitError(loc) << message;
  };
  std::vector<StoredTensor> stored;
  WalkResult walk = module.walk([&](v4::ParamOp param) {
    auto [it, inserted] = seen.try_emplace(param.getName(), param);
    if (!inserted) {
      v4::ParamOp first = it->second;
      if (first.getResult().getType() != param.getResult().getType()) {
        std::string message;
        llvm::raw_string_ostream os(message);
        os << "parameter '" << param.getName() << "' is bound as '" << param.getResult().getType()
           << "' here but as '" << first.getResult().getType() << "' by an earlier v4.param";
        InFlightDiagnostic diag = mismatch(param.getLoc(), message);
        if (problems <= kParameterErrorsShown)
          diag.attachNote(first.getLoc()) << "first bound here";
      }
      return WalkResult::advance();
    }
    stored.clear();
    if (failed(getStoredTensors(param, stored)))
      return WalkResult::interrupt();
    for (const StoredTensor &tensor : stored) {
      std::optional<std::pair<io::DType, std::vector<int64_t>>> found =
          lookup(tensor.name);
      if (!found) {
        mismatch(param.getLoc(), "tensor '" + tensor.name + "' is not in " + against.str());
        continue;
      }
      if (found->first != tensor.dtype || found->second != tensor.shape)
        mismatch(param.getLoc(), "tensor '" + tensor.name + "' is " + io::dtypeName(found->first) +
                                     " " + io::shapeToString(found->second) + " in " +
                                     against.str() + ", the parameter binds " +
                                     io::dtypeName(tensor.dtype) + " " +
                                     io::shapeToString(tensor.shape));
    }
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return failure();
  if (!problems)
    return success();
  if (!reportPath.empty()) {
    std::error_code error;
    llvm::raw_fd_ostream out(reportPath, error);
    if (error)
      return emitError(summaryLoc)
             << "cannot write the checkpoint report to '" << reportPath << "': " << error.message();
    for (const std::string &line : report)
      out << line << "\n";
  }
  InFlightDiagnostic summary = emitError(summaryLoc)
                               << problems << " parameter tensor(s) do not match " << against;
  if (problems > kParameterErrorsShown)
    summary.attachNote() << (problems - kParameterErrorsShown) << " more not shown ("
                         << (reportPath.empty() ? "--checkpoint-report=FILE writes every one"
                                                : ("all of them in '" + reportPath + "'").str())
                         << ")";
  return summary;
}

} // namespace

LogicalResult checkParametersAgainstConfig(ModuleOp module,
                                           const io::ModelConfig &config,
                                           bool includeMtp) {
  std::vector<io::ExpectedTensor> expected = io::expectedTensors(config);
  llvm::StringMap<const io::ExpectedTensor *> byName;
  for (const io::ExpectedTensor &tensor : expected)
    byName[tensor.name] = &tensor;
  llvm::StringSet<> bound;
  if (failed(checkParameters(
          module, module.getLoc(), "the config's tensor list",
          [&](const std::string &name)
              -> std::optional<std::pair<io::DType, std::vector<int64_t>>> {
            auto it = byName.find(name);
            if (it == byName.end())
              return std::nullopt;
            bound.insert(name);
            return std::make_pair(it->second->dtype, it->second->shape);
          })))
    return failure();
  // The other direction: the graph uses every tensor of the checkpoint.
  size_t unbound = 0;
  for (const io::ExpectedTensor &tensor : expected) {
    if (bound.contains(tensor.name) ||
        (!includeMtp && config.isMtpBlock(tensor.block)))
      continue;
    emitError(module.getLoc()) << "tensor '" << tensor.name
                               << "' of the config's tensor list is not "
                                  "bound by any parameter";
    ++unbound;
  }
  if (unbound)
    return emitError(module.getLoc())
           << unbound << " tensor(s) of the config are not used by the graph";
  return success();
}

LogicalResult checkCheckpointForGraph(ModuleOp module, llvm::StringRef checkpointPath,
                                      llvm::StringRef reportPath) {
  // Problems with the checkpoint as a whole are located at its path.
  Location checkpointLoc =
      FileLineColLoc::get(module.getContext(), checkpointPath, 0, 0);
  auto reader = io::SafetensorsReader::open(checkpointPath.str());
  if (!reader.isOk())
    return emitError(checkpointLoc)
           << "cannot read checkpoint: " << reader.status().message();
  std::string against = ("checkpoint '" + checkpointPath + "'").str();
  return checkParameters(
      module, checkpointLoc, against,
      [&](const std::string &name) -> std::optional<std::pair<io::DType, std::vector<int64_t>>> {
        std::optional<io::TensorView> view = reader->find(name);
        if (!view)
          return std::nullopt;
        return std::make_pair(view->dtype, view->shape);
      },
      reportPath);
}

LogicalResult checkCheckpointForConfig(Location location, const io::ModelConfig &config,
                                       llvm::StringRef checkpointPath, llvm::StringRef reportPath) {
  auto reader = io::SafetensorsReader::open(checkpointPath.str());
  if (!reader.isOk())
    return emitError(location)
           << "cannot read checkpoint: " << reader.status().message();
  io::CheckpointReport report = io::checkCheckpoint(config, *reader);
  if (report.ok())
    return success();
  if (!reportPath.empty()) {
    std::error_code error;
    llvm::raw_fd_ostream out(reportPath, error);
    if (error)
      return emitError(location) << "cannot write the checkpoint report to '" << reportPath
                                 << "': " << error.message();
    for (const io::CheckpointProblem &problem : report.problems)
      out << problem.message << "\n";
  }
  using Kind = io::CheckpointProblem::Kind;
  const std::pair<Kind, const char *> kinds[] = {{Kind::kMissing, "missing"},
                                                 {Kind::kWrongDType, "of the wrong dtype"},
                                                 {Kind::kWrongShape, "of the wrong shape"},
                                                 {Kind::kUnexpected, "unexpected"}};
  size_t counts[4] = {};
  for (const io::CheckpointProblem &problem : report.problems)
    ++counts[static_cast<size_t>(problem.kind)];
  InFlightDiagnostic diag = emitError(location);
  diag << "checkpoint '" << checkpointPath
       << "' does not match the config: " << report.problems.size() << " problem"
       << (report.problems.size() == 1 ? "" : "s") << " (";
  bool first = true;
  for (auto [kind, name] : kinds)
    if (size_t n = counts[static_cast<size_t>(kind)]) {
      diag << (first ? "" : ", ") << n << " " << name;
      first = false;
    }
  diag << "); " << report.present << " of " << report.expected << " expected tensors present";
  constexpr size_t kShownPerKind = 5;
  size_t hidden = 0;
  for (auto [kind, name] : kinds) {
    size_t shown = 0;
    for (const io::CheckpointProblem &problem : report.problems) {
      if (problem.kind != kind)
        continue;
      if (shown++ < kShownPerKind)
        diag.attachNote() << problem.message;
      else
        ++hidden;
    }
  }
  if (hidden)
    diag.attachNote() << hidden << " more not shown ("
                      << (reportPath.empty() ? "--checkpoint-report=FILE writes every one"
                                             : ("all of them in '" + reportPath + "'").str())
                      << ")";
  return diag;
}

} // namespace sieve
