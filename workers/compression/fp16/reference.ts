/**
 * Reference f32 -> f16 rounding (plain integer loops on the f32 bit patterns; the truth the WGSL
 * in fp16-round.wgsl is held to). Integer math on the bits, not float math, so that a GPU that
 * flushes subnormals or rounds casts loosely cannot disagree, and so no Math.f16round is needed
 * (Node 20 lacks it). Bits of f32: sign 1 | exponent 8 (bias 127) | mantissa 23;
 * of f16: sign 1 | exponent 5 (bias 15) | mantissa 10.
 */
import type { CompressionParts, WeightTensor } from '../types';
import { HALF_MAX_BITS } from './meta';

/** f32 bits of 65504, the largest finite half: anything above is clamped. */
export const F32_HALF_MAX = 0x477fe000;
/** f32 bits of 2^-14, the smallest normal half. */
const F32_HALF_MIN_NORMAL = 0x38800000;
/** 127 - 15: exponent bias difference, in f32 exponent units shifted into place. */
const REBIAS = 112 << 23;

/** The half nearest (ties to even) to the finite f32 with bits `bits`; |x| > 65504 gives ±65504. */
export function f32BitsToHalf(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const a = bits & 0x7fffffff;
  if (a > F32_HALF_MAX) return sign | HALF_MAX_BITS;
  if (a >= F32_HALF_MIN_NORMAL) {
    // drop 13 mantissa bits, rounding to nearest even; a carry into the exponent is correct
    return sign | ((a - REBIAS + 0xfff + ((a >>> 13) & 1)) >>> 13);
  }
  // subnormal half: round(|x| / 2^-24) = round(m * 2^(e - 126)) with m the 24-bit significand
  const e = a >>> 23;
  const shift = 126 - e; // >= 14 here
  if (e === 0 || shift > 24) return sign; // below 2^-25: rounds to ±0
  const m = (a & 0x7fffff) | 0x800000;
  let q = m >>> shift;
  const rest = m & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  if (rest > half || (rest === half && (q & 1) === 1)) q += 1;
  return sign | q; // q = 1024 is the smallest normal half's encoding, as it should be
}

/** The f32 bits of a finite half (exact: every half is an f32). */
export function halfToF32Bits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e !== 0) return (sign | ((e + 112) << 23) | (m << 13)) >>> 0;
  if (m === 0) return sign >>> 0;
  // subnormal half m * 2^-24: normalize so the leading 1 becomes the implicit bit
  const lead = 31 - Math.clz32(m); // 0..9
  return (sign | ((lead + 103) << 23) | ((m << (23 - lead)) & 0x7fffff)) >>> 0;
}

export function fp16Reference(tensor: WeightTensor): CompressionParts {
  const n = tensor.data.length;
  const bits = new Uint32Array(tensor.data.buffer, tensor.data.byteOffset, n);
  const codes = new Uint16Array(n);
  const dequantized = new Float32Array(n);
  const out = new Uint32Array(dequantized.buffer);
  let clamped = 0;
  for (let f = 0; f < n; f++) {
    if ((bits[f] & 0x7fffffff) > F32_HALF_MAX) clamped++;
    const h = f32BitsToHalf(bits[f]);
    codes[f] = h;
    out[f] = halfToF32Bits(h);
  }
  return { dequantized, codes, clamped };
}
