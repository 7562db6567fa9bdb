import { describe, expect, it } from 'vitest';
import { tensorStats } from './stats';

describe('tensorStats', () => {
  it('computes sparsity, relative Frobenius error and SQNR by hand', () => {
    const s = tensorStats('w', new Float32Array([3, 4, 0, 0]), new Float32Array([3, 0, 0, 0]), 8);
    expect(s).toMatchObject({ name: 'w', params: 4, sparsity: 0.75, bitsPerWeight: 8 });
    expect(s.relFrobeniusError).toBeCloseTo(4 / 5, 12);
    expect(s.sqnrDb).toBeCloseTo(10 * Math.log10(25 / 16), 12);
    expect(s.maxAbsError).toBe(4);
  });

  it('max abs error is the worst single weight, whatever its sign', () => {
    const s = tensorStats('w', new Float32Array([1, -2, 0.5]), new Float32Array([1.25, -1.5, 0.5]), 4);
    expect(s.maxAbsError).toBe(0.5);
  });

  it('reports Infinity SQNR and zero error when nothing changed', () => {
    const s = tensorStats('w', new Float32Array([1, -2]), new Float32Array([1, -2]), 32);
    expect(s.sqnrDb).toBe(Infinity);
    expect(s.relFrobeniusError).toBe(0);
    expect(s.sparsity).toBe(0);
    expect(s.maxAbsError).toBe(0);
  });
});
