//===- ObjectEmitter.cpp - LLVM dialect -> optimized ELF object ------------===//

#include "sieve/Target/CPU/CpuTarget.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"

using namespace mlir;

namespace sieve::cpu {

namespace {
/// The new pass manager's -O3 module pipeline, tuned for `machine`.
void optimize(llvm::Module &module, llvm::TargetMachine &machine) {
  llvm::LoopAnalysisManager loops;
  llvm::FunctionAnalysisManager functions;
  llvm::CGSCCAnalysisManager sccs;
  llvm::ModuleAnalysisManager modules;
  llvm::PassBuilder builder(&machine);
  builder.registerModuleAnalyses(modules);
  builder.registerCGSCCAnalyses(sccs);
  builder.registerFunctionAnalyses(functions);
  builder.registerLoopAnalyses(loops);
  builder.crossRegisterProxies(loops, functions, sccs, modules);
  builder.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3)
      .run(module, modules);
}
} // namespace

FailureOr<std::string> emitObject(ModuleOp module, const CpuTarget &target,
                                  std::string *optimizedIR) {
  Location loc = module.getLoc();
  FailureOr<std::unique_ptr<llvm::TargetMachine>> machine =
      createTargetMachine(target, loc);
  if (failed(machine))
    return failure();

  MLIRContext *context = module.getContext();
  registerBuiltinDialectTranslation(*context);
  registerLLVMDialectTranslation(*context);
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext, "sieve-kernels");
  if (!llvmModule)
    return emitError(loc) << "the kernels could not be translated to LLVM IR for "
                          << target.spec;
  llvmModule->setTargetTriple((*machine)->getTargetTriple());
  llvmModule->setDataLayout((*machine)->createDataLayout());
  std::string broken;
  llvm::raw_string_ostream brokenStream(broken);
  if (llvm::verifyModule(*llvmModule, &brokenStream))
    return emitError(loc) << "the kernels' LLVM IR is invalid: " << broken;

  optimize(*llvmModule, **machine);
  if (optimizedIR) {
    llvm::raw_string_ostream irStream(*optimizedIR);
    llvmModule->print(irStream, nullptr);
  }

  llvm::SmallString<0> object;
  llvm::raw_svector_ostream objectStream(object);
  llvm::legacy::PassManager codegen;
  if ((*machine)->addPassesToEmitFile(codegen, objectStream, nullptr,
                                      llvm::CodeGenFileType::ObjectFile))
    return emitError(loc) << "LLVM cannot emit an object file for " << target.spec;
  codegen.run(*llvmModule);
  return std::string(object.str());
}

} // namespace sieve::cpu
