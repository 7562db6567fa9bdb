// Hand-checked head norms (heads.ts): a unit sums its channels' squares in channel order, from an
// offset (a third of a fused c_attn), along either axis; bias entries the same way; channel masks.
import { describe, expect, it } from 'vitest';
import { structuredPruneMeta } from './meta';
import { channelMask, unitBiasSquares, unitSumSquares } from './heads';
import { neuronView } from './reference';

describe('structured-prune head norms', () => {
  // stored (in = 2, out = 6), MatMul layout: columns 0..5, e.g. q|k|v thirds of 2 columns = 2 heads of 1
  const data = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  it('output channels: unit u = columns offset + u·width …, Σ over the inputs', () => {
    const view = { ...neuronView({ shape: [2, 6], layout: 'in_out' }, 'out'), count: 2, width: 1, offset: 2 };
    // head 0 of K = column 2 (3, 9); head 1 = column 3 (4, 10)
    expect(Array.from(unitSumSquares(data, view))).toEqual([9 + 81, 16 + 100]);
    const wide = { ...view, count: 3, width: 2, offset: 0 };
    expect(Array.from(unitSumSquares(data, wide))).toEqual([1 + 49 + 4 + 64, 9 + 81 + 16 + 100, 25 + 121 + 36 + 144]);
  });
  it('input channels (rows of the output projection), and Gemm transB', () => {
    const o = { ...neuronView({ shape: [2, 6], layout: 'in_out' }, 'in'), count: 2, width: 1, offset: 0 };
    expect(Array.from(unitSumSquares(data, o))).toEqual([1 + 4 + 9 + 16 + 25 + 36, 49 + 64 + 81 + 100 + 121 + 144]);
    const t = { ...neuronView({ shape: [2, 6], layout: 'out_in' }, 'out'), count: 1, width: 2, offset: 0 };
    expect(Array.from(unitSumSquares(data, t))).toEqual([650]);
  });
  it('bias entries per unit, f32 rounding of each square and sum', () => {
    expect(Array.from(unitBiasSquares(new Float32Array([1, 2, 3, 4, 5, 6]), 2, 1, 4))).toEqual([25, 36]);
    const x = new Float32Array([1, 2 ** -13, 2 ** -13]);
    expect(unitSumSquares(x, { count: 1, width: 3, offset: 0, len: 1, strideNeuron: 1, strideElem: 0 })[0]).toBe(1);
  });
  it('a unit sums its channel sums: each channel summed alone first (what the GPU threads compute)', () => {
    // rows (1, 2⁻¹²), (0, 2⁻¹²): channel 1 is 2⁻²⁴ + 2⁻²⁴ = 2⁻²³ and 1 + 2⁻²³ is an f32; one running sum
    // over both channels would add 2⁻²⁴ to 1 twice, each a tie that rounds back to 1
    const y = new Float32Array([1, 2 ** -12, 0, 2 ** -12]);
    expect(unitSumSquares(y, { count: 1, width: 2, offset: 0, len: 2, strideNeuron: 1, strideElem: 2 })[0]).toBe(1 + 2 ** -23);
  });
  it('channel masks: every segment loses the removed units', () => {
    expect(Array.from(channelMask(6, [{ offset: 0, width: 1 }, { offset: 2, width: 1 }, { offset: 4, width: 1 }], new Uint8Array([1, 0])))).toEqual([1, 0, 1, 0, 1, 0]);
    expect(Array.from(channelMask(5, [{ offset: 1, width: 2 }], new Uint8Array([0, 1])))).toEqual([1, 0, 0, 1, 1]);
  });
});

describe('structured-prune unit option', () => {
  it('neurons is the default and left out of the options; heads is named', () => {
    expect(structuredPruneMeta.resolveOptions({ unit: 'neurons' })).toEqual({ ratio: 0.25 });
    expect(structuredPruneMeta.resolveOptions({ ratio: 0.5, unit: 'heads' })).toEqual({ ratio: 0.5, unit: 'heads' });
    expect(() => structuredPruneMeta.resolveOptions({ unit: 'rows' as 'heads' })).toThrow(/unit must be one of neurons, heads/);
    expect(structuredPruneMeta.variantLabel({ ratio: 0.25, unit: 'heads' })).toBe('structured 25 % attention heads');
  });
});
