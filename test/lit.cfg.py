# lit configuration for Sieve's FileCheck tests (test/Dialect, test/Import,
# test/Conversion, test/Target, test/tools). GoogleTest and e2e suites live in
# test/unit and test/e2e and run as their own ctest entries.
import os

import lit.formats
import lit.util

config.name = "Sieve"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".mlir", ".test", ".json"]
config.excludes = ["unit", "e2e", "gpu", "fuzz", "Inputs", "data", "CMakeLists.txt", "lit.cfg.py",
                   "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.sieve_obj_root, "test")

# Sieve's tools first, then LLVM 22's FileCheck/not/count (never LLVM 14's).
path = os.pathsep.join([config.sieve_tools_dir, config.llvm_tools_dir,
                        config.environment.get("PATH", os.environ.get("PATH", ""))])
config.environment["PATH"] = path

config.substitutions.append(("%sieve_src", config.sieve_src_root))
config.substitutions.append(("%sieve_bin", config.sieve_tools_dir))
config.substitutions.append(("%sieve_lib", os.path.join(config.sieve_obj_root, "lib")))
config.substitutions.append(("%cuda_root", config.cuda_root))
config.substitutions.append(("%rocm_shim", config.rocm_shim))

if config.sieve_build_compiler:
    config.available_features.add("compiler")
if config.have_ptxas:
    config.available_features.add("ptxas")
if config.have_rocm_device_libs:
    config.available_features.add("rocm-device-libs")
if getattr(config, "have_onednn", False):
    config.available_features.add("onednn")
