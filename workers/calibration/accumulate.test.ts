// The calibration accumulators' TS reference: Xᵀ X and column norms by hand, batch by batch, and
// the order of batches is the only order (deterministic). The WGSL twin is held to it in Chromium
// (e2e/calibration.spec.ts). The pass plan keeps statistics under the memory bound.
import { describe, expect, it } from 'vitest';
import { accumulateColAbsSums, accumulateColNorms, accumulateHessian } from './accumulate';
import { planPasses } from './calibrate';

describe('calibration accumulators', () => {
  it('adds Xᵀ X, Σ X² and Σ |X| batch by batch', () => {
    const h = new Float32Array(4);
    const n = new Float32Array(2);
    const b1 = new Float32Array([1, 2, 3, 4]); // rows [1, 2], [3, 4]
    const b2 = new Float32Array([-1, 0.5]);
    accumulateHessian(h, b1, 2, 2);
    accumulateHessian(h, b2, 1, 2);
    accumulateColNorms(n, b1, 2, 2);
    accumulateColNorms(n, b2, 1, 2);
    // [1+9+1, 2+12-0.5; ., 4+16+0.25]
    expect(Array.from(h)).toEqual([11, 13.5, 13.5, 20.25]);
    expect(Array.from(n)).toEqual([11, 20.25]);
    const a = new Float32Array(2);
    accumulateColAbsSums(a, b1, 2, 2);
    accumulateColAbsSums(a, b2, 1, 2);
    expect(Array.from(a)).toEqual([5, 6.5]);
  });

  it('rejects a batch of the wrong width', () => {
    expect(() => accumulateHessian(new Float32Array(9), new Float32Array(4), 2, 3)).toThrow(/expected H of 3² and X of 2×3/);
  });

  it('cuts inputs into passes under the byte bound, at least one input each', () => {
    const inputs = [{ tensor: 'a', cols: 4 }, { tensor: 'b', cols: 4 }, { tensor: 'c', cols: 8 }];
    const passes = planPasses(inputs, 'hessian', 2 * 16 * 4);
    expect(passes.map((p) => p.inputs.map((i) => i.tensor))).toEqual([['a', 'b'], ['c']]);
    expect(planPasses(inputs, 'norms', 1000).length).toBe(1);
  });
});
