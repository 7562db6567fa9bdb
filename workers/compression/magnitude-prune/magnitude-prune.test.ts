// Hand-checked pruning cases: exactly round(ratio * n) entries go, in (|w|, index) order.
import { describe, expect, it } from 'vitest';
import { magnitudePruneMeta, pruneCount } from './meta';
import { magnitudePruneReference } from './reference';

function prune(values: number[], ratio: number) {
  const data = new Float32Array(values);
  return magnitudePruneReference({ data, shape: [1, values.length], layout: 'out_in' }, { ratio });
}

describe('magnitude-prune reference', () => {
  it('breaks ties by index: an all-equal tensor at 0.5 loses exactly its first half', () => {
    const r = prune([2, 2, 2, 2, 2, 2, 2, 2], 0.5);
    expect(Array.from(r.mask!)).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    expect(Array.from(r.dequantized)).toEqual([0, 0, 0, 0, 2, 2, 2, 2]);
  });

  it('orders by |w| then index; -0 and +0 tie', () => {
    // order: 0 (5), -0 (6), -1 (1), 1 (2), -1 (4), 2 (3), 3 (0), 5 (7); k = 4
    const r = prune([3, -1, 1, 2, -1, 0, -0, 5], 0.5);
    expect(Array.from(r.mask!)).toEqual([1, 0, 0, 1, 1, 0, 0, 1]);
    expect(Array.from(r.dequantized)).toEqual([3, 0, 0, 2, -1, 0, 0, 5]);
  });

  it('prunes nothing at 0 and everything at 1', () => {
    const values = [0.5, -0.25, 3, -0];
    const none = prune(values, 0);
    expect(Array.from(none.mask!)).toEqual([1, 1, 1, 1]);
    expect(Object.is(none.dequantized[3], -0)).toBe(true); // kept values keep their bits
    const all = prune(values, 1);
    expect(Array.from(all.mask!)).toEqual([0, 0, 0, 0]);
    expect(Array.from(all.dequantized)).toEqual([0, 0, 0, 0]);
  });

  it('rounds the count half up and leaves the input untouched', () => {
    expect(pruneCount(0.5, 7)).toBe(4);
    expect(pruneCount(0.1, 33 * 4097)).toBe(13520);
    const data = new Float32Array([1, 2, 3, 4, 5, 6, 7]);
    const r = magnitudePruneReference({ data, shape: [7, 1], layout: 'in_out' }, { ratio: 0.5 });
    expect(Array.from(r.mask!)).toEqual([0, 0, 0, 0, 1, 1, 1]);
    expect(Array.from(data)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
});

describe('magnitude-prune meta', () => {
  it('validates ratio in [0, 1] and says so', () => {
    expect(magnitudePruneMeta.resolveOptions({})).toEqual({ ratio: 0.5 });
    expect(magnitudePruneMeta.resolveOptions({ ratio: 1 })).toEqual({ ratio: 1 });
    expect(() => magnitudePruneMeta.resolveOptions({ ratio: 1.5 })).toThrow(/ratio must be a number in \[0, 1\], got 1.5/);
    expect(() => magnitudePruneMeta.resolveOptions({ groupSize: 32 })).toThrow(/takes ratio/);
    expect(magnitudePruneMeta.bitsPerWeight({ ratio: 0.5 }, { outDim: 2, inDim: 2 })).toBe(32);
  });
});
