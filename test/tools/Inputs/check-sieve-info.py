#!/usr/bin/env python3
"""Checks sieve-info --json against a checkpoint's own safetensors headers.

usage: check-sieve-info.py INFO.json CHECKPOINT_DIR

Parameters: elements of every tensor but the E8M0 scales and the I64
tid2eid tables, an I8 (two FP4 codes a byte) tensor counting twice its
bytes. Bytes by dtype and in total: the data offsets of the headers.
"""
import collections
import json
import os
import struct
import sys

info = json.load(open(sys.argv[1]))
ckpt = sys.argv[2]
files = [f for f in os.listdir(ckpt) if f.endswith(".safetensors")]
parameters = 0
by_dtype = collections.Counter()
count = collections.Counter()
for name in files:
    data = open(os.path.join(ckpt, name), "rb").read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    for tensor, entry in header.items():
        if tensor == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        by_dtype[entry["dtype"]] += end - begin
        count[entry["dtype"]] += 1
        if entry["dtype"] in ("F8_E8M0", "I64"):
            continue
        elements = 1
        for extent in entry["shape"]:
            elements *= extent
        parameters += elements * (2 if entry["dtype"] == "I8" else 1)

got = info["parameters"]["total"] + info["parameters"]["mtp"]
assert got == parameters, ("parameters", got, parameters)
assert info["weight_bytes"]["total"] == sum(by_dtype.values()), "total bytes"
for dtype, share in info["weight_bytes"]["by_dtype"].items():
    assert share["bytes"] == by_dtype[dtype], (dtype, share, by_dtype[dtype])
    assert share["tensors"] == count[dtype], (dtype, share, count[dtype])
assert set(info["weight_bytes"]["by_dtype"]) == set(by_dtype), "dtypes"
print("ok: %d parameters, %d bytes in %d dtypes" % (parameters, sum(by_dtype.values()),
                                                   len(by_dtype)))
