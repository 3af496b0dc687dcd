#!/usr/bin/env python3
"""Compiles a model for GPU chips with sieve-compile and checks each binary.

For every --target it builds a module and reads its executables back
(sieve-dump's JSON gives the segments): NVIDIA targets must carry PTX for
the chip with one .entry per kernel and no external function (kernels call
nothing outside themselves), plus a cubin (an EM_CUDA ELF, which means
ptxas accepted the PTX) when the toolkit has ptxas; AMD targets an HSACO for
the chip (EM_AMDGPU, the chip's e_flags) with one kernel descriptor per
kernel, which means ld.lld linked it. Exits non-zero naming what is wrong.
"""
import argparse
import json
import os
import struct
import subprocess
import sys

EM_CUDA = 190
EM_AMDGPU = 224
# EF_AMDGPU_MACH_AMDGCN_* (llvm/BinaryFormat/ELF.h).
AMDGPU_MACH = {"gfx90a": 0x3F, "gfx942": 0x4C, "gfx950": 0x4F}


def elf_header(data: bytes):
    if data[:4] != b"\x7fELF" or data[4] != 2:
        return None
    machine, = struct.unpack_from("<H", data, 18)
    flags, = struct.unpack_from("<I", data, 48)
    return machine, flags


def check_ptx(text: str, chip: str, kernels: int) -> list:
    problems = []
    if f".target {chip}" not in text:
        problems.append(f"PTX does not target {chip}")
    entries = text.count(".entry ")
    if entries != kernels:
        problems.append(f"PTX has {entries} .entry kernels, the module {kernels}")
    if ".extern .func" in text:
        problems.append("PTX calls an external function")
    return problems


def check_hsaco(data: bytes, chip: str, kernels: int, readelf: str, path: str) -> list:
    header = elf_header(data)
    if not header or header[0] != EM_AMDGPU:
        return ["HSACO is not an AMDGPU ELF"]
    if header[1] & 0xFF != AMDGPU_MACH[chip]:
        return [f"HSACO e_flags 0x{header[1]:x} do not name {chip}"]
    with open(path, "wb") as f:
        f.write(data)
    symbols = subprocess.run([readelf, "--dyn-syms", "--wide", path], check=True,
                             capture_output=True, text=True).stdout
    descriptors = sum(1 for line in symbols.splitlines() if line.rstrip().endswith(".kd"))
    if descriptors != kernels:
        return [f"HSACO has {descriptors} kernel descriptors, the module {kernels}"]
    return []


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True, help="folder with sieve-compile, sieve-dump")
    parser.add_argument("--readelf", required=True)
    parser.add_argument("--config", required=True)
    parser.add_argument("--out", required=True, help="scratch folder")
    parser.add_argument("--cuda-toolkit", default="/usr/local/cuda")
    parser.add_argument("--target", action="append", required=True)
    parser.add_argument("extra", nargs="*", help="more sieve-compile options")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    has_ptxas = os.access(os.path.join(args.cuda_toolkit, "bin", "ptxas"), os.X_OK)

    failures = 0
    for target in args.target:
        vendor, chip = target.split(":")
        module = os.path.join(args.out, target.replace(":", "_") + ".sieve")
        compile_cmd = [os.path.join(args.bin, "sieve-compile"), args.config, f"--target={target}",
                       f"--cuda-toolkit={args.cuda_toolkit}", "-o", module] + args.extra
        run = subprocess.run(compile_cmd, capture_output=True, text=True)
        if run.returncode != 0:
            print(f"FAIL {target}: sieve-compile exited {run.returncode}:\n{run.stderr}")
            failures += 1
            continue
        dump = json.loads(subprocess.run([os.path.join(args.bin, "sieve-dump"), module],
                                         check=True, capture_output=True, text=True).stdout)
        kernels = len(dump["kernels"])
        data = open(module, "rb").read()
        formats = {}
        for executable in dump["executables"]:
            segment = executable["segment"]
            payload = data[segment["offset"]:segment["offset"] + segment["size"]]
            formats[executable["format"]] = payload
            if len(executable["launches"]) != kernels:
                print(f"FAIL {target}: {len(executable['launches'])} launch shapes "
                      f"for {kernels} kernels")
                failures += 1
        problems = []
        if vendor == "nvidia":
            expected = {"Ptx", "Cubin"} if has_ptxas else {"Ptx"}
            if set(formats) != expected:
                problems.append(f"formats {sorted(formats)}, expected {sorted(expected)}")
            if "Ptx" in formats:
                problems += check_ptx(formats["Ptx"].decode("ascii", "replace"), chip, kernels)
            if "Cubin" in formats:
                header = elf_header(formats["Cubin"])
                if not header or header[0] != EM_CUDA:
                    problems.append("cubin is not a CUDA ELF")
        else:
            if set(formats) != {"Hsaco"}:
                problems.append(f"formats {sorted(formats)}, expected ['Hsaco']")
            else:
                problems += check_hsaco(formats["Hsaco"], chip, kernels, args.readelf,
                                        module + ".hsaco")
        if problems:
            print(f"FAIL {target}: " + "; ".join(problems))
            failures += 1
        else:
            sizes = ", ".join(f"{name} {len(blob)} bytes" for name, blob in sorted(formats.items()))
            print(f"ok   {target}: {kernels} kernels, {sizes}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
