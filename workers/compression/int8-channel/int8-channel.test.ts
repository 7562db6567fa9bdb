// Hand-checked INT8 per-channel cases. Scales are max|w| * fround(1/127); 127 * fround(1/127)
// rounds to exactly 1 in f32, so a channel whose max|w| is 127 has scale 1 and codes = round(w).
import { describe, expect, it } from 'vitest';
import { MIN_SCALE } from '../shared/affine';
import { int8ChannelMeta } from './meta';
import { int8ChannelReference } from './reference';

// channel 0: scale 1, halves round away from zero; channel 1: all zero
const OUT_IN = new Float32Array([127, -63.5, 0.4, -0.5, 0, 0, 0, 0]); // (out=2, in=4)
// the same weight stored (in=4, out=2)
const IN_OUT = new Float32Array([127, 0, -63.5, 0, 0.4, 0, -0.5, 0]);

describe('int8-channel reference', () => {
  it('quantizes a 2x4 (out, in) tensor to hand-checked codes and scales', () => {
    const r = int8ChannelReference({ data: OUT_IN, shape: [2, 4], layout: 'out_in' });
    expect(Array.from(r.scales!)).toEqual([1, MIN_SCALE]);
    expect(Array.from(r.codes!)).toEqual([127, -64, 0, -1, 0, 0, 0, 0]);
    expect(Array.from(r.dequantized)).toEqual([127, -64, 0, -1, 0, 0, 0, 0]);
  });

  it('follows the layout: (in, out) storage gives the same codes, transposed', () => {
    const r = int8ChannelReference({ data: IN_OUT, shape: [4, 2], layout: 'in_out' });
    expect(Array.from(r.scales!)).toEqual([1, MIN_SCALE]);
    expect(Array.from(r.codes!)).toEqual([127, 0, -64, 0, 0, 0, -1, 0]);
  });

  it('maps the channel max to ±127 and keeps the error within half a step', () => {
    const data = new Float32Array([0.3, -0.9, 0.45, 0.1, 2.5, -1.25, 0, 1e-3]); // (2, 4)
    const r = int8ChannelReference({ data, shape: [2, 4], layout: 'out_in' });
    expect(r.codes![1]).toBe(-127);
    expect(r.codes![4]).toBe(127);
    expect(r.scales![0]).toBe(Math.fround(Math.fround(0.9) * Math.fround(1 / 127)));
    for (let f = 0; f < 8; f++) {
      const s = r.scales![f < 4 ? 0 : 1];
      // half a step, plus the f32 rounding of q * s
      expect(Math.abs(r.dequantized[f] - data[f])).toBeLessThanOrEqual(s / 2 + Math.abs(data[f]) * 2 ** -23);
    }
  });
});

describe('int8-channel meta', () => {
  it('takes no options and counts one f32 scale per output channel', () => {
    expect(int8ChannelMeta.resolveOptions({})).toEqual({});
    expect(() => int8ChannelMeta.resolveOptions({ groupSize: 32 })).toThrow(/takes no options/);
    expect(int8ChannelMeta.bitsPerWeight({}, { outDim: 2, inDim: 4 })).toBe(16);
    expect(int8ChannelMeta.bitsPerWeight({}, { outDim: 3072, inDim: 768 })).toBeCloseTo(8 + 32 / 768);
  });
});
