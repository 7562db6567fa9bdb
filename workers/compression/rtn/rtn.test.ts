// Hand-checked round-to-nearest cases. int4-group and int8-channel delegate to rtnReference, so
// their own hand-checked tests check rtn's 4-bit asymmetric and 8-bit symmetric grids too.
import { describe, expect, it } from 'vitest';
import { rtnMeta } from './meta';
import { rtnReference } from './reference';

function randomWeights(n: number, seed: number): Float32Array {
  let s = seed;
  const next = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) - 0.5;
  return Float32Array.from({ length: n }, () => next() * 0.2);
}

describe('rtn reference', () => {
  it('2-bit symmetric: levels -1, 0, 1 times max|w|, halves away from zero', () => {
    const r = rtnReference({ data: new Float32Array([1, -0.5, 0.49, -1]), shape: [1, 4], layout: 'out_in' }, { bits: 2, groupSize: 0, symmetric: true });
    expect(Array.from(r.scales!)).toEqual([1]);
    expect(r.zeroPoints).toBeUndefined();
    expect(Array.from(r.codes!)).toEqual([1, -1, 0, -1]);
    expect(Array.from(r.dequantized)).toEqual([1, -1, 0, -1]);
  });

  it('3-bit asymmetric over the whole row: range [0, 7] gives scale 1 and zero point 0', () => {
    const r = rtnReference({ data: new Float32Array([0, 7, 3.5, 1.2]), shape: [1, 4], layout: 'out_in' }, { bits: 3, groupSize: 0, symmetric: false });
    expect(Array.from(r.scales!)).toEqual([1]);
    expect(Array.from(r.zeroPoints!)).toEqual([0]);
    expect(Array.from(r.codes!)).toEqual([0, 7, 4, 1]);
    expect(Array.from(r.dequantized)).toEqual([0, 7, 4, 1]);
  });

  it('symmetric groups of 32 along the input of (in, out) storage, short last group', () => {
    // (in = 40, out = 1): group 0 max|w| 7 -> 3-bit scale 7/3; group 1 (8 values) all zero -> zeros
    const data = new Float32Array(40);
    data[0] = -7;
    data[5] = 3.5;
    data[6] = 3.6;
    const r = rtnReference({ data, shape: [40, 1], layout: 'in_out' }, { bits: 3, groupSize: 32, symmetric: true });
    expect(r.scales!.length).toBe(2);
    expect(r.scales![0]).toBe(Math.fround(7 * Math.fround(1 / 3)));
    expect(r.codes![0]).toBe(-3);
    // the f32 scale is a hair above 7/3, so 3.5 falls just below the 1.5-step boundary: code 1
    expect(r.codes![5]).toBe(1);
    expect(r.codes![6]).toBe(2);
    expect(Array.from(r.dequantized.slice(32))).toEqual(new Array(8).fill(0));
  });

  it('fewer bits, more error; zeros stay exactly zero at every width', () => {
    const data = randomWeights(16 * 128, 9);
    for (let f = 0; f < data.length; f += 3) data[f] = 0;
    let last = 0;
    for (const bits of [8, 4, 3, 2] as const) {
      const r = rtnReference({ data, shape: [16, 128], layout: 'out_in' }, { bits, groupSize: 64, symmetric: false });
      let err = 0;
      for (let f = 0; f < data.length; f++) {
        err += (data[f] - r.dequantized[f]) ** 2;
        if (data[f] === 0) expect(r.dequantized[f]).toBe(0);
      }
      expect(err).toBeGreaterThan(last);
      last = err;
    }
  });
});

describe('rtn meta', () => {
  it('validates and defaults its options, naming the choices', () => {
    expect(rtnMeta.resolveOptions({})).toEqual({ bits: 4, groupSize: 32, symmetric: false });
    expect(rtnMeta.resolveOptions({ bits: 3, groupSize: 0, symmetric: true })).toEqual({ bits: 3, groupSize: 0, symmetric: true });
    expect(() => rtnMeta.resolveOptions({ bits: 5 })).toThrow(/bits must be one of 8, 4, 3, 2, got 5/);
    expect(() => rtnMeta.resolveOptions({ groupSize: 16 })).toThrow(/groupSize must be one of 32, 64, 128, 0, got 16/);
    expect(() => rtnMeta.resolveOptions({ ratio: 0.5 })).toThrow(/takes bits, groupSize, symmetric/);
    expect(rtnMeta.variantLabel({ bits: 2, groupSize: 0, symmetric: true })).toBe('INT2 row sym');
  });

  it('counts the MatMulNBits bytes for 2/4/8 bits and a tight packing for 3 bits', () => {
    // 4-bit g32, K = 64: codes 16 + scale 4 per block, zero points 1 byte per row -> 5.125 bits
    expect(rtnMeta.bitsPerWeight({ bits: 4, groupSize: 32, symmetric: false }, { outDim: 2, inDim: 64 })).toBe(5.125);
    // 8-bit whole row, K = 768: three 256-blocks repeating the row's scale: 3 * (256 + 4) + 3 bytes
    expect(rtnMeta.bitsPerWeight({ bits: 8, groupSize: 0, symmetric: true }, { outDim: 2, inDim: 768 })).toBeCloseTo((8 * 783) / 768, 12);
    // 2-bit g128, K = 128: 32 + 4 bytes + 1 zero-point byte per row
    expect(rtnMeta.bitsPerWeight({ bits: 2, groupSize: 128, symmetric: false }, { outDim: 1, inDim: 128 })).toBe((8 * 37) / 128);
    expect(rtnMeta.bitsPerWeight({ bits: 3, groupSize: 128, symmetric: false }, { outDim: 1, inDim: 256 })).toBe(3 + 35 / 128);
    expect(rtnMeta.bitsPerWeight({ bits: 3, groupSize: 0, symmetric: true }, { outDim: 1, inDim: 256 })).toBe(3 + 32 / 256);
  });
});
