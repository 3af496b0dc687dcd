#!/usr/bin/env python3
"""Runs every example command of the documentation, so the docs cannot drift
from the tools (issue 16).

Every fenced block of docs/*.md that holds a Sieve tool's command line is
one of three things:

  * an example: run as a bash script (set -eo pipefail) in a sandbox, in the
    order of its file, and it must exit 0;
  * a synopsis (a line with optional "[--flag]" parts or "(A | B)"
    alternatives): each --flag it names must appear in the tool's --help;
  * marked "<!-- docs-test: skip REASON -->" on the line before it: listed
    with its reason, not run.

The sandbox stands in for the paths the docs use: /tmp/ becomes SANDBOX/tmp/,
examples/ the source tree's, build/bin/ the tools on PATH, build/models/ a
folder the fixtures fill. Fixtures are the inputs the docs take for granted:
cfg.json (tiny-v4's config), graph.mlir and model.sieve (tiny-v4), text and
chat files, the tokenizer at third_party/tokenizer/tokenizer.json, and the
/tmp/small checkpoint and /tmp/small.sieve module the CLI examples run.

Without --full, small-v4 checkpoints (688 MiB, 40 s to write; benchmarks
on them take minutes) are written from a stand-in config instead: tiny-v4's
layers with small-v4's vocabulary (so real-tokenizer prompts and ids fit)
and a 40,960-token context (so the depth benchmarks' prompts fit), and
benchmarks time once, briefly (sieve-bench -r 1; sieve-kernel-bench one
repetition of at least 10 ms each): what is checked is that the tools take
the command lines, not the figures. Every command line is otherwise run as
written.

usage: run_doc_commands.py --src DIR --bin DIR [--full] [--keep] [--only FILE]
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

TOOLS = ("sieve-compile", "sieve-run", "sieve-gen", "sieve-info", "sieve-dump",
         "sieve-bench", "sieve-tokenize", "sieve-numerics", "sieve-opt",
         "sieve-kernel-bench")
BLOCK = re.compile(r"^```[^\n]*\n(.*?)^```", re.S | re.M)
SKIP = re.compile(r"<!--\s*docs-test:\s*skip\s+(.*?)\s*-->\s*\n\s*$", re.S)


def command_lines(block):
    """The block's lines that start a Sieve tool (after build/bin/ or time)."""
    found = []
    for line in block.splitlines():
        words = line.strip().split()
        while words and words[0] in ("/usr/bin/time", "time"):
            words = words[1:]
        if words and words[0].split("/")[-1] in TOOLS:
            found.append(line.strip())
    return found


def is_synopsis(line):
    return bool(re.search(r"\[|\(\S+ \|", line))


def blocks_of(path):
    """(line number, text, skip reason or None) of each block with a command."""
    text = open(path, encoding="utf-8").read()
    for match in BLOCK.finditer(text):
        body = match.group(1)
        if not command_lines(body):
            continue
        before = text[:match.start()]
        skip = SKIP.search(before[-400:])
        yield before.count("\n") + 1, body, skip.group(1) if skip else None


def rebase(script, sandbox, src, full):
    """The sandbox's paths for the ones the docs use."""
    script = re.sub(r"(?<![\w/.])/tmp/", sandbox + "/tmp/", script)
    script = re.sub(r"(?<![\w/.])build(-\w+)?/bin/", "", script)
    script = re.sub(r"(?<![\w/.])build/models/", sandbox + "/models/", script)
    if not full:
        # Only the checkpoint writer takes the stand-in: everything after
        # it reads the checkpoint it wrote.
        script = re.sub(r"(sieve-gen\s+)examples/small-v4(/config\.json)?(?![\w/.-])",
                        lambda m: m.group(1) + os.path.join(sandbox, "standin", "small-v4"),
                        script)
        script = re.sub(r"(sieve-bench\s[^\n]*?\s-r)\s+\d+", r"\1 1", script)
        script = re.sub(r"--benchmark_repetitions=\d+", "--benchmark_repetitions=1", script)
    script = re.sub(r"(?<![\w/.])examples/", src + "/examples/", script)
    return script


def run(cmd, env, cwd, timeout=600, stdin=subprocess.DEVNULL):
    return subprocess.run(cmd, env=env, cwd=cwd, stdin=stdin, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=timeout, text=True,
                          errors="replace")


def make_fixtures(sandbox, work, src, env, full):
    os.makedirs(os.path.join(sandbox, "tmp"), exist_ok=True)
    os.makedirs(os.path.join(sandbox, "models"), exist_ok=True)
    tiny = os.path.join(src, "examples", "tiny-v4", "config.json")
    config = json.load(open(tiny))
    standin = dict(config, vocab_size=129280, max_seq_len=40960)
    os.makedirs(os.path.join(sandbox, "standin", "small-v4"), exist_ok=True)
    with open(os.path.join(sandbox, "standin", "small-v4", "config.json"), "w") as f:
        json.dump(standin, f, indent=1)
    shutil.copy(tiny, os.path.join(work, "cfg.json"))
    # Paths relative to the repository (the corpus, the fetched tokenizer).
    for tree in ("test", "third_party"):
        os.symlink(os.path.join(src, tree), os.path.join(work, tree))
    prose = ("The quick brown fox jumps over the lazy dog. Sieve compiles DeepSeek-V4 "
             "models for NVIDIA, AMD and CPU targets from one kernel IR, and a small "
             "runtime loads the compiled modules and runs them.\n")
    for name in ("text.txt", "wiki.test.txt"):
        with open(os.path.join(work, name), "w") as f:
            f.write(prose * 4)
    with open(os.path.join(work, "messages.json"), "w") as f:
        json.dump([{"role": "user", "content": "What is 2 + 2?"}], f)
    with open(os.path.join(work, "ids.txt"), "w") as f:
        f.write("791 4787 17354\n")
    small = (os.path.join(src, "examples", "small-v4") if full else
             os.path.join(sandbox, "standin", "small-v4"))
    # /tmp/small*: the CLI examples' model; /tmp/smallck and the modules:
    # performance.md's (its sections are newest first, each after the
    # setup an older one wrote).
    setup = f"""set -eo pipefail
sieve-compile {tiny} --compile-to=graph -o graph.mlir
sieve-gen {tiny} --seed 1 -o {sandbox}/models/tiny-v4
sieve-compile {tiny} -o model.sieve
sieve-gen {small} --seed 1 -o {sandbox}/tmp/small
sieve-compile {sandbox}/tmp/small/config.json -o {sandbox}/tmp/small.sieve
ln -s {sandbox}/tmp/small {sandbox}/tmp/smallck
sieve-compile {sandbox}/tmp/smallck/config.json --max-seq-len=40000 --max-batch=1 -o {sandbox}/tmp/small-long.sieve
"""
    result = run(["bash", "-c", setup], env, work)
    if result.returncode != 0:
        sys.exit("fixtures failed:\n" + result.stdout[-4000:])


def help_text(tool, env, cwd, cache):
    if tool not in cache:
        cache[tool] = run([tool, "--help"], env, cwd, timeout=60).stdout
    return cache[tool]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--src", required=True)
    parser.add_argument("--bin", required=True)
    parser.add_argument("--full", action="store_true",
                        help="small-v4 checkpoints and benchmark repetitions as written (slow)")
    parser.add_argument("--keep", action="store_true", help="keep the sandbox")
    parser.add_argument("--only", help="one docs file")
    args = parser.parse_args()
    src = os.path.abspath(args.src)
    sandbox = tempfile.mkdtemp(prefix="sieve-docs-")
    work = os.path.join(sandbox, "work")
    os.makedirs(work)
    env = dict(os.environ)
    env["PATH"] = os.path.abspath(args.bin) + os.pathsep + env.get("PATH", "")
    env["SIEVE_CACHE_DIR"] = os.path.join(sandbox, "cache")
    env["SIEVE_TOKENIZER"] = os.path.join(src, "third_party", "tokenizer", "tokenizer.json")
    if not args.full:
        # Google Benchmark reads its flags' defaults from the environment.
        env["BENCHMARK_MIN_TIME"] = "0.01"
    make_fixtures(sandbox, work, src, env, args.full)

    docs = sorted(os.path.join(src, "docs", name)
                  for name in os.listdir(os.path.join(src, "docs")) if name.endswith(".md"))
    if args.only:
        docs = [d for d in docs if os.path.basename(d) == args.only]
    failures, ran, synopses, skipped = [], 0, 0, []
    helps = {}
    for doc in docs:
        rel = os.path.relpath(doc, src)
        for line, body, skip in blocks_of(doc):
            where = f"{rel}:{line}"
            if skip:
                skipped.append(f"{where}: {skip}")
                continue
            lines = command_lines(body)
            if all(is_synopsis(l) for l in lines):
                synopses += 1
                for l in lines:
                    tool = l.split()[0].split("/")[-1]
                    text = help_text(tool, env, work, helps)
                    for flag in re.findall(r"(?<![\w-])--?[a-z][a-z0-9-]*", l):
                        if not re.search(r"(?<![\w-])" + re.escape(flag) + r"(?![\w-])", text):
                            failures.append(f"{where}: {tool} --help does not mention {flag}")
                continue
            script = "set -eo pipefail\n" + rebase(body, sandbox, src, args.full)
            start = time.time()
            try:
                result = run(["bash", "-c", script], env, work)
                ok, output = result.returncode == 0, result.stdout
            except subprocess.TimeoutExpired as e:
                ok, output = False, f"timed out after {e.timeout} s"
            ran += 1
            status = "ok" if ok else "FAILED"
            print(f"{status:6} {where} ({time.time() - start:.1f} s)", flush=True)
            if not ok:
                failures.append(f"{where}: exit status {getattr(result, 'returncode', '?')}\n"
                                f"--- script ---\n{script}\n--- output (tail) ---\n"
                                f"{output[-3000:]}")
    for s in skipped:
        print(f"skip   {s}")
    print(f"{ran} example blocks run, {synopses} synopses checked against --help, "
          f"{len(skipped)} skipped, {len(failures)} failed")
    if failures:
        print("\n\n".join(failures))
    if args.keep or failures:
        print(f"sandbox kept: {sandbox}")
    else:
        shutil.rmtree(sandbox, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
