// Hand-checked NF4 cases: code-book values come back exactly, blocks run along the (out, in) rows.
import { describe, expect, it } from 'vitest';
import { MIN_SCALE } from '../shared/affine';
import { NF4_MIDPOINTS, NF4_VALUES, nf4Meta } from './meta';
import { nf4Code, nf4Reference } from './reference';

describe('nf4 reference', () => {
  it('maps each code-book value times the absmax to its own code and back exactly', () => {
    const data = Float32Array.from(NF4_VALUES, (v) => Math.fround(v * 2)); // absmax 2
    const r = nf4Reference({ data, shape: [1, 16], layout: 'out_in' });
    expect(Array.from(r.scales!)).toEqual([2]);
    expect(Array.from(r.codes!)).toEqual([...Array(16).keys()]);
    expect(Array.from(r.dequantized)).toEqual(Array.from(data));
  });

  it('rounds to the nearest code; a midpoint goes up; zero and -0 give code 7 and +0', () => {
    expect(nf4Code(0, 1)).toBe(7);
    expect(nf4Code(-0, 1)).toBe(7);
    expect(nf4Code(NF4_MIDPOINTS[7], 1)).toBe(8);
    expect(nf4Code(Math.fround(NF4_MIDPOINTS[7] - 1e-6), 1)).toBe(7);
    expect(nf4Code(0.9, 1)).toBe(15);
    expect(nf4Code(-0.9, 1)).toBe(0);
    const r = nf4Reference({ data: new Float32Array([-0, 1]), shape: [1, 2], layout: 'out_in' });
    expect(Object.is(r.dequantized[0], 0)).toBe(true);
  });

  it('blocks of 64 run along the (out, in) matrix row-major, across rows and in either storage', () => {
    // (out = 3, in = 40): block 0 = row 0 and the first 24 of row 1; block 1 = the rest
    const out = 3;
    const k = 40;
    const w = (o: number, i: number) => (o === 0 && i === 5 ? -4 : o === 2 && i === 39 ? 0.5 : 0.01 * ((o * k + i) % 7));
    const outIn = Float32Array.from({ length: out * k }, (_, f) => w(Math.floor(f / k), f % k));
    const inOut = Float32Array.from({ length: out * k }, (_, f) => w(f % out, Math.floor(f / out)));
    const a = nf4Reference({ data: outIn, shape: [out, k], layout: 'out_in' });
    const b = nf4Reference({ data: inOut, shape: [k, out], layout: 'in_out' });
    expect(Array.from(a.scales!)).toEqual([4, 0.5]);
    expect(a.scales).toEqual(b.scales);
    for (let o = 0; o < out; o++) {
      for (let i = 0; i < k; i++) {
        expect(b.codes![i * out + o]).toBe(a.codes![o * k + i]);
        expect(b.dequantized[i * out + o]).toBe(a.dequantized[o * k + i]);
      }
    }
  });

  it('an all-zero block gets absmax 2^-100 and stays zero', () => {
    const r = nf4Reference({ data: new Float32Array(64), shape: [1, 64], layout: 'out_in' });
    expect(Array.from(r.scales!)).toEqual([MIN_SCALE]);
    expect(r.dequantized.every((x) => x === 0)).toBe(true);
  });
});

describe('nf4 meta', () => {
  it('takes no options; 4 bits plus one f32 absmax per 64 weights', () => {
    expect(nf4Meta.resolveOptions({})).toEqual({});
    expect(() => nf4Meta.resolveOptions({ groupSize: 64 })).toThrow(/takes no options/);
    expect(nf4Meta.bitsPerWeight({}, { outDim: 2, inDim: 64 })).toBe(4.5);
  });
});
