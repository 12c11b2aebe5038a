#!/usr/bin/env node
// ONNX Runtime (CPU, onnxruntime-node) timing server: the ONNX Runtime peer of `litesr bench --peers`
// (src/cli/ort_peer.h, docs/benchmarks.md). Times are measured here, around session.run(), so the pipe
// round trip to LiteSR is not counted.
//
// Usage: node tools/ort_bench.js MODEL.onnx N C H W [--threads T] [--input FILE.f32] [--seed S] [--spin]
//   MODEL.onnx  loaded with graphOptimizationLevel 'all', intraOpNumThreads T (default 1), interOpNumThreads 1,
//               sequential execution; intra-op spinning off unless --spin (idle ORT threads then sleep instead
//               of spinning on the cores the next engine runs on, like LibTorch under OMP_WAIT_POLICY=PASSIVE)
//   N C H W     the first input's float32 NCHW shape
//   --input     N·C·H·W little-endian float32 values; otherwise uniform [0, 1) values from --seed (default 1)
// Protocol: one line per message on stdin / stdout.
//   start:      {"ready":true,"onnxruntime":"1.22.0","input":"lr","output":"sr","dims":[N,C,H,W],"threads":T}
//   "run K\n":  K inferences -> {"ms":[t1..tK],"cpu_ms":[c1..cK]}  (wall ms per run; process CPU ms per run,
//               all threads, from process.cpuUsage)
//   "quit\n" or end of input: exit 0.
// Errors: {"error":"message"} on stdout (startup errors then exit 1; a failed run keeps serving).
'use strict';
const fs = require('fs');
const path = require('path');
const readline = require('readline');

function reply(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

function fail(message) {
  reply({ error: message });
  process.exit(1);
}

// Deterministic uniform [0, 1) floats (mulberry32).
function randomFloats(count, seed) {
  const data = new Float32Array(count);
  let a = seed >>> 0;
  for (let i = 0; i < count; ++i) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    data[i] = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  return data;
}

function parseArgs(argv) {
  const positional = [];
  const opts = { threads: 1, input: '', seed: 1, spin: false };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    if (a === '--threads') opts.threads = Number.parseInt(argv[++i], 10);
    else if (a === '--input') opts.input = argv[++i];
    else if (a === '--seed') opts.seed = Number.parseInt(argv[++i], 10);
    else if (a === '--spin') opts.spin = true;
    else positional.push(a);
  }
  if (positional.length !== 5) fail('usage: ort_bench.js MODEL.onnx N C H W [--threads T] [--input FILE.f32]');
  const dims = positional.slice(1).map((v) => Number.parseInt(v, 10));
  if (dims.some((v) => !Number.isInteger(v) || v <= 0)) fail(`bad dimensions ${positional.slice(1).join(' ')}`);
  if (!Number.isInteger(opts.threads) || opts.threads < 1) fail('--threads must be a positive integer');
  return { model: positional[0], dims, ...opts };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  let ort;
  try {
    ort = require(path.join(__dirname, 'node_modules', 'onnxruntime-node'));
  } catch (e) {
    fail(`onnxruntime-node is not installed (cd tools && npm ci): ${e.message}`);
  }
  const count = args.dims.reduce((a, b) => a * b, 1);
  let data;
  if (args.input) {
    const bytes = fs.readFileSync(args.input);
    if (bytes.length !== count * 4) fail(`${args.input}: ${bytes.length} bytes, expected ${count * 4}`);
    data = new Float32Array(count);
    for (let i = 0; i < count; ++i) data[i] = bytes.readFloatLE(i * 4);
  } else {
    data = randomFloats(count, args.seed);
  }
  const options = {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: args.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    extra: { session: { intra_op: { allow_spinning: args.spin ? '1' : '0' } } },
  };
  let session;
  try {
    session = await ort.InferenceSession.create(args.model, options);
  } catch (e) {
    fail(`cannot load ${args.model}: ${e && e.message ? e.message : e}`);
  }
  const inputName = session.inputNames[0];
  const feeds = { [inputName]: new ort.Tensor('float32', data, args.dims) };
  const version = (ort.env && ort.env.versions && ort.env.versions.node) || 'unknown';
  reply({ ready: true, onnxruntime: version, input: inputName, output: session.outputNames[0], dims: args.dims,
          threads: args.threads });

  const rl = readline.createInterface({ input: process.stdin, terminal: false });
  for await (const line of rl) {
    const words = line.trim().split(/\s+/);
    if (words[0] === 'quit') break;
    if (words[0] !== 'run') {
      reply({ error: `unknown command '${line.trim()}' (run K | quit)` });
      continue;
    }
    const k = words.length > 1 ? Number.parseInt(words[1], 10) : 1;
    if (!Number.isInteger(k) || k < 1) {
      reply({ error: `bad run count '${words[1]}'` });
      continue;
    }
    const ms = [];
    const cpuMs = [];
    try {
      for (let i = 0; i < k; ++i) {
        const c0 = process.cpuUsage();
        const t0 = process.hrtime.bigint();
        await session.run(feeds);
        const t1 = process.hrtime.bigint();
        const c1 = process.cpuUsage(c0);
        ms.push(Number(t1 - t0) / 1e6);
        cpuMs.push((c1.user + c1.system) / 1e3);
      }
      reply({ ms, cpu_ms: cpuMs });
    } catch (e) {
      reply({ error: e && e.message ? e.message : String(e) });
    }
  }
  rl.close();
  process.exit(0);
}

main().catch((e) => fail(e && e.message ? e.message : String(e)));
