#!/usr/bin/env python3
"""Checks sieve-run --perplexity against logits dumped by sieve-run.

usage: perplexity-from-logits.py LOGITS.npy IDS.txt REPORT.txt

LOGITS.npy: --dump-logits of the BOS + text ids fed one per step (row i
predicts text id i). IDS.txt: the text ids. REPORT.txt: the --perplexity
stdout. The log-softmax is computed here in double from the fp32 rows.
"""
import ast
import math
import struct
import sys


def read_npy_f32(path):
    data = open(path, "rb").read()
    assert data[:6] == b"\x93NUMPY", "not an .npy file"
    header_len = struct.unpack("<H", data[8:10])[0]
    header = ast.literal_eval(data[10:10 + header_len].decode("latin1"))
    assert header["descr"] == "<f4" and not header["fortran_order"], header
    rows, cols = header["shape"]
    body = data[10 + header_len:]
    values = struct.unpack("<%df" % (rows * cols), body[:4 * rows * cols])
    return [values[r * cols:(r + 1) * cols] for r in range(rows)]


def main():
    rows = read_npy_f32(sys.argv[1])
    ids = [int(t) for t in open(sys.argv[2]).read().split()]
    report = open(sys.argv[3]).read().split()
    assert report[0] == "perplexity", report
    got = float(report[1])
    nll = []
    for i, token in enumerate(ids):
        row = rows[i]
        top = max(row)
        log_sum = top + math.log(sum(math.exp(v - top) for v in row))
        nll.append(log_sum - row[token])
    want = math.exp(sum(nll) / len(nll))
    if abs(got - want) > 1e-3 * want:
        sys.exit("perplexity %.6f, expected %.6f from the logits" % (got, want))
    print("ok: perplexity %.4f over %d tokens" % (want, len(nll)))


main()
