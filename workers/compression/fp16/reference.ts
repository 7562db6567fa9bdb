/**
 * Reference f32 -> f16 rounding (plain integer loops on the f32 bit patterns; the truth the WGSL
 * in fp16-round.wgsl is held to). Integer math on the bits, not float math, so that a GPU that
 * flushes subnormals or rounds casts loosely cannot disagree, and so no Math.f16round is needed
 * (Node 20 lacks it). Bits of f32: sign 1 | exponent 8 (bias 127) | mantissa 23;
 * of f16: sign 1 | exponent 5 (bias 15) | mantissa 10.
 */
import { withLazyDequantized, type CompressionParts, type WeightTensor } from '../types';
import { addHalfTotals, dequantizeHalves, emptyTotals, F32_HALF_MAX } from './halves';
import { HALF_MAX_BITS } from './meta';

export { F32_HALF_MAX, halfToF32Bits } from './halves';

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

/** Weights rounded a block at a time, then the block's sums (halves.ts) while it is in cache. */
const BLOCK = 1 << 14;

/**
 * The halves, the clamped count and the stats' sums; `dequantized` (the halves' f32 values) is
 * made only if read, as on the WGSL path (gpu.ts), so neither path spends a pass and 4 bytes a
 * weight on it in a packed make.
 */
export function fp16Reference(tensor: WeightTensor): CompressionParts {
  const n = tensor.data.length;
  const bits = new Uint32Array(tensor.data.buffer, tensor.data.byteOffset, n);
  const codes = new Uint16Array(n);
  const totals = emptyTotals();
  for (let start = 0; start < n; start += BLOCK) {
    const end = Math.min(n, start + BLOCK);
    for (let f = start; f < end; f++) codes[f] = f32BitsToHalf(bits[f]);
    addHalfTotals(totals, bits, start, codes.subarray(start, end), end - start);
  }
  const { clamped, ...sums } = totals;
  return withLazyDequantized({ codes, clamped, sums }, n, () => dequantizeHalves(codes));
}
