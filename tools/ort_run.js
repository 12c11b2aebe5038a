#!/usr/bin/env node
// Runs an ONNX model with ONNX Runtime (CPU, onnxruntime-node) on one raw input; the oracle side of
// tests/export (docs/export.md).
//
// Usage: node tools/ort_run.js MODEL.onnx INPUT.f32 N C H W OUTPUT.f32
//   INPUT.f32   N·C·H·W little-endian float32 values, NCHW, fed to the model's first input
//   OUTPUT.f32  the model's first output as little-endian float32 (float16 outputs are converted)
// Prints one JSON line to stdout: {"input": "lr", "output": "sr", "dims": [N, C, H, W]}. Exit 1 on error.
//
// Several inputs and outputs (a recurrent step):
//   node tools/ort_run.js --multi MODEL.onnx OUT_DIR IN_1.f32 N C H W [IN_2.f32 N C H W ...]
//   feeds IN_k to the model's k-th input, writes every output k as OUT_DIR/output<k>.f32 (float32, as above) and
//   prints {"outputs": [{"name": ..., "dims": [...]}, ...]}.
'use strict';
const fs = require('fs');
const path = require('path');

const { cpuSessionOptions } = require('./ort_options');

function fail(message) {
  process.stderr.write(`ort_run: ${message}\n`);
  process.exit(1);
}

function halfToFloat(h) {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * Math.pow(2, -14) * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * Math.pow(2, exp - 15) * (1 + frac / 1024);
}

function readInput(inputPath, dimsText) {
  const dims = dimsText.map((v) => Number.parseInt(v, 10));
  if (dims.some((v) => !Number.isInteger(v) || v <= 0)) fail(`bad dimensions ${dimsText.join(' ')}`);
  const bytes = fs.readFileSync(inputPath);
  const count = dims.reduce((a, b) => a * b, 1);
  if (bytes.length !== count * 4) fail(`${inputPath}: ${bytes.length} bytes, expected ${count * 4}`);
  const data = new Float32Array(count);
  for (let i = 0; i < count; ++i) data[i] = bytes.readFloatLE(i * 4);
  return { data, dims };
}

function writeOutput(out, name, outputPath) {
  let values = out.data;
  if (out.type === 'float16') {
    values = Float32Array.from(values, (v) => (typeof v === 'number' && Number.isInteger(v) ? halfToFloat(v) : v));
  } else if (out.type !== 'float32') {
    fail(`output ${name} has type ${out.type}`);
  }
  const buffer = Buffer.alloc(values.length * 4);
  for (let i = 0; i < values.length; ++i) buffer.writeFloatLE(values[i], i * 4);
  fs.writeFileSync(outputPath, buffer);
}

function loadOrt() {
  try {
    return require(path.join(__dirname, 'node_modules', 'onnxruntime-node'));
  } catch (e) {
    fail(`onnxruntime-node is not installed (cd tools && ONNXRUNTIME_NODE_INSTALL=skip npm ci): ${e.message}`);
  }
  return null;
}

async function mainMulti(args) {
  if (args.length < 7 || (args.length - 2) % 5 !== 0) {
    fail('usage: ort_run.js --multi MODEL.onnx OUT_DIR IN_1.f32 N C H W [IN_2.f32 N C H W ...]');
  }
  const [modelPath, outDir] = args;
  const ort = loadOrt();
  const session = await ort.InferenceSession.create(modelPath, cpuSessionOptions(1));
  const count = (args.length - 2) / 5;
  if (count !== session.inputNames.length) fail(`the model has ${session.inputNames.length} inputs, given ${count}`);
  const feeds = {};
  for (let k = 0; k < count; ++k) {
    const { data, dims } = readInput(args[2 + 5 * k], args.slice(3 + 5 * k, 7 + 5 * k));
    feeds[session.inputNames[k]] = new ort.Tensor('float32', data, dims);
  }
  const results = await session.run(feeds);
  const outputs = session.outputNames.map((name, k) => {
    writeOutput(results[name], name, path.join(outDir, `output${k}.f32`));
    return { name, dims: results[name].dims };
  });
  process.stdout.write(JSON.stringify({ outputs }) + '\n');
}

async function main() {
  const args = process.argv.slice(2);
  if (args[0] === '--multi') return mainMulti(args.slice(1));
  if (args.length !== 7) fail('usage: ort_run.js MODEL.onnx INPUT.f32 N C H W OUTPUT.f32');
  const [modelPath, inputPath, n, c, h, w, outputPath] = args;
  const { data, dims } = readInput(inputPath, [n, c, h, w]);
  const ort = loadOrt();
  const session = await ort.InferenceSession.create(modelPath, cpuSessionOptions(1));
  const inputName = session.inputNames[0];
  const outputName = session.outputNames[0];
  const results = await session.run({ [inputName]: new ort.Tensor('float32', data, dims) });
  writeOutput(results[outputName], outputName, outputPath);
  process.stdout.write(JSON.stringify({ input: inputName, output: outputName, dims: results[outputName].dims }) + '\n');
}

main().catch((e) => fail(e && e.message ? e.message : String(e)));
