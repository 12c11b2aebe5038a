#!/usr/bin/env node
// ONNX Runtime (CPU, onnxruntime-node) timing server: the ONNX Runtime peer of `litesr bench --peers`
// (src/cli/ort_peer.h, docs/benchmarks.md). Times are measured here, around session.run(), so the pipe
// round trip to LiteSR is not counted.
//
// Usage:
//   node tools/ort_bench.js MODEL.onnx N C H W [--input FILE.f32] [options]                 one input
//   node tools/ort_bench.js MODEL.onnx --input-spec NAME N C H W [FILE.f32] ... [options]   named inputs
//   MODEL.onnx  loaded with graphOptimizationLevel 'all', intraOpNumThreads T (default 1), interOpNumThreads 1,
//               sequential execution, exact int8 products on x86 without VNNI (session.x64quantprecision);
//               intra-op spinning off unless --spin (idle ORT threads then sleep instead
//               of spinning on the cores the next engine runs on, like LibTorch under OMP_WAIT_POLICY=PASSIVE)
//   N C H W     the model's first input's float32 NCHW shape; --input FILE: its N·C·H·W little-endian float32
//               values, otherwise uniform [0, 1) values from --seed (default 1)
//   --input-spec NAME N C H W [FILE.f32]   (repeatable; one per model input, any order) the input called NAME
//               with its own shape; FILE as --input, otherwise uniform [0, 1) values from --seed + its position
//   --recurrent T FRAMES.f32   the recurrent step contract (src/runtime/multi_frame_session.h): one run is a
//               window of T steps. Inputs and outputs go by position (session.inputNames / outputNames): step t
//               feeds input 0 (x_prev) = frame max(t − 1, 0) and input 1 (x_t) = frame t of FRAMES.f32 (T frames
//               of input 1's shape, frame after frame), and input 2 + i = output 1 + i of step t − 1 (zeros of
//               input 2 + i's shape at t = 0). Needs --input-spec for every input (their FILEs are not read).
//   --threads T, --seed S, --spin   as above
// Protocol: one line per message on stdin / stdout.
//   start:      {"ready":true,"onnxruntime":"1.22.0","input":"lr","output":"sr","dims":[N,C,H,W],
//                "inputs":[{"name":"lr","dims":[N,C,H,W]},...],"outputs":["sr",...],"threads":T,"recurrent":T|0}
//               ("input", "output", "dims": the first input / output)
//   "run K\n":  K runs (recurrent: K windows) -> {"ms":[t1..tK],"cpu_ms":[c1..cK]}  (wall ms per run or window;
//               process CPU ms per run, all threads, from process.cpuUsage)
//   "dump STEPS FILE\n": one untimed run (recurrent: one window); writes output 0 of the steps STEPS (comma-
//               separated, e.g. "0,9", or "all"; a plain run is step 0) to FILE (the rest of the line) as
//               little-endian float32, step after step -> {"dumped":FILE,"dims":[N,C',H',W'],"steps":[...]}
//               (dims: output 0 of one step)
//   "quit\n" or end of input: exit 0.
// Errors: {"error":"message"} on stdout (startup errors then exit 1; a failed command keeps serving).
'use strict';
const fs = require('fs');
const path = require('path');
const readline = require('readline');

const { cpuSessionOptions } = require('./ort_options');

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

// `count` little-endian float32 values of `file` (its size must be exactly count·4 bytes).
function readFloats(file, count) {
  const bytes = fs.readFileSync(file);
  if (bytes.length !== count * 4) throw new Error(`${file}: ${bytes.length} bytes, expected ${count * 4}`);
  const data = new Float32Array(count);
  for (let i = 0; i < count; ++i) data[i] = bytes.readFloatLE(i * 4);
  return data;
}

function parseDims(words, what) {
  const dims = words.map((v) => Number.parseInt(v, 10));
  if (dims.length !== 4 || dims.some((v) => !Number.isInteger(v) || v <= 0)) {
    fail(`bad dimensions for ${what}: ${words.join(' ')}`);
  }
  return dims;
}

function parseArgs(argv) {
  const positional = [];
  const opts = { threads: 1, input: '', seed: 1, spin: false, specs: [], recurrent: 0, frames: '' };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    if (a === '--threads') opts.threads = Number.parseInt(argv[++i], 10);
    else if (a === '--input') opts.input = argv[++i];
    else if (a === '--seed') opts.seed = Number.parseInt(argv[++i], 10);
    else if (a === '--spin') opts.spin = true;
    else if (a === '--input-spec') {
      if (i + 5 >= argv.length) fail('--input-spec takes NAME N C H W [FILE.f32]');
      const spec = { name: argv[i + 1], dims: parseDims(argv.slice(i + 2, i + 6), argv[i + 1]), file: '' };
      i += 5;
      if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) spec.file = argv[++i];
      opts.specs.push(spec);
    } else if (a === '--recurrent') {
      opts.recurrent = Number.parseInt(argv[++i], 10);
      opts.frames = argv[++i] || '';
      if (!Number.isInteger(opts.recurrent) || opts.recurrent < 1 || !opts.frames) {
        fail('--recurrent takes T (>= 1) and FRAMES.f32');
      }
    } else positional.push(a);
  }
  const usage = 'usage: ort_bench.js MODEL.onnx (N C H W [--input FILE.f32] | --input-spec NAME N C H W [FILE]...) ' +
    '[--recurrent T FRAMES.f32] [--threads T] [--seed S] [--spin]';
  if (opts.specs.length === 0) {
    if (positional.length !== 5) fail(usage);
    opts.dims = parseDims(positional.slice(1), 'the input');
  } else if (positional.length !== 1 || opts.input) {
    fail(`${usage} (N C H W and --input go without --input-spec)`);
  }
  if (opts.recurrent && opts.specs.length === 0) fail('--recurrent needs an --input-spec for every input');
  if (!Number.isInteger(opts.threads) || opts.threads < 1) fail('--threads must be a positive integer');
  return { model: positional[0], ...opts };
}

const numel = (dims) => dims.reduce((a, b) => a * b, 1);

// The feeds of every input, by position in session.inputNames: [{name, dims, data}].
function makeInputs(args, session) {
  if (args.specs.length === 0) {
    const n = numel(args.dims);
    return [{ name: session.inputNames[0], dims: args.dims,
              data: args.input ? readFloats(args.input, n) : randomFloats(n, args.seed) }];
  }
  for (const s of args.specs) {
    if (!session.inputNames.includes(s.name)) {
      throw new Error(`--input-spec ${s.name}: the model's inputs are ${session.inputNames.join(', ')}`);
    }
  }
  return session.inputNames.map((name, k) => {
    const s = args.specs.find((x) => x.name === name);
    if (!s) throw new Error(`no --input-spec for the model's input '${name}'`);
    const n = numel(s.dims);
    let data;
    if (args.recurrent) data = new Float32Array(n);  // states: zeros at t = 0; frames: from FRAMES.f32
    else data = s.file ? readFloats(s.file, n) : randomFloats(n, args.seed + k);
    return { name, dims: s.dims, data };
  });
}

// One plain run or one recurrent window; calls onStep(t, results) after every step.
async function runOnce(ort, session, args, inputs, frames, onStep) {
  if (!args.recurrent) {
    const feeds = {};
    for (const x of inputs) feeds[x.name] = x.tensor;
    const results = await session.run(feeds);
    if (onStep) onStep(0, results);
    return;
  }
  const names = session.inputNames;
  const outs = session.outputNames;
  const feeds = {};
  for (let k = 2; k < inputs.length; ++k) feeds[names[k]] = inputs[k].tensor;  // zeros
  for (let t = 0; t < args.recurrent; ++t) {
    feeds[names[0]] = frames[Math.max(t - 1, 0)];
    feeds[names[1]] = frames[t];
    const results = await session.run(feeds);
    for (let k = 2; k < names.length; ++k) feeds[names[k]] = results[outs[k - 1]];
    if (onStep) onStep(t, results);
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  let ort;
  try {
    ort = require(path.join(__dirname, 'node_modules', 'onnxruntime-node'));
  } catch (e) {
    fail(`onnxruntime-node is not installed (cd tools && npm ci): ${e.message}`);
  }
  const options = {
    // exact int8 products on x86 without VNNI (tools/ort_options.js), as in the export tests
    ...cpuSessionOptions(args.threads, { intra_op: { allow_spinning: args.spin ? '1' : '0' } }),
    interOpNumThreads: 1,
    executionMode: 'sequential',
  };
  let session;
  try {
    session = await ort.InferenceSession.create(args.model, options);
  } catch (e) {
    fail(`cannot load ${args.model}: ${e && e.message ? e.message : e}`);
  }
  let inputs;
  let frames = [];
  try {
    inputs = makeInputs(args, session);
    for (const x of inputs) x.tensor = new ort.Tensor('float32', x.data, x.dims);
    if (args.recurrent) {
      if (inputs.length < 2 || session.outputNames.length !== inputs.length - 1) {
        throw new Error(`--recurrent needs inputs (x_prev, x_t, states...) and outputs (frame, states...): the ` +
                        `model has ${inputs.length} inputs and ${session.outputNames.length} outputs`);
      }
      const dims = inputs[1].dims;
      const n = numel(dims);
      const all = readFloats(args.frames, n * args.recurrent);
      for (let t = 0; t < args.recurrent; ++t) {
        frames.push(new ort.Tensor('float32', all.slice(t * n, (t + 1) * n), dims));
      }
    }
  } catch (e) {
    fail(e && e.message ? e.message : String(e));
  }
  const version = (ort.env && ort.env.versions && ort.env.versions.node) || 'unknown';
  reply({ ready: true, onnxruntime: version, input: inputs[0].name, output: session.outputNames[0],
          dims: inputs[0].dims, inputs: inputs.map((x) => ({ name: x.name, dims: x.dims })),
          outputs: session.outputNames, threads: args.threads, recurrent: args.recurrent });

  const rl = readline.createInterface({ input: process.stdin, terminal: false });
  for await (const line of rl) {
    const words = line.trim().split(/\s+/);
    if (words[0] === 'quit') break;
    if (words[0] === 'dump') {
      const m = /^\s*dump\s+(\S+)\s+(.*\S)\s*$/.exec(line);
      if (!m) {
        reply({ error: 'dump takes STEPS FILE (STEPS: all or t1,t2,...)' });
        continue;
      }
      const steps = args.recurrent ? args.recurrent : 1;
      const wanted = m[1] === 'all' ? [...Array(steps).keys()] : m[1].split(',').map((v) => Number(v));
      if (wanted.some((v) => !Number.isInteger(v) || v < 0 || v >= steps)) {
        reply({ error: `dump: steps must be in 0..${steps - 1}` });
        continue;
      }
      const file = m[2];
      try {
        const kept = new Map();
        let dims = [];
        await runOnce(ort, session, args, inputs, frames, (t, results) => {
          const out = results[session.outputNames[0]];
          dims = out.dims;
          if (wanted.includes(t)) kept.set(t, Buffer.from(Float32Array.from(out.data).buffer));
        });
        fs.writeFileSync(file, Buffer.concat(wanted.map((t) => kept.get(t))));
        reply({ dumped: file, dims, steps: wanted });
      } catch (e) {
        reply({ error: e && e.message ? e.message : String(e) });
      }
      continue;
    }
    if (words[0] !== 'run') {
      reply({ error: `unknown command '${line.trim()}' (run K | dump STEPS FILE | quit)` });
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
        await runOnce(ort, session, args, inputs, frames, null);
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
