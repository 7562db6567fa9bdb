/**
 * What fp16 makes of its halves once they exist, the same on both paths (reference.ts, gpu.ts):
 * the stats' sums and the clamped count, taken in one pass over the weights and their halves, and
 * the f32 value of each half, looked up in a 65,536-entry table only when `dequantized` is read
 * (types.ts withLazyDequantized). A packed make stores the halves and needs the sums, never the
 * f32 copy (4 bytes a weight) unless it builds the simulated check graph.
 */
import type { ErrorSums } from '../stats';
import { HALF_MAX_BITS } from './meta';

/** f32 bits of 65504, the largest finite half: anything above is clamped. */
export const F32_HALF_MAX = 0x477fe000;

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

let table: Float32Array | undefined;
/** The f32 value of every half, by its bit pattern (256 KiB, made once). */
function f32OfHalf(): Float32Array {
  if (!table) {
    const bits = new Uint32Array(65536);
    for (let h = 0; h < 65536; h++) bits[h] = halfToF32Bits(h);
    table = new Float32Array(bits.buffer);
  }
  return table;
}

/** The f32 values of `halves` (bit for bit halfToF32Bits: a typed-array copy keeps NaN-free floats' bits). */
export function dequantizeHalves(halves: Uint16Array): Float32Array {
  const values = f32OfHalf();
  const out = new Float32Array(halves.length);
  for (let f = 0; f < halves.length; f++) out[f] = values[halves[f]];
  return out;
}

/** Running totals over the weights in flat order: the stats' sums, the clamped count and the non-finite count. */
export interface HalfTotals extends ErrorSums {
  clamped: number;
  nonFinite: number;
}

export const emptyTotals = (): HalfTotals => ({ signal: 0, noise: 0, zeros: 0, maxAbs: 0, nonFinite: 0, clamped: 0 });

/** f32 bits of +Infinity: an |x| at or above it is ±Infinity or NaN. */
const F32_INFINITY = 0x7f800000;

/**
 * Adds `count` weights from `start` (their f32 bits, `weightBits`) and their halves
 * (`halves[0 … count)`) to `t`: in flat order and double precision, as stats.ts errorSums adds, so
 * the sums are its numbers exactly, whichever path made the halves and in how many chunks. A
 * weight is clamped when its half is ±65504 and it lies above (65504 itself, or a weight that
 * rounds down to it, is not). NaN and ±Infinity also round to ±65504 (f32BitsToHalf, the
 * kernel's integer path), so that rare branch also counts them (`nonFinite`): the WebGPU path
 * then needs no scan of its own before the kernel (registry.ts gpuCountsNonFinite).
 */
export function addHalfTotals(t: HalfTotals, weightBits: Uint32Array, start: number, halves: Uint16Array, count: number): void {
  const values = f32OfHalf();
  const weights = new Float32Array(weightBits.buffer, weightBits.byteOffset, weightBits.length);
  // errorSums' loop written out, not called per weight: locals in registers, no object a weight
  let { signal, noise, zeros, maxAbs, nonFinite, clamped } = t;
  for (let k = 0; k < count; k++) {
    const f = start + k;
    const c = halves[k];
    const w = weights[f];
    const v = values[c];
    const d = w - v;
    signal += w * w;
    noise += d * d;
    maxAbs = Math.max(maxAbs, Math.abs(d));
    if (v === 0) zeros++;
    if ((c & 0x7fff) === HALF_MAX_BITS) {
      const a = weightBits[f] & 0x7fffffff;
      if (a >= F32_INFINITY) nonFinite++;
      else if (a > F32_HALF_MAX) clamped++;
    }
  }
  Object.assign(t, { signal, noise, zeros, maxAbs, nonFinite, clamped });
}
