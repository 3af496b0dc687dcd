#!/usr/bin/env bash
# run_fuzzer.sh WORK_DIR FUZZER SEED_DIR [libFuzzer flags...]
# Runs a libFuzzer target with WORK_DIR/corpus as its first (writable) corpus,
# SEED_DIR after it, and crash artifacts under WORK_DIR/artifacts: fuzzing
# never writes into the repository. A finding exits non-zero and names the
# artifact to minimize (docs/robustness.md, "When a fuzzer finds something").
set -euo pipefail
work="$1" fuzzer="$2" seeds="$3"
shift 3
mkdir -p "$work/corpus" "$work/artifacts"
exec "$fuzzer" -artifact_prefix="$work/artifacts/" "$@" "$work/corpus" "$seeds"
