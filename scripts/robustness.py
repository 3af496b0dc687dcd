#!/usr/bin/env python3
"""Mutation campaign against the Sieve tools (the table in docs/robustness.md).

For each class of bad input, generates mutated files or flag values from the
shipped examples, runs the tool that reads them (best with the ASan + UBSan
binaries of scripts/sanitize.sh) and sorts every run into:

  error      exit 1 or 2 with a message on stderr (the expected answer)
  accepted   exit 0
  invalid    exit 0 on input an independent oracle calls invalid (Python's
             json module, the documented config ranges, UTF-8 decoding)
  crash      a signal, or a sanitizer report on stderr
  hang       no answer within the timeout
  long       no answer within the timeout on valid input whose work is
             proportional to it (sieve-gen writing a multi-gigabyte checkpoint
             for an in-range vocab_size): not a failure

Usage: scripts/robustness.py [--bin build-asan/bin] [--runs 350] [--seed 1]
The last line printed is the markdown table; failures are listed above it.
"""

import argparse
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Integer fields and their documented maxima (docs/model-io.md, "Limits").
RANGES = {
    "vocab_size": (1, 1 << 24), "dim": (1, 65536), "n_layers": (1, 1024),
    "n_mtp_layers": (0, 16), "n_hash_layers": (0, 1024), "n_heads": (1, 1024),
    "head_dim": (1, 4096), "rope_head_dim": (1, 4096), "q_lora_rank": (1, 65536),
    "o_groups": (1, 1024), "o_lora_rank": (1, 65536), "window_size": (1, 65536),
    "index_n_heads": (1, 1024), "index_head_dim": (1, 4096), "index_topk": (1, 65536),
    "n_routed_experts": (1, 4096), "n_activated_experts": (1, 4096),
    "moe_inter_dim": (1, 65536), "hc_mult": (1, 64), "hc_sinkhorn_iters": (1, 1000),
    "max_seq_len": (1, 1 << 24), "max_batch_size": (1, 4096),
    "original_seq_len": (0, 1 << 24),
}
HOSTILE_INTS = [0, -1, -(1 << 63), (1 << 31), (1 << 31) - 1, (1 << 53) + 1, (1 << 57) + 1,
                (1 << 59) + 1, 1 << 62, (1 << 63) - 1, 10 ** 9, 10 ** 7, 2 * 10 ** 7]


class Campaign:
    def __init__(self, bin_dir, runs, seed, timeout):
        self.bin = os.path.abspath(bin_dir)
        self.runs = runs
        self.rng = random.Random(seed)
        self.timeout = timeout
        self.work = tempfile.mkdtemp(prefix="sieve-robustness-")
        self.rows = []
        self.failures = []

    def tool(self, name):
        return os.path.join(self.bin, name)

    # -- running and sorting ------------------------------------------------
    def run(self, argv, stdin=b"", invalid=False, long_ok=False):
        env = dict(os.environ)
        env.setdefault("ASAN_OPTIONS", "abort_on_error=1:detect_leaks=1")
        env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
        try:
            p = subprocess.run(argv, input=stdin, capture_output=True, timeout=self.timeout,
                               env=env, cwd=self.work)
        except subprocess.TimeoutExpired:
            return ("long" if long_ok else "hang"), ""
        err = p.stderr.decode("utf-8", "replace")
        if p.returncode < 0 or p.returncode > 2 or "Sanitizer" in err or "runtime error:" in err:
            return "crash", err[-2000:]
        if p.returncode == 0:
            return ("invalid" if invalid else "accepted"), err[-300:]
        return "error", err[-300:]

    def record(self, cls, tools, outcomes):
        counts = {k: 0 for k in ("error", "accepted", "invalid", "crash", "hang", "long")}
        for outcome, detail, what in outcomes:
            counts[outcome] += 1
            if outcome in ("crash", "hang", "invalid"):
                self.failures.append(f"{cls}: {outcome}: {what}\n{detail}")
        self.rows.append((cls, tools, len(outcomes), counts))

    # -- inputs -------------------------------------------------------------
    def tiny_config(self):
        with open(os.path.join(ROOT, "examples/tiny-v4/config.json")) as f:
            return json.load(f)

    def mutate_bytes(self, data):
        data = bytearray(data)
        for _ in range(self.rng.randint(1, 4)):
            op = self.rng.randrange(8)
            pos = self.rng.randrange(len(data) + 1)
            if op == 0 and data:
                data[pos % len(data)] = self.rng.randrange(256)
            elif op == 1:
                data[pos:pos] = bytes([self.rng.randrange(256)])
            elif op == 2 and data:
                del data[pos % len(data)]
            elif op == 3:
                data = data[:pos]
            elif op == 4 and data:
                a = self.rng.randrange(len(data))
                data[pos:pos] = data[a:a + self.rng.randint(1, 64)] * self.rng.randint(1, 50)
            elif op == 5:
                data[pos:pos] = b"\0" + b"garbage"
            elif op == 6:
                data = bytearray(b"\xef\xbb\xbf") + data
            else:
                data[pos:pos] = self.rng.choice([b"[" * 100000, b"{\"a\":" * 5000, b"-1",
                                                 b"1e999", b"\"\\ud800\"", b"99999999999999999999"])
        return bytes(data)

    @staticmethod
    def json_invalid(data):
        """True when Python's strict json rejects `data` (or it has duplicate keys)."""
        def no_dups(pairs):
            keys = [k for k, _ in pairs]
            if len(keys) != len(set(keys)):
                raise ValueError("duplicate key")
            return dict(pairs)
        try:
            text = data.decode("utf-8")
            if "\0" in text or text.startswith("\ufeff"):
                return True
            json.loads(text, object_pairs_hook=no_dups,
                       parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
            return False
        except (ValueError, RecursionError):
            return True

    def write(self, name, data):
        path = os.path.join(self.work, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())
        return path

    # -- classes ------------------------------------------------------------
    def setup(self):
        ckpt = os.path.join(self.work, "tiny")
        subprocess.run([self.tool("sieve-gen"), os.path.join(ROOT, "examples/tiny-v4/config.json"),
                        "--seed", "1", "-o", ckpt], check=True, capture_output=True)
        shards = os.path.join(self.work, "tiny-shards")
        subprocess.run([self.tool("sieve-gen"), os.path.join(ROOT, "examples/tiny-v4/config.json"),
                        "--seed", "1", "-o", shards, "--max-shard-mb", "1"],
                       check=True, capture_output=True)
        self.ckpt, self.shards = ckpt, shards

    def config_values(self):
        outcomes = []
        fields = sorted(RANGES)
        for i in range(self.runs):
            cfg = self.tiny_config()
            field = self.rng.choice(fields + ["bos_token_id", "eos_token_id"])
            value = self.rng.choice(HOSTILE_INTS + [RANGES.get(field, (0, 511))[1] + 1])
            cfg[field] = value
            lo, hi = RANGES.get(field, (0, cfg["vocab_size"] - 1))
            invalid = not (lo <= value <= hi)
            path = self.write(f"values/{i}/config.json", json.dumps(cfg))
            tool = i % 3
            if tool == 0:
                argv = [self.tool("sieve-gen"), path, "--seed", "1", "-o", path + ".out"]
            elif tool == 1:
                argv = [self.tool("sieve-compile"), path, "--compile-to=graph", "-o", os.devnull]
            else:
                shutil.copy(os.path.join(self.ckpt, "model.safetensors"), os.path.dirname(path))
                argv = [self.tool("sieve-run"), "--weights", os.path.dirname(path), "--tokens",
                        "1,2", "--max-new-tokens", "1"]
            outcome, detail = self.run(argv, invalid=invalid, long_ok=tool == 0 and not invalid)
            outcomes.append((outcome, detail, f"{field}={value} via {os.path.basename(argv[0])}"))
            shutil.rmtree(os.path.dirname(path), ignore_errors=True)
        self.record("config.json: integer fields at hostile values (0, -1, 2^31, 2^57+1, "
                    "2^59+1, 2^62, 2^63-1, 1e9, limit+1)",
                    "sieve-gen, sieve-compile, sieve-run", outcomes)

    def config_bytes(self):
        base = open(os.path.join(ROOT, "examples/tiny-v4/config.json"), "rb").read()
        outcomes = []
        for i in range(self.runs):
            data = self.mutate_bytes(base)
            path = self.write(f"bytes/{i}.json", data)
            argv = ([self.tool("sieve-gen"), path, "--seed", "1", "-o", path + ".out"]
                    if i % 2 else [self.tool("sieve-compile"), path, "--compile-to=input",
                                   "-o", os.devnull])
            outcome, detail = self.run(argv, invalid=self.json_invalid(data))
            outcomes.append((outcome, detail, f"{path} via {os.path.basename(argv[0])}"))
            shutil.rmtree(path + ".out", ignore_errors=True)
        self.record("config.json: byte mutations (flips, truncation, NUL + garbage, BOM, "
                    "deep nesting, huge numbers)", "sieve-gen, sieve-compile", outcomes)

    def safetensors_header(self):
        src = open(os.path.join(self.ckpt, "model.safetensors"), "rb").read()
        (hlen,) = struct.unpack("<Q", src[:8])
        header, payload = src[8:8 + hlen], src[8 + hlen:]
        outcomes = []
        for i in range(self.runs):
            d = os.path.join(self.work, f"st/{i}")
            os.makedirs(d)
            shutil.copy(os.path.join(self.ckpt, "config.json"), d)
            new = self.mutate_bytes(header)
            length = len(new)
            if self.rng.random() < 0.15:
                length = self.rng.choice([0, 1, len(new) + 1, 1 << 40, (1 << 64) - 1])
            with open(os.path.join(d, "model.safetensors"), "wb") as f:
                f.write(struct.pack("<Q", length) + new + payload)
            outcome, detail = self.run([self.tool("sieve-run"), "--weights", d, "--tokens", "1,2",
                                        "--max-new-tokens", "1"],
                                       invalid=length != len(new) or self.json_invalid(new))
            outcomes.append((outcome, detail, f"header mutation {i}"))
            shutil.rmtree(d)
        self.record("safetensors header: byte mutations and wrong length prefixes",
                    "sieve-run", outcomes)

    def safetensors_index(self):
        index = open(os.path.join(self.shards, "model.safetensors.index.json"), "rb").read()
        outcomes = []
        for i in range(self.runs // 2):
            d = os.path.join(self.work, f"ix/{i}")
            shutil.copytree(self.shards, d)
            data = self.mutate_bytes(index)
            if self.rng.random() < 0.2:  # a FIFO, a directory or a path outside
                j = json.loads(index)
                name = next(iter(j["weight_map"]))
                j["weight_map"][name] = self.rng.choice(["fifo.safetensors", "subdir",
                                                         "../tiny/model.safetensors", "/dev/zero"])
                if not os.path.exists(os.path.join(d, "fifo.safetensors")):
                    os.mkfifo(os.path.join(d, "fifo.safetensors"))
                os.makedirs(os.path.join(d, "subdir"), exist_ok=True)
                data = json.dumps(j).encode()
            with open(os.path.join(d, "model.safetensors.index.json"), "wb") as f:
                f.write(data)
            outcome, detail = self.run([self.tool("sieve-run"), "--weights", d, "--tokens", "1,2",
                                        "--max-new-tokens", "1"], invalid=self.json_invalid(data))
            outcomes.append((outcome, detail, f"index mutation {i}"))
            shutil.rmtree(d)
        self.record("safetensors index: byte mutations, shards that are FIFOs, directories "
                    "or paths outside", "sieve-run", outcomes)

    def tokenizer_json(self):
        base = open(os.path.join(ROOT, "test/tools/Inputs/byte-chat-tokenizer.json"), "rb").read()
        outcomes = []
        for i in range(self.runs):
            data = self.mutate_bytes(base)
            if self.rng.random() < 0.1:
                j = json.loads(base)
                j["model"]["type"] = self.rng.choice([None, 3, "WordPiece", ""])
                data = json.dumps(j).encode()
            path = self.write(f"tok/{i}.json", data)
            outcome, detail = self.run([self.tool("sieve-tokenize"), "--tokenizer", path],
                                       stdin=b"hello world", invalid=self.json_invalid(data))
            outcomes.append((outcome, detail, path))
            os.remove(path)
        self.record("tokenizer.json: byte mutations, mistyped model.type", "sieve-tokenize",
                    outcomes)

    def tokenizer_input(self):
        tok = os.path.join(ROOT, "third_party/tokenizer/tokenizer.json")
        if not os.path.exists(tok):
            tok = os.path.join(ROOT, "test/tools/Inputs/byte-chat-tokenizer.json")
        outcomes = []
        for i in range(self.runs):
            kind = i % 5
            if kind == 0:
                data = bytes(self.rng.randrange(256) for _ in range(self.rng.randint(0, 4000)))
            elif kind == 1:
                data = "".join(chr(self.rng.choice([self.rng.randrange(0x20, 0x7f),
                                                    self.rng.randrange(0xa0, 0xd7ff),
                                                    self.rng.randrange(0x10000, 0x10ffff)]))
                               for _ in range(self.rng.randint(0, 2000))).encode()
            elif kind == 2:
                data = self.rng.choice([" ", "a", "1", "!", "\n", "中"]).encode() * \
                    self.rng.choice([1, 1000, 100000, 1000000, 10_500_000])
            elif kind == 3:
                data = " ".join(str(self.rng.choice([-1, 0, 5, 1 << 31, 1 << 40, 128815,
                                                     self.rng.randrange(200000)]))
                                for _ in range(self.rng.randint(1, 50))).encode()
            else:
                data = self.mutate_bytes("<｜User｜>hi<｜Assistant｜></think>ok".encode())
            argv = [self.tool("sieve-tokenize"), "--tokenizer", tok] + (["--decode"] if kind == 3 else [])
            invalid = False
            if kind != 3:
                try:
                    data.decode("utf-8")
                except UnicodeDecodeError:
                    invalid = True
            outcome, detail = self.run(argv, stdin=data, invalid=invalid)
            outcomes.append((outcome, detail, f"input kind {kind}, {len(data)} bytes"))
        self.record("tokenizer input: random bytes and code points, runs of one character "
                    "up to 10.5M, id lists out of range", "sieve-tokenize (encode, --decode)",
                    outcomes)

    def chat(self):
        bases = [open(os.path.join(ROOT, f"test/data/dsv4-chat-encoding/input_{k}.json"), "rb").read()
                 for k in range(1, 5)]
        outcomes = []
        for i in range(self.runs):
            data = self.mutate_bytes(self.rng.choice(bases))
            outcome, detail = self.run([self.tool("sieve-tokenize"), "--chat", "--text"],
                                       stdin=data)
            outcomes.append((outcome, detail, f"chat mutation {i}"))
        self.record("chat messages JSON: byte mutations of DeepSeek's four known-answer inputs",
                    "sieve-tokenize --chat", outcomes)

    def graph(self):
        pieces = []
        for name in ("ops.mlir", "canonicalize.mlir"):
            text = open(os.path.join(ROOT, "test/Dialect/V4", name)).read()
            pieces += [p for p in text.split("// -----") if "func.func" in p]
        outcomes = []
        for i in range(self.runs):
            data = self.mutate_bytes(self.rng.choice(pieces).encode())
            path = self.write(f"graph/{i}.mlir", data)
            outcome, detail = self.run([self.tool("sieve-compile"), path, "--compile-to=graph",
                                        "-o", os.devnull])
            outcomes.append((outcome, detail, path))
            os.remove(path)
        self.record("v4 graphs (.mlir): byte mutations of the dialect's tests", "sieve-compile",
                    outcomes)

    def flags(self):
        values = ["-1", "0", "1", "18446744073709551616", "576460752303423489", "1e308", "nan",
                  "inf", "", "abc", "9223372036854775807", "16777216", "16777217"]
        flags = ["--max-seq-len", "--max-new-tokens", "--top-k", "--top-p", "--temperature",
                 "--seed", "--prefill-len"]
        outcomes = []
        for i in range(self.runs // 2):
            argv = [self.tool("sieve-run"), "--weights", self.ckpt, "--tokens",
                    self.rng.choice(["1,2", "0", "511,512", "-5", "1," * 200 + "1"]),
                    "--max-new-tokens", "2"]
            for _ in range(self.rng.randint(1, 3)):
                argv += [self.rng.choice(flags), self.rng.choice(values)]
            outcome, detail = self.run(argv)
            outcomes.append((outcome, detail, " ".join(argv[1:])))
        self.record("sieve-run flags: hostile numbers for every numeric option, bad token lists",
                    "sieve-run", outcomes)

    def table(self):
        lines = ["| input class | tool | runs | clean error | accepted | long (valid) | "
                 "accepted invalid | crash | hang |",
                 "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
        total = {k: 0 for k in ("runs", "error", "accepted", "invalid", "crash", "hang", "long")}
        for cls, tools, runs, c in self.rows:
            lines.append(f"| {cls} | {tools} | {runs} | {c['error']} | {c['accepted']} | "
                         f"{c['long']} | {c['invalid']} | {c['crash']} | {c['hang']} |")
            total["runs"] += runs
            for k in c:
                total[k] += c[k]
        lines.append(f"| **all** | | **{total['runs']}** | {total['error']} | {total['accepted']} "
                     f"| {total['long']} | {total['invalid']} | {total['crash']} | {total['hang']} |")
        return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "build-asan/bin"))
    ap.add_argument("--runs", type=int, default=350, help="runs per class (half for some)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--classes", default="config_values,config_bytes,safetensors_header,"
                    "safetensors_index,tokenizer_json,tokenizer_input,chat,graph,flags")
    args = ap.parse_args()
    c = Campaign(args.bin, args.runs, args.seed, args.timeout)
    start = time.time()
    try:
        c.setup()
        for name in args.classes.split(","):
            t = time.time()
            getattr(c, name)()
            print(f"{name}: {time.time() - t:.0f} s", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(c.work, ignore_errors=True)
    for f in c.failures:
        print(f, end="\n\n")
    print(f"({time.time() - start:.0f} s, seed {args.seed}, binaries {args.bin})")
    print(c.table())
    return 1 if any(r[3]["crash"] or r[3]["hang"] or r[3]["invalid"] for r in c.rows) else 0


if __name__ == "__main__":
    sys.exit(main())
