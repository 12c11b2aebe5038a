// ONNX Runtime (CPU) session options shared by tools/ort_run.js (the export tests) and tools/ort_bench.js (the
// peer of `litesr bench --peers`), so that both run a model the same way.
'use strict';

// Every graph optimisation, `threads` intra-op threads, and ONNX Runtime's exact int8 products on x86 without
// VNNI (session.x64quantprecision: U8U8 instead of U8S8 kernels, whose vpmaddubsw int16 sums saturate there;
// without it an INT8 QDQ model is off the model's integers by up to 54 steps on an AVX2-only CPU; ORT ignores it on
// VNNI CPUs). `session` adds further session.* config entries (e.g. { intra_op: { allow_spinning: '0' } }).
function cpuSessionOptions(threads, session = {}) {
  return {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: threads,
    extra: { session: { ...session, x64quantprecision: '1' } },
  };
}

module.exports = { cpuSessionOptions };
