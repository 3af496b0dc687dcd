#!/usr/bin/env python3
"""Interrupts sieve-gen mid-write and checks what it leaves behind.

usage: interrupt-sieve-gen.py SIGNAL CONFIG OUTDIR

Starts `sieve-gen CONFIG --seed 1 -o OUTDIR`, waits until the shard's
temporary file has data in it, sends SIGNAL (INT or TERM), and checks that
the process ended by that signal with no .tmp file and no config.json left.
"""
import os
import signal
import subprocess
import sys
import time

sig = getattr(signal, "SIG" + sys.argv[1])
config, out = sys.argv[2], sys.argv[3]
# A test runner may start us with SIGINT ignored (as a shell does for a
# background job), and ignored dispositions are inherited: give sieve-gen a
# terminal's defaults.
def default_signals():
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


proc = subprocess.Popen(["sieve-gen", config, "--seed", "1", "-o", out],
                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                        preexec_fn=default_signals)
deadline = time.time() + 300
tmp = os.path.join(out, "model.safetensors.tmp")
while not (os.path.exists(tmp) and os.path.getsize(tmp) > 0):
    if proc.poll() is not None:
        sys.exit("sieve-gen ended before it was interrupted: %s" % proc.stderr.read())
    if time.time() > deadline:
        proc.kill()
        sys.exit("no temporary shard appeared in 300 s")
    time.sleep(0.05)
proc.send_signal(sig)
proc.wait(timeout=60)
left = sorted(os.listdir(out))
if proc.returncode != -sig:
    sys.exit("exit status %d, expected death by signal %d" % (proc.returncode, sig))
if left:
    sys.exit("left behind: %s" % left)
print("ok: ended by %s, nothing left in %s" % (sys.argv[1], out))
