// The pass over all tensors: one threshold, exact counts, ties in (tensor, index) order.
import { describe, expect, it } from 'vitest';
import { magnitudePruneReference } from '../magnitude-prune/reference';
import { planGlobalPrune } from './plan';
import { globalPruneReference } from './reference';
import { zeroPruned } from '../shared/pruned-copy';

const pruned = (m: Uint8Array) => m.reduce((a, x) => a + (x === 0 ? 1 : 0), 0);

describe('global-prune', () => {
  it('one threshold across tensors: the small tensor loses everything, the large one nothing', () => {
    const small = new Float32Array([0.1, -0.2, 0.3, 0.05]);
    const large = new Float32Array([5, -6, 7, 8]);
    const plans = planGlobalPrune([small, large], 0.5);
    const a = globalPruneReference({ data: small, shape: [1, 4], layout: 'out_in' }, { ratio: 0.5 }, plans[0]);
    const b = globalPruneReference({ data: large, shape: [1, 4], layout: 'out_in' }, { ratio: 0.5 }, plans[1]);
    expect(Array.from(a.mask!)).toEqual([0, 0, 0, 0]);
    expect(Array.from(b.mask!)).toEqual([1, 1, 1, 1]);
  });

  it('ties at the threshold go in tensor order, then flat index: exactly k pruned', () => {
    const t0 = new Float32Array([1, 1, 2]);
    const t1 = new Float32Array([1, -1, 1, 0]);
    // 7 weights, ratio 0.5 -> k = 4 (round half up of 3.5): the 0, then three of the five 1s
    const plans = planGlobalPrune([t0, t1], 0.5);
    const a = globalPruneReference({ data: t0, shape: [1, 3], layout: 'out_in' }, { ratio: 0.5 }, plans[0]);
    const b = globalPruneReference({ data: t1, shape: [1, 4], layout: 'out_in' }, { ratio: 0.5 }, plans[1]);
    expect(Array.from(a.mask!)).toEqual([0, 0, 1]);
    expect(Array.from(b.mask!)).toEqual([0, 1, 1, 0]);
  });

  it('achieved sparsity is within one weight of the target over many tensors and ratios', () => {
    const tensors = [3000, 517, 12000, 1].map((n, t) => Float32Array.from({ length: n }, (_, f) => Math.round(Math.sin(f * 0.37 + t) * 50) / 64));
    const total = tensors.reduce((a, t) => a + t.length, 0);
    for (const ratio of [0, 0.1, 0.5, 0.9, 0.999, 1]) {
      const plans = planGlobalPrune(tensors, ratio);
      const count = tensors.reduce((a, t, k) => a + pruned(globalPruneReference({ data: t, shape: [1, t.length], layout: 'out_in' }, { ratio }, plans[k]).mask!), 0);
      expect(count).toBe(Math.round(ratio * total));
      expect(Math.abs(count / total - ratio)).toBeLessThan(0.001);
    }
  });

  it('one tensor planned alone is layer-wise magnitude pruning', () => {
    const data = Float32Array.from({ length: 999 }, (_, f) => Math.round(Math.cos(f) * 20) / 32);
    const t = { data, shape: [27, 37] as [number, number], layout: 'out_in' as const };
    expect(globalPruneReference(t, { ratio: 0.3 }).mask).toEqual(magnitudePruneReference(t, { ratio: 0.3 }).mask);
  });
});

describe('zeroPruned (the GPU paths\' pruned weights from their mask)', () => {
  it('is the reference\'s dequantized bit for bit: +0 where pruned, the input kept (-0, NaN, subnormals), any length and offset', () => {
    for (const n of [1, 3, 4, 91, 1000]) {
      const data = Float32Array.from({ length: n }, (_, f) => [Math.sin(f) * 3, -0, 0, -1e-40, NaN, -Infinity][f % 6]);
      const t = { data, shape: [1, n] as [number, number], layout: 'out_in' as const };
      const ref = globalPruneReference(t, { ratio: 0.4 });
      // the mask at an odd byte offset too: the word loop must not read it as words there
      for (const offset of [0, 1]) {
        const mask = new Uint8Array(n + offset).subarray(offset);
        mask.set(ref.mask!);
        const weights = new Float32Array(data);
        zeroPruned(weights, mask);
        expect(new Uint32Array(weights.buffer)).toEqual(new Uint32Array(ref.dequantized.buffer));
      }
    }
  });
});
