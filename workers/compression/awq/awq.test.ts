// AWQ's TS reference: equal to round to nearest (int4-group) when every input channel is equally
// loud (all scales 1), never worse than RTN on its own objective, better on inputs with loud
// channels, and refusing to run without a Hessian.
import { describe, expect, it } from 'vitest';
import { accumulateColAbsSums, accumulateHessian } from '../../calibration/accumulate';
import { int4GroupReference } from '../int4-group/reference';
import type { WeightTensor } from '../types';
import { awqMeta } from './meta';
import { awqReference, awqScales } from './reference';

function lcg(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) - 0.5;
}

describe('awq reference', () => {
  it('equals int4-group when every channel has the same mean |x| (all scales 1)', () => {
    const r = lcg(3);
    const t: WeightTensor = { name: 'w', data: Float32Array.from({ length: 5 * 300 }, r), shape: [300, 5], layout: 'in_out' };
    const h = new Float32Array(300 * 300);
    for (let i = 0; i < 300; i++) h[i * 300 + i] = 4;
    const a = awqReference({ ...t, calibration: { input: 'x', rows: 1, cols: 300, hessian: h, colAbsSums: new Float32Array(300).fill(2) } }, awqMeta.resolveOptions({}));
    const rtn = int4GroupReference(t, { groupSize: 128 });
    expect(Array.from(a.codes!)).toEqual(Array.from(rtn.codes!));
    expect(Array.from(a.dequantized)).toEqual(Array.from(rtn.dequantized));
  });

  it('normalizes scales by √(max · min) and clamps at 1e-4', () => {
    expect(Array.from(awqScales(Float64Array.from([1, 4]), 1))).toEqual([0.5, 2]);
    expect(Array.from(awqScales(Float64Array.from([0, 1]), 1))).toEqual([Math.fround(1e-4 / Math.sqrt(1e-4)), Math.fround(1 / Math.sqrt(1e-4))]);
  });

  it.each([4, 3] as const)('protects loud channels: lower layer output error than RTN (%i-bit, g32)', (bits) => {
    const k = 96;
    const out = 16;
    const rows = 200;
    const r = lcg(5);
    const x = new Float32Array(rows * k);
    for (let n = 0; n < rows; n++) for (let i = 0; i < k; i++) x[n * k + i] = r() * (i % 16 === 0 ? 40 : 1);
    const h = new Float32Array(k * k);
    accumulateHessian(h, x, rows, k);
    const abs = new Float32Array(k);
    accumulateColAbsSums(abs, x, rows, k);
    const t: WeightTensor = { name: 'w', data: Float32Array.from({ length: out * k }, r), shape: [out, k], layout: 'out_in', calibration: { input: 'x', rows, cols: k, hessian: h, colAbsSums: abs } };
    const err = (deq: Float32Array) => {
      let e = 0;
      for (let n = 0; n < rows; n++) for (let o = 0; o < out; o++) {
        let d = 0;
        for (let i = 0; i < k; i++) d += x[n * k + i] * (t.data[o * k + i] - deq[o * k + i]);
        e += d * d;
      }
      return e;
    };
    const a = awqReference(t, awqMeta.resolveOptions({ bits, groupSize: 32 }));
    const rtn = awqReference({ ...t, calibration: { input: 'x', rows: 1, cols: k, hessian: Float32Array.from(h, (v, f) => (f % (k + 1) === 0 ? 1 : 0)), colAbsSums: new Float32Array(k).fill(1) } }, awqMeta.resolveOptions({ bits, groupSize: 32 }));
    expect(a.alpha).toBeGreaterThan(0);
    expect(err(a.dequantized)).toBeLessThan(err(rtn.dequantized));
    // the search scores every row: its loss is this error (from H), and α = 0 (RTN) was a candidate
    expect(Math.abs(a.searchLoss / err(a.dequantized) - 1)).toBeLessThan(1e-4);
    expect(a.searchLoss).toBeLessThanOrEqual(err(rtn.dequantized) * (1 + 1e-5));
  });

  it('needs a Hessian and names its options', () => {
    const t: WeightTensor = { name: 'w', data: new Float32Array(4), shape: [1, 4], layout: 'out_in' };
    expect(() => awqReference(t, awqMeta.resolveOptions({}))).toThrow(/needs the calibration Hessian/);
    const k4 = { input: 'x', rows: 1, cols: 4, hessian: new Float32Array(16) };
    expect(() => awqReference({ ...t, calibration: k4 }, awqMeta.resolveOptions({}))).toThrow(/column \|x\| sums/);
    expect(() => awqMeta.resolveOptions({ bits: 2 })).toThrow(/bits must be one of 4, 3, got 2/);
  });
});
