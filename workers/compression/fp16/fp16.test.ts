// Hand-checked f32 -> f16 cases (nearest even, clamping, subnormal halves), and the bit
// functions cross-checked against an independent rounding in doubles and, where the runtime has
// it, Math.f16round.
import { describe, expect, it } from 'vitest';
import { errorSums } from '../stats';
import { dequantizedPending } from '../types';
import { fp16Meta, HALF_MAX } from './meta';
import { f32BitsToHalf, fp16Reference, halfToF32Bits } from './reference';
import { addHalfTotals, emptyTotals } from './halves';

const bitsOf = (x: number) => new Uint32Array(new Float32Array([x]).buffer)[0];
const floatOf = (bits: number) => new Float32Array(new Uint32Array([bits]).buffer)[0];
const half = (x: number) => f32BitsToHalf(bitsOf(x));
const roundTrip = (x: number) => floatOf(halfToF32Bits(half(x)));

/** The finite half nearest to x (ties to even), clamped to ±65504, computed in doubles. */
function slowHalf(x: number): number {
  const a = Math.min(Math.abs(x), HALF_MAX);
  const ulp = a < 2 ** -14 ? 2 ** -24 : 2 ** (Math.floor(Math.log2(a)) - 10);
  const q = a / ulp; // exact: a is an f32 and ulp a power of two
  let r = Math.floor(q);
  if (q - r > 0.5 || (q - r === 0.5 && r % 2 === 1)) r += 1;
  return Math.sign(x) * r * ulp || (Object.is(x, -0) || x < 0 ? -0 : 0);
}

function randomF32(rand: () => number): number {
  // every exponent from f32 subnormals to beyond half's range, random mantissas
  const e = Math.floor(rand() * 60) - 40; // 2^-40 .. 2^19
  return Math.fround((rand() < 0.5 ? -1 : 1) * (1 + rand()) * 2 ** e);
}

describe('fp16 reference', () => {
  it('rounds to nearest, ties to even', () => {
    expect(half(1)).toBe(0x3c00);
    expect(half(-2)).toBe(0xc000);
    expect(half(1 + 2 ** -11)).toBe(0x3c00); // tie, even stays
    expect(half(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie, odd rounds up
    expect(half(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01); // just above the tie
    expect(half(2047.5)).toBe(half(2048)); // carry into the exponent
    expect(roundTrip(0.1)).toBe(0.0999755859375);
  });

  it('clamps beyond 65504 instead of overflowing, and counts', () => {
    expect(half(65504)).toBe(0x7bff);
    expect(half(65519)).toBe(0x7bff); // would round down anyway
    expect(half(65520)).toBe(0x7bff); // would round to Inf
    expect(half(-1e9)).toBe(0xfbff);
    const r = fp16Reference({ data: new Float32Array([65504, 65504.5, -70000, 1]), shape: [2, 2], layout: 'out_in' });
    expect(r.clamped).toBe(2);
    expect(Array.from(r.dequantized)).toEqual([65504, 65504, -65504, 1]);
  });

  it('keeps subnormal halves exact and rounds below them to a signed zero', () => {
    expect(half(2 ** -24)).toBe(0x0001); // smallest subnormal half
    expect(half(3 * 2 ** -24)).toBe(0x0003);
    expect(half(1023 * 2 ** -24)).toBe(0x03ff); // largest subnormal
    expect(half(2 ** -14 - 2 ** -25)).toBe(0x0400); // rounds up into the normals
    expect(half(2 ** -25)).toBe(0x0000); // tie between 0 and 2^-24: even
    expect(half(-(2 ** -25) * 1.5)).toBe(0x8001);
    expect(half(-1e-30)).toBe(0x8000);
    expect(half(1e-45)).toBe(0x0000); // an f32 subnormal
    for (const h of [0x0001, 0x0155, 0x03ff, 0x8200]) expect(f32BitsToHalf(halfToF32Bits(h))).toBe(h);
    expect(floatOf(halfToF32Bits(0x0001))).toBe(2 ** -24);
    expect(Object.is(floatOf(halfToF32Bits(0x8000)), -0)).toBe(true);
  });

  it('agrees with rounding in doubles (and Math.f16round when present) on 100k values', () => {
    let seed = 7;
    const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    const f16round = (Math as unknown as { f16round?: (x: number) => number }).f16round;
    for (let k = 0; k < 100_000; k++) {
      const x = randomF32(rand);
      const want = slowHalf(x);
      expect(roundTrip(x), `x = ${x}`).toBe(want);
      if (f16round && Math.abs(x) <= HALF_MAX) expect(roundTrip(x)).toBe(f16round(x));
    }
  });

  it('every half survives f32 and back', () => {
    for (let h = 0; h < 0x10000; h++) {
      if ((h & 0x7c00) === 0x7c00) continue; // Inf / NaN never come out of f32BitsToHalf
      expect(f32BitsToHalf(halfToF32Bits(h))).toBe(h);
    }
  });
});

describe('fp16 result', () => {
  it('carries the halves, the clamped count and the sums errorSums takes, and makes the f32 values only when read', () => {
    let seed = 11;
    const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    // over two of the reference's blocks (2^14), edge values included
    const data = Float32Array.from({ length: 40_000 }, () => randomF32(rand));
    data.set([65504, 65520, -1e9, 2 ** -25, -0, 0, 2 ** -24], 100);
    const r = fp16Reference({ data, shape: [200, 200], layout: 'in_out' });
    expect(dequantizedPending(r)).toBe(true);
    const bits = new Uint32Array(data.buffer);
    expect(Array.from(r.codes as Uint16Array)).toEqual(Array.from(bits, f32BitsToHalf));
    expect(r.clamped).toBe(bits.filter((b) => (b & 0x7fffffff) > 0x477fe000).length);
    const values = r.dequantized;
    expect(dequantizedPending(r)).toBe(false);
    expect(Array.from(new Uint32Array(values.buffer))).toEqual(Array.from(r.codes as Uint16Array, halfToF32Bits));
    expect(r.sums).toEqual({ ...errorSums(data, values), nonFinite: 0 });
  });

  it('counts NaN and ±Infinity apart from the clamped weights (the WebGPU path skips its scan on that count)', () => {
    const data = new Float32Array([1, NaN, -Infinity, 70000, Infinity, -65504, 65520]);
    const bits = new Uint32Array(data.buffer);
    const halves = Uint16Array.from(bits, f32BitsToHalf);
    // the rare branch that tells them apart is the clamped one: all five round to ±65504
    expect(Array.from(halves.slice(1, 5), (h) => h & 0x7fff)).toEqual([0x7bff, 0x7bff, 0x7bff, 0x7bff]);
    const t = emptyTotals();
    addHalfTotals(t, bits, 0, halves.subarray(0, 4), 4);
    addHalfTotals(t, bits, 4, halves.subarray(4), 3);
    expect(t.nonFinite).toBe(3);
    expect(t.clamped).toBe(2);
  });
});

describe('fp16 meta', () => {
  it('takes no options and stores 16 bits a weight', () => {
    expect(fp16Meta.resolveOptions({})).toEqual({});
    expect(() => fp16Meta.resolveOptions({ ratio: 0.5 })).toThrow(/takes no options/);
    expect(fp16Meta.bitsPerWeight({}, { outDim: 3, inDim: 5 })).toBe(16);
  });
});
