// Structured pruning on real graphs, in onnxruntime-node: the demo LM (GPT-2: c_fc → gelu_new →
// c_proj) and the tiny Llama fixture (SwiGLU: gate, up → silu·mul → down). The rewritten graph runs,
// has the expected parameter count and smaller weights, and its logits equal those of a reference
// made here independently: the float model with the removed neurons' up columns, up bias entries
// and down rows set to zero (the same function: a neuron whose down row is 0 adds nothing).
// The neurons removed are checked against norms computed here in f64.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Job } from '../jobs';
import type { LoadedModel } from '../model/load';
import { parseModel, readF32, writeVariant } from '../model/onnx-graph';
import { loadDemoLm, loadFolder, logitsOfBytes as logits, pplOfBytes } from '../../tests/local-models';
import { findMlps, planStructured } from './structured';
import { makeVariant } from './make-variant';

const haveDemo = existsSync('public/models/brown-gpt2/onnx/model.onnx');
const LLAMA = 'e2e/fixtures/tiny-llama';
const haveLlama = existsSync(join(LLAMA, 'onnx/model.onnx'));


/**
 * The float model with the removed neurons zeroed, written with the test's own loops: for a weight
 * stored (rows, cols), column j of an (in, out) up weight, row j of an (in, out) down weight (the
 * axes swap for Gemm transB), entry j of every N-long constant initializer in between.
 */
function zeroedReference(model: LoadedModel, removed: Map<string, { axis: 'out' | 'in'; neurons: number[] }>, biases: Map<string, number[]>): Uint8Array {
  const replace = new Map<string, Float32Array>();
  for (const w of model.linear) {
    const r = removed.get(w.name);
    if (!r) continue;
    const v = readF32(model.parsed.tensors.get(w.name)!).slice();
    const [rows, cols] = w.shape;
    const alongCols = (w.layout === 'in_out') === (r.axis === 'out');
    for (const j of r.neurons) {
      if (alongCols) for (let i = 0; i < rows; i++) v[i * cols + j] = 0;
      else v.fill(0, j * cols, (j + 1) * cols);
    }
    replace.set(w.name, v);
  }
  for (const [name, neurons] of biases) {
    const v = readF32(model.parsed.tensors.get(name)!).slice();
    for (const j of neurons) v[j] = 0;
    replace.set(name, v);
  }
  return writeVariant(model.parsed, replace);
}

/** f64 squared norms of each neuron's weights: up column(s) + bias entries + down row. */
function f64Scores(model: LoadedModel, ups: string[], bias: string[], down: string, n: number): number[] {
  const s = new Array<number>(n).fill(0);
  const add = (name: string, axis: 'out' | 'in') => {
    const w = model.linear.find((x) => x.name === name)!;
    const v = readF32(model.parsed.tensors.get(name)!);
    const [rows, cols] = w.shape;
    const alongCols = (w.layout === 'in_out') === (axis === 'out');
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) s[alongCols ? c : r] += v[r * cols + c] ** 2;
  };
  for (const u of ups) add(u, 'out');
  for (const b of bias) readF32(model.parsed.tensors.get(b)!).forEach((x, j) => (s[j] += x * x));
  add(down, 'in');
  return s;
}

async function checkAgainstZeroed(model: LoadedModel, ratio: number, ids: Int32Array) {
  const plan = await planStructured(model.parsed, model.linear, { ratio }, 'cpu');
  const removed = new Map<string, { axis: 'out' | 'in'; neurons: number[] }>();
  const biases = new Map<string, number[]>();
  let removedParams = 0;
  plan.search.mlps.forEach((mlp, k) => {
    const neurons = [...plan.keep[k].keys()].filter((j) => !plan.keep[k][j]);
    expect(neurons.length).toBe(Math.round(ratio * mlp.n));
    // the removed neurons are the lowest by the f64 norm (up to f32 rounding near ties)
    const biasInits = mlp.biases.filter((b) => b.node === undefined).map((b) => b.name);
    const s = f64Scores(model, mlp.ups.map((u) => u.name), biasInits, mlp.down.name, mlp.n);
    const kept = [...plan.keep[k].keys()].filter((j) => plan.keep[k][j]);
    expect(Math.max(...neurons.map((j) => s[j]))).toBeLessThanOrEqual(Math.min(...kept.map((j) => s[j])) * (1 + 1e-5));
    for (const u of mlp.ups) removed.set(u.name, { axis: 'out', neurons });
    removed.set(mlp.down.name, { axis: 'in', neurons });
    for (const b of biasInits) biases.set(b, neurons);
    const perNeuron = mlp.ups.reduce((a, u) => a + u.params / mlp.n, 0) + mlp.down.params / mlp.n + biasInits.length;
    removedParams += perNeuron * neurons.length;
  });
  const v = await makeVariant(model, { method: 'structured-prune', options: { ratio } }, 'cpu', new Job(`structured-${ratio}`), { simulated: true });
  // the rewritten graph: smaller weights, the expected parameter count, measured from its bytes
  const written = parseModel(v.packedBytes);
  let params = 0;
  for (const t of written.tensors.values()) params += t.params;
  expect(params).toBe(model.summary.totalParams - removedParams);
  expect(v.summary.totalParams).toBe(params);
  expect(v.summary.packedBytes).toBe(v.packedBytes.length);
  expect(v.packedBytes.length).toBeLessThan(model.baselineBytes.length - removedParams * 4 * 0.99);
  for (const mlp of plan.search.mlps) {
    const kept = mlp.n - Math.round(ratio * mlp.n);
    for (const u of mlp.ups) expect(written.tensors.get(u.name)!.dims).toContain(kept);
    expect(written.tensors.get(mlp.down.name)!.dims).toContain(kept);
    expect(written.tensors.get(mlp.down.name)!.params).toBe(mlp.down.params * (kept / mlp.n));
  }
  // bits per base weight: 32 × kept share in the MLPs, 32 elsewhere
  const mlpParams = plan.search.mlps.reduce((a, m) => a + m.down.params + m.ups.reduce((b, u) => b + u.params, 0), 0);
  expect(v.summary.bitsPerWeight).toBeCloseTo(32 - (32 * ratio * mlpParams) / model.summary.linearParams, 3);
  const got = await logits(v.packedBytes, ids);
  const want = await logits(zeroedReference(model, removed, biases), ids);
  const twin = await logits(v.simulatedBytes!, ids);
  let maxDiff = 0;
  let maxAbs = 0;
  for (let i = 0; i < want.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]), Math.abs(twin[i] - want[i]));
    maxAbs = Math.max(maxAbs, Math.abs(want[i]));
  }
  const base = await logits(model.baselineBytes, ids);
  let baseDiff = 0;
  for (let i = 0; i < want.length; i++) baseDiff = Math.max(baseDiff, Math.abs(base[i] - want[i]));
  return { v, maxDiff, maxAbs, baseDiff, plan };
}

describe.skipIf(!haveDemo)('structured pruning on the demo LM (GPT-2 MLPs)', () => {
  const model = haveDemo ? loadDemoLm() : undefined!;
  const ids = haveDemo ? model.datasetIds.subarray(0, 128) : new Int32Array();

  it('finds every block\'s MLP: c_fc (+ its bias) → gelu_new → c_proj', () => {
    const { mlps, skipped } = findMlps(model.parsed, model.linear);
    expect(skipped).toEqual([]);
    expect(mlps.map((m) => m.label)).toEqual(['block 0', 'block 1', 'block 2', 'block 3']);
    for (const m of mlps) {
      expect(m.n).toBe(1024);
      expect(m.ups.map((u) => u.name)).toEqual([m.down.name.replace('c_proj', 'c_fc')]);
      expect(m.down.name).toMatch(/^transformer\.h\.\d\.mlp\.c_proj\.weight$|c_proj/);
      expect(m.biases.map((b) => b.name)).toEqual([m.ups[0].name.replace('weight', 'bias')]);
    }
  });

  it.each([0.25, 0.5])('%s of the neurons: the rewritten graph runs, is smaller, and equals the zeroed model', async (ratio) => {
    const { v, maxDiff, maxAbs, baseDiff } = await checkAgainstZeroed(model, ratio, ids);
    const ppl = await pplOfBytes(model, v.packedBytes, { tokens: 1024, context: 256, stride: 256 });
    const basePpl = await pplOfBytes(model, model.baselineBytes, { tokens: 1024, context: 256, stride: 256 });
    console.log(`structured ${ratio * 100} %: params ${v.summary.totalParams} of ${model.summary.totalParams}, ${v.summary.packedBytes} bytes (base ${model.baselineBytes.length}), ${v.summary.bitsPerWeight.toFixed(2)} bits/weight, ppl ${ppl.toFixed(3)} (base ${basePpl.toFixed(3)}, 1,024 tokens, onnxruntime-node); max |Δlogit| vs zeroed ${maxDiff.toExponential(2)} (logits up to ${maxAbs.toFixed(1)}, vs base ${baseDiff.toFixed(2)})`);
    expect(v.summary.label).toBe(`structured ${ratio * 100} % MLP neurons`);
    expect(v.summary.storage).toBe('packed');
    expect(v.summary.format).toBe(`f32, graph rewritten: MLP neurons kept ${1024 * (1 - ratio)}/1024 in each of 4 MLPs`);
    expect(maxDiff).toBeLessThan(1e-4 * Math.max(1, maxAbs));
    // and the pruning did change the model
    expect(baseDiff).toBeGreaterThan(1e-2);
    expect(ppl).toBeGreaterThan(basePpl);
  });
});

describe.skipIf(!haveLlama)('structured pruning on the tiny Llama (SwiGLU)', () => {
  it('gate and up are both sliced; the graph runs and equals the zeroed model', async () => {
    const model = loadFolder(LLAMA);
    const { mlps } = findMlps(model.parsed, model.linear);
    expect(mlps.length).toBeGreaterThan(0);
    for (const m of mlps) {
      expect(m.ups.length).toBe(2);
      expect(m.biases).toEqual([]);
    }
    const ids = model.datasetIds.subarray(0, 32);
    const { maxDiff, maxAbs, baseDiff } = await checkAgainstZeroed(model, 0.5, ids);
    expect(maxDiff).toBeLessThan(1e-4 * Math.max(1, maxAbs));
    expect(baseDiff).toBeGreaterThan(0);
  });
});
