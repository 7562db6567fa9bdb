// Hand-checked N:M cases: which weights of each run go, ties, short runs, both storages.
import { describe, expect, it } from 'vitest';
import { nmPruneMeta } from './meta';
import { nmPruneReference } from './reference';

describe('nm-prune reference', () => {
  it('2:4 keeps the two largest |w| of each run of 4 along the input; ties prune the lower index', () => {
    // (out = 1, in = 10): runs [1, -4, 2, 3] [0.5, 0.5, 0.5, 0.5] [9, -9] (short: keeps both)
    const data = new Float32Array([1, -4, 2, 3, 0.5, 0.5, 0.5, 0.5, 9, -9]);
    const r = nmPruneReference({ data, shape: [1, 10], layout: 'out_in' }, { pattern: '2:4' });
    expect(Array.from(r.mask!)).toEqual([0, 1, 0, 1, 0, 0, 1, 1, 1, 1]);
    expect(Array.from(r.dequantized)).toEqual([0, -4, 0, 3, 0, 0, 0.5, 0.5, 9, -9]);
  });

  it('a short last run of 3 under 2:4 prunes one; 4:8 keeps four of eight; (in, out) storage', () => {
    // stored (in = 11, out = 2): channel 0 = column 0 = 0..10, channel 1 = 10..0
    const data = new Float32Array(22);
    for (let i = 0; i < 11; i++) {
      data[i * 2] = i;
      data[i * 2 + 1] = 10 - i;
    }
    const a = nmPruneReference({ data, shape: [11, 2], layout: 'in_out' }, { pattern: '2:4' });
    const col = (m: Uint8Array, c: number) => Array.from({ length: 11 }, (_, i) => m[i * 2 + c]);
    expect(col(a.mask!, 0)).toEqual([0, 0, 1, 1, 0, 0, 1, 1, 0, 1, 1]);
    expect(col(a.mask!, 1)).toEqual([1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0]);
    const b = nmPruneReference({ data, shape: [11, 2], layout: 'in_out' }, { pattern: '4:8' });
    expect(col(b.mask!, 0)).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('2:4 on a multiple of 4 is exactly 50 % sparse', () => {
    const data = Float32Array.from({ length: 8 * 64 }, (_, f) => Math.sin(f * 1.7));
    const r = nmPruneReference({ data, shape: [8, 64], layout: 'out_in' }, { pattern: '2:4' });
    expect(r.mask!.reduce((a, m) => a + m, 0)).toBe(8 * 32);
  });
});

describe('nm-prune meta', () => {
  it('validates the pattern', () => {
    expect(nmPruneMeta.resolveOptions({})).toEqual({ pattern: '2:4' });
    expect(() => nmPruneMeta.resolveOptions({ pattern: '1:4' })).toThrow(/pattern must be one of 2:4, 4:8, got 1:4/);
    expect(nmPruneMeta.variantLabel({ pattern: '4:8' })).toBe('prune 4:8');
  });
});
