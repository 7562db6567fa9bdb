// GPTQ's TS reference: equal to int4-group (RTN) when H = I (nothing to carry), a hand-worked
// case where the carried error changes a code, a smaller layer-output error than RTN on
// correlated inputs (across a lazy-batch boundary), and determinism.
import { describe, expect, it } from 'vitest';
import { int4GroupReference } from '../int4-group/reference';
import { compressTensor } from '../registry';
import { correlatedLayer, lcg } from '../shared/correlated-layer';
import type { WeightTensor } from '../types';
import { choleskyLower, inverseCholeskyUpper } from './cholesky';
import { gptqMeta, type GptqOptions } from './meta';
import { gptqReference, gptqSetup } from './reference';


function weight(rows: number, cols: number, layout: 'in_out' | 'out_in', seed: number): WeightTensor {
  const r = lcg(seed);
  return { name: 'w', data: Float32Array.from({ length: rows * cols }, r), shape: [rows, cols], layout };
}

const identity = (k: number, c = 1) => {
  const h = new Float32Array(k * k);
  for (let i = 0; i < k; i++) h[i * k + i] = c;
  return h;
};

const opts = (o: Partial<GptqOptions> = {}): GptqOptions => gptqMeta.resolveOptions(o);

describe('gptq reference', () => {
  it.each([
    ['out_in', [5, 70], 32],
    ['in_out', [70, 5], 64],
    ['in_out', [300, 3], 128],
  ] as const)('equals int4-group with an identity Hessian (%s %j, group %i)', (layout, shape, groupSize) => {
    const t = weight(shape[0], shape[1], layout, 7);
    const k = layout === 'out_in' ? shape[1] : shape[0];
    const g = gptqReference({ ...t, calibration: { input: 'x', rows: 1, cols: k, hessian: identity(k, 3) } }, opts({ groupSize }));
    const r = int4GroupReference(t, { groupSize: groupSize as 32 | 64 | 128 });
    expect(Array.from(g.codes!)).toEqual(Array.from(r.codes!));
    expect(Array.from(g.scales!)).toEqual(Array.from(r.scales!));
    expect(Array.from(g.zeroPoints!)).toEqual(Array.from(r.zeroPoints!));
    expect(Array.from(g.dequantized)).toEqual(Array.from(r.dequantized));
  });

  it('carries a rounding error to a correlated column (hand-worked)', () => {
    // one row [15, 7.6, 3.6], one group: scale 1, zero point 0 (range [0, 15]).
    // H = [[1,0,0],[0,1,b],[0,b,1]] + 0.01·I with b = 0.505, so b / 1.01 = 0.5:
    //   col 0: 15 → 15, no error;  col 1: 7.6 → 8, error −0.4
    //   col 2: 3.6 + (−0.4)·0.5 = 3.4 → 3   (round to nearest alone gives 4)
    const h = new Float32Array([1, 0, 0, 0, 1, 0.505, 0, 0.505, 1]);
    const t: WeightTensor = { name: 'w', data: new Float32Array([15, 7.6, 3.6]), shape: [1, 3], layout: 'out_in', calibration: { input: 'x', rows: 1, cols: 3, hessian: h } };
    const g = gptqReference(t, opts({ groupSize: 32 }));
    expect(Array.from(g.scales!)).toEqual([1]);
    expect(Array.from(g.zeroPoints!)).toEqual([0]);
    expect(Array.from(g.codes!)).toEqual([15, 8, 3]);
    expect(Array.from(int4GroupReference(t, { groupSize: 32 }).codes!)).toEqual([15, 8, 4]);
    // loss = Σ (w − q)² / U_ii² / 2: col 1 has U_11² = 1/1.01 − (0)…; just positive and finite
    expect(g.loss).toBeGreaterThan(0);
  });

  it.each([8, 4, 3, 2] as const)('lowers the layer output error below RTN on correlated inputs (%i-bit, 200 inputs, act order off/on)', (bits) => {
    const k = 200;
    const out = 24;
    const rows = 400;
    const layer = correlatedLayer(rows, k);
    const t: WeightTensor = { ...weight(out, k, 'out_in', 3), calibration: { input: 'x', rows, cols: k, hessian: layer.hessian } };
    const outputError = (deq: Float32Array) => layer.outputError(t.data, deq, out);
    const rtn = gptqReference({ ...t, calibration: { input: 'x', rows, cols: k, hessian: identity(k) } }, opts({ bits, groupSize: 32 }));
    for (const actOrder of [false, true]) {
      const g = gptqReference(t, opts({ bits, groupSize: 32, actOrder }));
      expect(outputError(g.dequantized)).toBeLessThan(0.8 * outputError(rtn.dequantized));
    }
  });

  it('is deterministic and rejects a missing or mis-sized Hessian with a clear message', () => {
    const t = weight(4, 40, 'out_in', 5);
    const h = identity(40, 2);
    h[1] = h[40] = 0.3;
    const a = gptqReference({ ...t, calibration: { input: 'x', rows: 1, cols: 40, hessian: h } }, opts({ actOrder: true }));
    const b = gptqReference({ ...t, calibration: { input: 'x', rows: 1, cols: 40, hessian: h } }, opts({ actOrder: true }));
    expect(Array.from(a.dequantized)).toEqual(Array.from(b.dequantized));
    expect(() => gptqReference(t, opts())).toThrow(/needs the calibration Hessian/);
    expect(() => gptqReference({ ...t, calibration: { input: 'x', rows: 1, cols: 3, hessian: identity(3) } }, opts())).toThrow(/expected 1600/);
  });

  // 97: over three of cholesky.ts's 32-row tiles, odd (a row paired with itself in the 2 × 2 products)
  it.each([7, 97])('factors H⁻¹ as Uᵀ U with U upper, from one Cholesky factorization (K = %i)', (k) => {
    const r = lcg(9);
    const a = Array.from({ length: k * k }, r);
    const h = new Float64Array(k * k); // A Aᵀ + I: symmetric positive definite
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) for (let p = 0; p < k; p++) h[i * k + j] += a[i * k + p] * a[j * k + p] + (i === j && p === 0 ? 1 : 0);
    const u = inverseCholeskyUpper(h, k)!;
    const utu = new Float64Array(k * k);
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) for (let p = 0; p < k; p++) utu[i * k + j] += u[p * k + i] * u[p * k + j];
    for (let i = 0; i < k; i++) {
      expect(u[i * k + i]).toBeGreaterThan(0);
      for (let j = 0; j < k; j++) {
        let e = 0; // (Uᵀ U H)[i, j] = I
        for (let p = 0; p < k; p++) e += utu[i * k + p] * h[p * k + j];
        expect(e).toBeCloseTo(i === j ? 1 : 0, 9);
        if (i > j) expect(u[i * k + j]).toBe(0);
      }
    }
    expect(choleskyLower(new Float64Array([1, 2, 2, 1]), 2)).toBeUndefined();
    expect(inverseCholeskyUpper(new Float64Array([1, 2, 2, 1]), 2)).toBeUndefined();
  });

  it('factors a Hessian once for the weights that share it (per column order)', () => {
    const hessian = identity(40, 2);
    hessian[1] = hessian[40] = 0.3;
    const calibration = { input: 'x', rows: 1, cols: 40, hessian };
    const [a, b] = [weight(4, 40, 'out_in', 5), weight(6, 40, 'out_in', 6)].map((t) => ({ ...t, calibration }));
    expect(gptqSetup(b, opts()).u).toBe(gptqSetup(a, opts()).u);
    expect(gptqSetup(b, opts({ actOrder: true })).u).not.toBe(gptqSetup(a, opts()).u);
    const copy = { ...calibration, hessian: hessian.slice() };
    const fresh = gptqSetup({ ...a, calibration: copy }, opts()).u;
    expect(fresh).not.toBe(gptqSetup(a, opts()).u);
    expect(Array.from(fresh)).toEqual(Array.from(gptqSetup(a, opts()).u));
  });

  it('reports its calibration loss in the tensor stats', async () => {
    const t = { ...weight(3, 40, 'out_in', 2), calibration: { input: 'x', rows: 1, cols: 40, hessian: identity(40, 2) } };
    const r = await compressTensor('gptq', { bits: 3, groupSize: 32 }, t, 'cpu');
    expect(r.stats.calibrationLoss).toBeGreaterThan(0);
    expect(r.stats.calibrationLoss).toBe(gptqReference(t, opts({ bits: 3, groupSize: 32 })).loss);
  });

  it('validates its options and names the choices', () => {
    expect(gptqMeta.resolveOptions({})).toEqual({ bits: 4, groupSize: 128, actOrder: false, samples: 32 });
    expect(() => gptqMeta.resolveOptions({ bits: 5 })).toThrow(/bits must be one of 8, 4, 3, 2, got 5/);
    expect(() => gptqMeta.resolveOptions({ ratio: 0.5 })).toThrow(/takes bits, groupSize, symmetric, actOrder, samples/);
  });
});
