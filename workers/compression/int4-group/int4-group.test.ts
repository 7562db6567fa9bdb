// Hand-checked INT4 group cases. A range of 15 (or 30) gives scale exactly 1 (or 2) in f32:
// fround(15 * fround(1/15)) = 1. The range always includes 0.
import { describe, expect, it } from 'vitest';
import { MIN_SCALE } from '../shared/affine';
import { int4GroupMeta, int4PackedBytes } from './meta';
import { int4GroupReference } from './reference';

describe('int4-group reference', () => {
  it('quantizes a full group and a short last group (groupSize 16, in = 20)', () => {
    // group 0: min -3, max 12 -> scale 1, zp 3; group 1 (4 values): range [0, 15] -> scale 1, zp 0
    const g0 = [-3, 12, 0.5, -0.5, 0, 1.49, -2.5, 7, 7, 7, 7, 7, 7, 7, 7, 7];
    const g1 = [0, 7.5, 15, 3];
    const data = new Float32Array([...g0, ...g1]); // (out=1, in=20)
    const r = int4GroupReference({ data, shape: [1, 20], layout: 'out_in' }, { groupSize: 16 });
    expect(Array.from(r.scales!)).toEqual([1, 1]);
    expect(Array.from(r.zeroPoints!)).toEqual([3, 0]);
    expect(Array.from(r.codes!.slice(0, 7))).toEqual([0, 15, 4, 2, 3, 4, 0]);
    expect(Array.from(r.codes!.slice(16))).toEqual([0, 8, 15, 3]);
    expect(Array.from(r.dequantized.slice(0, 7))).toEqual([-3, 12, 1, -1, 0, 1, -3]);
    expect(Array.from(r.dequantized.slice(16))).toEqual([0, 8, 15, 3]);
  });

  it('includes 0 in the range: an all-positive group has zero point 0 and 0 stays exact', () => {
    const data = new Float32Array([30, 10, 0, 20]); // (out=1, in=4), range [0, 30] -> scale 2
    const r = int4GroupReference({ data, shape: [1, 4], layout: 'out_in' }, { groupSize: 16 });
    expect(Array.from(r.scales!)).toEqual([2]);
    expect(Array.from(r.zeroPoints!)).toEqual([0]);
    expect(Array.from(r.codes!)).toEqual([15, 5, 0, 10]);
    expect(Array.from(r.dequantized)).toEqual([30, 10, 0, 20]);
  });

  it('groups along the input dimension of (in, out) storage, and a zero group gets MIN_SCALE', () => {
    // stored (in=4, out=2): channel 0 = column 0 = [-15, 0, 0, 0], channel 1 = zeros
    const data = new Float32Array([-15, 0, 0, 0, 0, 0, 0, 0]);
    const r = int4GroupReference({ data, shape: [4, 2], layout: 'in_out' }, { groupSize: 16 });
    expect(Array.from(r.scales!)).toEqual([1, MIN_SCALE]);
    expect(Array.from(r.zeroPoints!)).toEqual([15, 0]);
    expect(Array.from(r.codes!)).toEqual([0, 0, 15, 0, 15, 0, 15, 0]);
    expect(Array.from(r.dequantized)).toEqual([-15, 0, 0, 0, 0, 0, 0, 0]);
  });
});

describe('int4-group meta', () => {
  it('validates groupSize and names the choices', () => {
    expect(int4GroupMeta.resolveOptions({})).toEqual({ groupSize: 32 });
    expect(int4GroupMeta.resolveOptions({ groupSize: 128 })).toEqual({ groupSize: 128 });
    expect(() => int4GroupMeta.resolveOptions({ groupSize: 33 })).toThrow(/one of 16, 32, 64, 128, got 33/);
    expect(() => int4GroupMeta.resolveOptions({ ratio: 0.5 })).toThrow(/takes groupSize/);
  });

  it('counts the MatMulNBits bytes: 4 + 36/32 bits when K fills whole blocks', () => {
    // N=2, K=64, 32-blocks: codes 2*2*16 + scales 2*2*4 + zero points 2*1 = 82 bytes
    expect(int4PackedBytes(32, { outDim: 2, inDim: 64 })).toBe(82);
    expect(int4GroupMeta.bitsPerWeight({ groupSize: 32 }, { outDim: 2, inDim: 64 })).toBe(5.125);
    // K=20 with 16-blocks: the short block is padded: codes 16 + scales 8 + zero points 1 = 25 bytes
    expect(int4GroupMeta.bitsPerWeight({ groupSize: 16 }, { outDim: 1, inDim: 20 })).toBe(10);
  });
});
