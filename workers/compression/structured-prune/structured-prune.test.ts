// Hand-checked structured-prune cases: the neuron norms along either axis and layout, the choice
// (lowest score first, ties to the lower index, at least one kept), and the per-tensor step.
import { describe, expect, it } from 'vitest';
import { structuredPruneMeta } from './meta';
import { chooseNeurons, neuronSumSquares, neuronsRemoved, neuronView, structuredPruneReference } from './reference';

describe('structured-prune neuron norms', () => {
  // stored (in = 2, out = 3), MatMul layout: output channel j = column j
  const data = new Float32Array([1, 2, 3, 4, 5, 6]);
  it('an up layer (in_out): neuron j = column j, Σ over the inputs', () => {
    const v = neuronView({ shape: [2, 3], layout: 'in_out' }, 'out');
    expect(v).toEqual({ count: 3, len: 2, strideNeuron: 1, strideElem: 3 });
    expect(Array.from(neuronSumSquares(data, v))).toEqual([1 + 16, 4 + 25, 9 + 36]);
  });
  it('a down layer (in_out): neuron j = row j, Σ over the outputs', () => {
    const v = neuronView({ shape: [2, 3], layout: 'in_out' }, 'in');
    expect(Array.from(neuronSumSquares(data, v))).toEqual([1 + 4 + 9, 16 + 25 + 36]);
  });
  it('Gemm transB (out_in): the axes swap', () => {
    expect(Array.from(neuronSumSquares(data, neuronView({ shape: [2, 3], layout: 'out_in' }, 'out')))).toEqual([14, 77]);
    expect(Array.from(neuronSumSquares(data, neuronView({ shape: [2, 3], layout: 'out_in' }, 'in')))).toEqual([17, 29, 45]);
  });
  it('accumulates in f32 (each square and sum rounded), as the WGSL does', () => {
    const x = new Float32Array([1, 2 ** -13, 2 ** -13]);
    // in f64 the sum would be 1 + 2^-25; in f32 each tiny square is lost against 1
    expect(neuronSumSquares(x, { count: 1, len: 3, strideNeuron: 0, strideElem: 1 })[0]).toBe(1);
  });
});

describe('structured-prune choice', () => {
  it('removes round(ratio · N) of lowest score; ties go to the lower index', () => {
    const up = new Float32Array([4, 1, 1, 9]);
    const down = new Float32Array([0, 0, 0, 0]);
    expect(Array.from(chooseNeurons([up, down], 0.5).keep)).toEqual([1, 0, 0, 1]);
    expect(Array.from(chooseNeurons([up, down], 0.25).keep)).toEqual([1, 0, 1, 1]);
  });
  it('the score is the sum of the parts (up column + bias + down row)', () => {
    const r = chooseNeurons([new Float32Array([1, 5]), new Float32Array([0, 0]), new Float32Array([9, 0])], 0.5);
    expect(Array.from(r.score)).toEqual([10, 5]);
    expect(Array.from(r.keep)).toEqual([1, 0]);
  });
  it('keeps at least one neuron', () => {
    expect(neuronsRemoved(0.99, 4)).toBe(3);
    expect(neuronsRemoved(0.25, 1024)).toBe(256);
    expect(neuronsRemoved(0, 7)).toBe(0);
  });
});

describe('structured-prune per-tensor step', () => {
  it('zeroes the removed neurons along the plan axis, mask 0 there; no plan = unchanged', () => {
    const data = new Float32Array([1, 2, 3, 4, 5, 6]);
    const up = structuredPruneReference({ data, shape: [2, 3], layout: 'in_out', plan: { axis: 'out', keep: new Uint8Array([1, 0, 1]) } });
    expect(Array.from(up.dequantized)).toEqual([1, 0, 3, 4, 0, 6]);
    expect(Array.from(up.mask!)).toEqual([1, 0, 1, 1, 0, 1]);
    const down = structuredPruneReference({ data, shape: [2, 3], layout: 'in_out', plan: { axis: 'in', keep: new Uint8Array([0, 1]) } });
    expect(Array.from(down.dequantized)).toEqual([0, 0, 0, 4, 5, 6]);
    expect(Array.from(structuredPruneReference({ data, shape: [2, 3], layout: 'in_out' }).dequantized)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(() => structuredPruneReference({ data, shape: [2, 3], layout: 'in_out', plan: { axis: 'in', keep: new Uint8Array(3) } })).toThrow(/plan for 3 neurons, the weight has 2/);
  });
});

describe('structured-prune meta', () => {
  it('validates the ratio and names the variant', () => {
    expect(structuredPruneMeta.resolveOptions({})).toEqual({ ratio: 0.25 });
    expect(() => structuredPruneMeta.resolveOptions({ ratio: 1 })).toThrow(/ratio must be a number in \[0, 0.99\]/);
    expect(() => structuredPruneMeta.resolveOptions({ bits: 4 })).toThrow(/unknown option bits/);
    expect(structuredPruneMeta.variantLabel({ ratio: 0.5 })).toBe('structured 50 % MLP neurons');
  });
});
