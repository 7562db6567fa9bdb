// Wanda's TS reference on hand-checked cases: the activation norm changes which weights go, per
// row, unstructured and N:M; and it refuses to run without calibration.
import { describe, expect, it } from 'vitest';
import type { WeightTensor } from '../types';
import { wandaMeta } from './meta';
import { wandaReference } from './reference';

const t = (data: number[], shape: [number, number], layout: 'out_in' | 'in_out', sq: number[]): WeightTensor => ({
  name: 'w', data: new Float32Array(data), shape, layout, calibration: { input: 'x', rows: 1, cols: sq.length, colSqNorms: new Float32Array(sq) },
});

describe('wanda reference', () => {
  it('prunes by |w|·‖X_j‖ per output row, not by |w| alone', () => {
    // rows [1, 2, 3, 4] and [4, 3, 2, 1]; norms² [100, 1, 1, 100] → norms [10, 1, 1, 10]
    // row 0 scores [10, 2, 3, 40] → prune inputs 1, 2; row 1 scores [40, 3, 2, 10] → prune 1, 2
    const r = wandaReference(t([1, 2, 3, 4, 4, 3, 2, 1], [2, 4], 'out_in', [100, 1, 1, 100]), wandaMeta.resolveOptions({ ratio: 0.5 }));
    expect(Array.from(r.mask!)).toEqual([1, 0, 0, 1, 1, 0, 0, 1]);
    expect(Array.from(r.dequantized)).toEqual([1, 0, 0, 4, 4, 0, 0, 1]);
    // its calibration loss, the diagonal estimate ½ Σ ΔW_ij² ‖X_j‖²: ½ (2²·1 + 3²·1 + 3²·1 + 2²·1)
    expect(r.loss).toBe(13);
  });

  it('rows are the output channels of (in, out) storage; ties go to the lower input index', () => {
    // stored (in=4, out=1): one row [-2, 2, 1, 5] with equal norms: |−2| and |2| tie, index 0 goes first
    const r = wandaReference(t([-2, 2, 1, 5], [4, 1], 'in_out', [1, 1, 1, 1]), wandaMeta.resolveOptions({ ratio: 0.5 }));
    expect(Array.from(r.mask!)).toEqual([0, 1, 0, 1]);
    // the loss follows the storage layout: inputs 0 and 2 went, ½ ((−2)²·1 + 1²·1)
    expect(r.loss).toBe(2.5);
  });

  it('2:4 keeps the two best of every four inputs; a short last run keeps min(len, 2)', () => {
    const r = wandaReference(t([1, 2, 3, 4, 8, 7, 6, 5, 9, 1, 3], [1, 11], 'out_in', Array(11).fill(1)), wandaMeta.resolveOptions({ pattern: '2:4' }));
    expect(Array.from(r.mask!)).toEqual([0, 0, 1, 1, 1, 1, 0, 0, 1, 0, 1]);
    const two = wandaReference(t([5, 1, 2, 3, 4, 9], [1, 6], 'out_in', Array(6).fill(1)), wandaMeta.resolveOptions({ pattern: '2:4' }));
    expect(Array.from(two.mask!)).toEqual([1, 0, 0, 1, 1, 1]);
  });

  it('needs calibration norms and fixes the ratio of N:M patterns', () => {
    const bare: WeightTensor = { name: 'w', data: new Float32Array(4), shape: [1, 4], layout: 'out_in' };
    expect(() => wandaReference(bare, wandaMeta.resolveOptions({}))).toThrow(/needs the input column norms/);
    expect(wandaMeta.resolveOptions({ pattern: '2:4', ratio: 0.9 })).toEqual({ ratio: 0.5, pattern: '2:4', samples: 32 });
    expect(() => wandaMeta.resolveOptions({ pattern: '3:4' })).toThrow(/pattern must be one of unstructured, 2:4, 4:8/);
  });
});
