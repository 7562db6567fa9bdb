// SparseGPT's TS reference: with H = I it is Wanda with unit norms (nothing to carry); a hand-worked
// OBS update of one pruned weight; a lower layer output error than Wanda and magnitude on correlated
// inputs (across a mask block boundary); exact counts per row and per N:M run; determinism.
// Its WGSL equals this reference bit for bit in real Chromium WebGPU: e2e/sparsegpt.spec.ts.
import { describe, expect, it } from 'vitest';
import { GPTQ_DAMP } from '../gptq/meta';
import { compressTensor } from '../registry';
import { correlatedLayer, lcg } from '../shared/correlated-layer';
import type { WeightTensor } from '../types';
import { wandaMeta } from '../wanda/meta';
import { wandaReference } from '../wanda/reference';
import { sparseGptMeta } from './meta';
import { sparseGptReference } from './reference';

const identity = (k: number) => Float32Array.from({ length: k * k }, (_, e) => (e % (k + 1) === 0 ? 1 : 0));
const opts = sparseGptMeta.resolveOptions;

function weight(out: number, k: number, layout: 'out_in' | 'in_out', seed: number, hessian: Float32Array): WeightTensor {
  const r = lcg(seed);
  const shape: [number, number] = layout === 'out_in' ? [out, k] : [k, out];
  return { name: 'w', data: Float32Array.from({ length: out * k }, r), shape, layout, calibration: { input: 'x', rows: 1, cols: k, hessian } };
}

describe('sparsegpt reference', () => {
  it.each([
    ['out_in', 'unstructured'],
    ['in_out', 'unstructured'],
    ['out_in', '2:4'],
    ['in_out', '4:8'],
  ] as const)('equals Wanda with unit norms when H = I (%s, %s, K = 70)', (layout, pattern) => {
    const t = weight(9, 70, layout, 3, identity(70));
    const s = sparseGptReference(t, opts({ pattern }));
    const w = wandaReference({ ...t, calibration: { input: 'x', rows: 1, cols: 70, colSqNorms: new Float32Array(70).fill(1) } }, wandaMeta.resolveOptions({ pattern }));
    expect(Array.from(s.mask!)).toEqual(Array.from(w.mask!));
    expect(Array.from(s.dequantized)).toEqual(Array.from(w.dequantized));
  });

  it('moves the kept weight by the OBS update of the pruned one (hand-worked)', () => {
    // one row [0.1, 1], H = [[1, 0.5], [0.5, 1]] + 1 % of its mean diagonal · I = [[1.01, 0.5], [0.5, 1.01]].
    // Column 0 has the lowest w²/[H⁻¹]₀₀ and goes; δ = w − ŵ with δ₀ = 0.1 minimises δᵀHδ at
    // δ₁ = −H₀₁·δ₀ / H₁₁, so ŵ₁ = 1 + 0.5 · 0.1 / 1.01 = 1.0495049…
    const h = new Float32Array([1, 0.5, 0.5, 1]);
    const t: WeightTensor = { name: 'w', data: new Float32Array([0.1, 1]), shape: [1, 2], layout: 'out_in', calibration: { input: 'x', rows: 1, cols: 2, hessian: h } };
    const r = sparseGptReference(t, opts({ ratio: 0.5 }));
    expect(GPTQ_DAMP).toBe(0.01);
    expect(Array.from(r.mask!)).toEqual([0, 1]);
    expect(r.dequantized[0]).toBe(0);
    expect(r.dequantized[1]).toBeCloseTo(1 + (0.5 * 0.1) / 1.01, 6);
    // loss = δ₀² / [H⁻¹]₀₀ / 2 with [H⁻¹]₀₀ = H₁₁ / det
    expect(r.loss).toBeCloseTo((0.01 / (1.01 / (1.01 * 1.01 - 0.25))) / 2, 6);
  });

  it.each(['unstructured', '2:4'] as const)('lowers the layer output error below Wanda and magnitude on correlated inputs (%s, K = 200)', (pattern) => {
    const [k, out, rows] = [200, 16, 400];
    const layer = correlatedLayer(rows, k);
    const h = layer.hessian;
    const colSqNorms = Float32Array.from({ length: k }, (_, i) => h[i * k + i]);
    const t = weight(out, k, 'out_in', 5, h);
    const outputError = (deq: Float32Array) => layer.outputError(t.data, deq, out);
    const s = sparseGptReference(t, opts({ pattern }));
    const wanda = wandaReference({ ...t, calibration: { input: 'x', rows, cols: k, colSqNorms } }, wandaMeta.resolveOptions({ pattern }));
    const magnitude = wandaReference({ ...t, calibration: { input: 'x', rows, cols: k, colSqNorms: new Float32Array(k).fill(1) } }, wandaMeta.resolveOptions({ pattern }));
    expect(outputError(s.dequantized)).toBeLessThan(0.5 * outputError(wanda.dequantized));
    expect(outputError(wanda.dequantized)).toBeLessThan(outputError(magnitude.dequantized));
  });

  it('prunes exactly round(ratio · K) per row, M − N per run, and pruned weights are 0', () => {
    const k = 300; // blocks of 128, 128, 44
    const h = identity(k);
    for (let i = 0; i + 1 < k; i++) h[i * k + i + 1] = h[(i + 1) * k + i] = 0.4;
    const t = weight(5, k, 'in_out', 8, h);
    for (const ratio of [0.3, 0.5, 0.9]) {
      const r = sparseGptReference(t, opts({ ratio }));
      for (let o = 0; o < 5; o++) {
        let pruned = 0;
        for (let i = 0; i < k; i++) if (r.mask![i * 5 + o] === 0) (pruned++, expect(r.dequantized[i * 5 + o]).toBe(0));
        expect(pruned).toBe(Math.round(ratio * k));
      }
    }
    const nm = sparseGptReference(t, opts({ pattern: '2:4' }));
    for (let o = 0; o < 5; o++) for (let run = 0; run < k; run += 4) expect([0, 1, 2, 3].reduce((a, j) => a + nm.mask![(run + j) * 5 + o], 0)).toBe(2);
  });

  it('is deterministic, reports its loss, and needs the Hessian', async () => {
    const h = identity(40);
    h[1] = h[40] = 0.3;
    const t = weight(4, 40, 'out_in', 6, h);
    const a = await compressTensor('sparsegpt', {}, t, 'cpu');
    const b = await compressTensor('sparsegpt', {}, t, 'cpu');
    expect(Array.from(a.dequantized)).toEqual(Array.from(b.dequantized));
    expect(a.stats.calibrationLoss).toBeGreaterThan(0);
    expect(a.stats.sparsity).toBe(0.5);
    expect(() => sparseGptReference({ ...t, calibration: undefined }, opts({}))).toThrow(/needs the calibration Hessian/);
    expect(sparseGptMeta.resolveOptions({ pattern: '2:4', ratio: 0.9 })).toEqual({ ratio: 0.5, pattern: '2:4', samples: 32 });
    expect(() => sparseGptMeta.resolveOptions({ bits: 4 })).toThrow(/takes ratio, pattern, samples/);
  });
});
