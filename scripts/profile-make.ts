/**
 * Where the time of an INT4 g32 packed make goes on the 124 M shape, step by step, in Node on the
 * CPU (TS) path (a diagnostic): copy, kernel (grid + quantize, and the stats' sums taken in its loop:
 * shared/affine.ts), checks_and_rest (validating the input, the stats from the sums), packing,
 * writing the model. Each step timed with performance.now around it, summed over the weights
 * (every linear weight, the LM head included). The WebGPU path's parts come from the bench
 * (`compression.int4-group.make_parts_ms`: the browser's make).
 *   npx tsx scripts/profile-make.ts [model folder]
 */
import './node-wgsl';
import path from 'node:path';
const { loadFolder, ROOT } = await import('../tests/local-models');
const { readF32 } = await import('../workers/model/onnx-graph');
const { compressTensor } = await import('../workers/compression/registry');
const { packedFormOf } = await import('../workers/formats/form-of');
const { writePackedModel } = await import('../workers/formats/packed-model');
type PackedForm = import('../workers/formats/packed-model').PackedForm;

const dir = process.argv[2] ?? path.join(ROOT, '.cache', 'models', 'random-gpt2-small');
let t = performance.now();
const model = loadFolder(dir);
console.log(`load ${(performance.now() - t).toFixed(0)} ms; ${model.linear.length} weights, ${(model.summary.linearParams / 1e6).toFixed(1)} M`);
const sum: Record<string, number> = { copy: 0, kernel: 0, checks_and_rest: 0, pack: 0, write: 0 };
const forms = new Map<string, PackedForm>();
const scratch = new Float32Array(Math.max(...model.linear.map((w) => w.params)));
const total0 = performance.now();
for (const w of model.linear) {
  t = performance.now();
  const data = scratch.subarray(0, w.params);
  data.set(readF32(model.parsed.tensors.get(w.name)!));
  sum.copy += performance.now() - t;
  t = performance.now();
  const r = await compressTensor('int4-group', { groupSize: 32 }, { name: w.name, data, shape: w.shape, layout: w.layout }, 'cpu');
  const all = performance.now() - t;
  sum.kernel += r.kernelMs;
  sum.checks_and_rest += all - r.kernelMs;
  t = performance.now();
  forms.set(w.name, packedFormOf('int4-group', r.options, r, w));
  sum.pack += performance.now() - t;
}
t = performance.now();
const bytes = writePackedModel(model.parsed, model.linear, forms);
sum.write = performance.now() - t;
const total = performance.now() - total0;
console.log(Object.entries(sum).map(([k, v]) => `${k} ${v.toFixed(0)} ms`).join(', '), `; total ${total.toFixed(0)} ms, make/copy ${(total / sum.copy).toFixed(1)}×, ${bytes.length} bytes`);
