#!/bin/sh
# The examples as a user builds them: libsieve installed into a prefix
# (cmake --install, component runtime), examples/embed-c configured against
# it with find_package(Sieve) and, separately, compiled with pkg-config; both
# chat with tiny-v4 (random weights, a byte-level tokenizer that fits its
# vocabulary), and the first reply must be sieve-run's for the same turn.
#   embed_examples.sh BUILD_DIR SOURCE_DIR WORK_DIR
set -eu
build=$1 source=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
bin=$build/bin
tokenizer=$source/test/tools/Inputs/byte-chat-tokenizer.json

"$bin/sieve-gen" "$source/examples/tiny-v4/config.json" --seed 3 -o "$work/ckpt" > /dev/null
"$bin/sieve-compile" "$work/ckpt/config.json" -o "$work/tiny.sieve"
cmake --install "$build" --prefix "$work/prefix" --component runtime > /dev/null

cmake -S "$source/examples/embed-c" -B "$work/embed-c" -G Ninja \
  -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build "$work/embed-c" > /dev/null
PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig" \
  sh -c 'cc -std=c11 -Wall -Werror $(pkg-config --cflags sieve) "$0" -o "$1" \
         $(pkg-config --libs sieve) -Wl,-rpath,"$2"' \
  "$source/examples/embed-c/main.c" "$work/embed-pc" "$work/prefix/lib"

"$work/embed-c/embed-c" "$work/tiny.sieve" "$work/ckpt" "$tokenizer" hi "and then?" \
  > "$work/cmake.out" 2> "$work/cmake.err"
"$work/embed-pc" "$work/tiny.sieve" "$work/ckpt" "$tokenizer" hi "and then?" \
  > "$work/pc.out" 2> /dev/null
cmp "$work/cmake.out" "$work/pc.out"
grep -q "^embed-c: cpu" "$work/cmake.err"
# Two turns: "> hi", reply, "> and then?", reply.
test "$(grep -c '^> ' "$work/cmake.out")" -eq 2
grep -q '^> and then?$' "$work/cmake.out"

# The first reply against sieve-run's, whose raw bytes are decoded the way
# the C API delivers text (ill-formed parts as U+FFFD, an incomplete last
# character held back, no text for ids the tokenizer lacks: sieve-run
# writes those as <unk:ID>).
"$bin/sieve-run" "$work/tiny.sieve" --weights "$work/ckpt" --tokenizer "$tokenizer" \
  --prompt hi --chat --temperature 0 --max-new-tokens 32 > "$work/run.raw" 2> /dev/null
python3 - "$work/run.raw" "$work/cmake.out" <<'PY'
import codecs, re, sys
raw = re.sub(rb'<unk:[0-9]+>', b'', open(sys.argv[1], 'rb').read())
want = codecs.getincrementaldecoder('utf-8')('replace').decode(raw[:-1], final=False) + '\n'
got = open(sys.argv[2], 'rb').read().decode('utf-8')
first = got.split('> and then?\n')[0]
assert first.startswith('> hi\n'), first
if first[len('> hi\n'):] != want:
    sys.exit('embed-c replied %r, sieve-run %r' % (first[len('> hi\n'):], want))
PY
echo "embed-c: two turns, the first reply equal to sieve-run's"

# embed-cpp: three prompts on one thread and on two, the same tokens, each
# prompt's the ones sieve-run samples with that seed.
cmake -S "$source/examples/embed-cpp" -B "$work/embed-cpp" -G Ninja \
  -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build "$work/embed-cpp" > /dev/null
set -- 0,15,7,99,3 0,42,8 0,5,6,7,8,9,10
"$work/embed-cpp/embed-cpp" "$work/tiny.sieve" "$work/ckpt" 1 "$@" > "$work/one.out"
"$work/embed-cpp/embed-cpp" "$work/tiny.sieve" "$work/ckpt" 2 "$@" > "$work/two.out"
cmp "$work/one.out" "$work/two.out"
i=0
for prompt in "$@"; do
  want=$("$bin/sieve-run" "$work/tiny.sieve" --weights "$work/ckpt" --tokens "$prompt" \
    --temperature 0.8 --min-p 0.05 --repeat-penalty 1.3 --repeat-last-n 16 --seed $i \
    --max-new-tokens 16 --ignore-eos 2> /dev/null)
  got=$(sed -n "s/^prompt $i: //p" "$work/one.out")
  test "$got" = "$want" || { echo "prompt $i: embed-cpp '$got', sieve-run '$want'"; exit 1; }
  i=$((i + 1))
done
echo "embed-cpp: 3 prompts, 1 and 2 threads, equal to sieve-run's"
