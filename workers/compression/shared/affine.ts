/**
 * The arithmetic every quantizer shares, written once in f32 so that the TS reference and the WGSL
 * (shared/common.wgsl, shared/affine-quantize.wgsl) agree bit for bit.
 *
 * Rules (the GPU follows them exactly):
 * - Only correctly rounded f32 operations decide anything: +, -, * (WGSL guarantees these;
 *   Math.fround of the double result is the same value, because double has > 2*24+2 bits).
 *   Division is only a first guess: WGSL allows 2.5 ulp for x / y.
 * - Rounding is half away from zero, defined by exact boundaries:
 *     roundDiv(a, s) = the n >= 0 with fround((n - 0.5) * s) <= a < fround((n + 0.5) * s).
 *   Starting from the guess floor(a / s + 0.5), at most ROUND_FIX_STEPS steps down, then up,
 *   reach it (the guess is off by at most one here).
 * - Scales are never below MIN_SCALE (2^-100): all boundaries stay normal floats, so a GPU that
 *   flushes subnormals to zero decides the same codes. A zero channel/group gets MIN_SCALE and
 *   dequantizes to exact zeros.
 * - Scales are range * fround(1 / levels) (a product, not a quotient), e.g. max|w| * fround(1/127).
 */
import type { LinearView } from '../layout';
import type { ErrorSums } from '../stats';

export const MIN_SCALE = 2 ** -100;
export const ROUND_FIX_STEPS = 4;

const f = Math.fround;

/** fround(1 / levels): the factor that turns a range into a scale. */
export function inverseLevels(levels: number): number {
  return f(1 / levels);
}

/** The scale of a range (max|w| or max - min), never below MIN_SCALE. */
export function scaleOf(range: number, invLevels: number): number {
  return Math.max(f(range * invLevels), MIN_SCALE);
}

/** round(a / s) half away from zero for a >= 0, s >= MIN_SCALE, capped at `cap`. */
export function roundDiv(a: number, s: number, cap: number): number {
  return fixRound(Math.floor(f(f(a / s) + 0.5)), a, s, cap);
}

/**
 * The same n from a guess by multiplying with 1 / s (`inv`, once per scale, in double): a division
 * per weight less. Its f32 rounding is within one step of a / s's, and the boundaries decide.
 */
function roundDivBy(a: number, s: number, inv: number, cap: number): number {
  return fixRound(Math.floor(f(f(a * inv) + 0.5)), a, s, cap);
}

/** From a guess off by at most ROUND_FIX_STEPS, the n the boundaries define (see the rules above). */
function fixRound(guess: number, a: number, s: number, cap: number): number {
  let n = Math.min(guess, cap + 1);
  // a step's test cannot change once it fails (n stays put), so stopping there is the same rule
  for (let k = 0; k < ROUND_FIX_STEPS && n > 0 && a < f((n - 0.5) * s); k++) n -= 1;
  for (let k = 0; k < ROUND_FIX_STEPS && n <= cap && a >= f((n + 0.5) * s); k++) n += 1;
  return Math.min(n, cap);
}

/** The code of w in a grid (scale s, zero point zp) clamped to [qmin, qmax]; `inv` = 1 / s makes the first guess cheaper. */
export function quantizeValue(w: number, s: number, zp: number, qmin: number, qmax: number, inv?: number): number {
  const a = Math.abs(w);
  const r = inv === undefined ? roundDiv(a, s, qmax - qmin) : roundDivBy(a, s, inv, qmax - qmin);
  const q = w < 0 ? zp - r : zp + r;
  return Math.min(Math.max(q, qmin), qmax);
}

export function dequantizeValue(q: number, s: number, zp: number): number {
  return f((q - zp) * s);
}

/** Quantization grid: which (scale, zero point) each element uses. */
export interface AffineGrid {
  /** group g of channel o uses scales[o * nGroups + g]; groupSize = inDim for per-channel */
  groupSize: number;
  nGroups: number;
  scales: Float32Array;
  zeroPoints: Uint8Array;
  qmin: number;
  qmax: number;
}

/**
 * Elementwise step shared by int8-channel and int4-group: codes and dequantized weights, and the
 * error sums the stats are made of (stats.ts), taken in the same loop. Stored rows are walked in
 * memory order (a column walk of an (in, out) weight touches a new cache line per element); each
 * element's code depends only on its own group, so the order changes nothing. Both layouts walk the
 * flat index 0 … n - 1, the order errorSums adds in, so the sums are its numbers exactly.
 */
export function quantizeAffine(
  data: Float32Array,
  view: LinearView,
  grid: AffineGrid,
  codes: Int8Array | Uint8Array,
): { dequantized: Float32Array; sums: ErrorSums } {
  const out = new Float32Array(data.length);
  const { scales, zeroPoints, qmin, qmax, nGroups, groupSize } = grid;
  const inverses = Float64Array.from(scales, (s) => 1 / s);
  let signal = 0;
  let noise = 0;
  let zeros = 0;
  let maxAbs = 0;
  const { rows, cols, rowPart, colPart } = storedGroups(view, nGroups, groupSize);
  for (let r = 0; r < rows; r++) {
    const row = r * cols;
    const gRow = rowPart[r];
    for (let c = 0; c < cols; c++) {
      const f = row + c;
      const g = gRow + colPart[c];
      const s = scales[g];
      const zp = zeroPoints[g];
      const w = data[f];
      const q = quantizeValue(w, s, zp, qmin, qmax, inverses[g]);
      codes[f] = q;
      out[f] = dequantizeValue(q, s, zp);
    }
    // the row's sums while it is in cache: a loop of their own keeps both loops tight
    for (let f = row; f < row + cols; f++) {
      const w = data[f];
      const v = out[f];
      const d = w - v;
      signal += w * w;
      noise += d * d;
      maxAbs = Math.max(maxAbs, Math.abs(d));
      if (v === 0) zeros++;
    }
  }
  return { dequantized: out, sums: { signal, noise, zeros, maxAbs } };
}

/**
 * The dequantized weights of codes already made (by the WGSL, which reads back only codes, scales
 * and zero points): (code - zp) * scale rounded to f32, the product quantizeAffine and the WGSL
 * take, so the same floats bit for bit. Symmetric grids pass signed codes and zero points of 0.
 */
export function dequantizeAffine(codes: Int8Array | Uint8Array, view: LinearView, grid: Pick<AffineGrid, 'scales' | 'zeroPoints' | 'nGroups' | 'groupSize'>): Float32Array {
  const out = new Float32Array(codes.length);
  const { scales, zeroPoints } = grid;
  const { rows, cols, rowPart, colPart } = storedGroups(view, grid.nGroups, grid.groupSize);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const g = rowPart[r] + colPart[c];
      out[r * cols + c] = f((codes[r * cols + c] - zeroPoints[g]) * scales[g]);
    }
  }
  return out;
}

/**
 * The stored rows and columns, and the (channel, group) params index of stored element (r, c) as
 * rowPart[r] + colPart[c] (two lookups in the hot loops, no division): in (in, out) storage a stored
 * row is one input index across every channel, in (out, in) one channel.
 */
function storedGroups(view: LinearView, nGroups: number, groupSize: number): { rows: number; cols: number; rowPart: Int32Array; colPart: Int32Array } {
  const inOut = view.strideOut === 1;
  const rows = inOut ? view.inDim : view.outDim;
  const cols = inOut ? view.outDim : view.inDim;
  const group = (i: number) => Math.floor(i / groupSize);
  const channel = (o: number) => o * nGroups;
  return { rows, cols, rowPart: Int32Array.from({ length: rows }, (_, r) => (inOut ? group(r) : channel(r))), colPart: Int32Array.from({ length: cols }, (_, c) => (inOut ? channel(c) : group(c))) };
}
