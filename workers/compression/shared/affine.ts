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
 * Elementwise step shared by int8-channel and int4-group: codes and dequantized weights. Stored
 * rows are walked in memory order (a column walk of an (in, out) weight touches a new cache line
 * per element); each element's code depends only on its own group, so the order changes nothing.
 */
export function quantizeAffine(
  data: Float32Array,
  view: LinearView,
  grid: AffineGrid,
  codes: Int8Array | Uint8Array,
): Float32Array {
  const out = new Float32Array(data.length);
  const { scales, zeroPoints, qmin, qmax, nGroups, groupSize } = grid;
  const inverses = Float64Array.from(scales, (s) => 1 / s);
  const one = (at: number, g: number) => {
    const s = scales[g];
    const zp = zeroPoints[g];
    const q = quantizeValue(data[at], s, zp, qmin, qmax, inverses[g]);
    codes[at] = q;
    out[at] = dequantizeValue(q, s, zp);
  };
  if (view.strideOut === 1) {
    // (in, out): a stored row is one input index across every channel
    for (let i = 0; i < view.inDim; i++) {
      const row = i * view.strideIn;
      const g = Math.floor(i / groupSize);
      for (let o = 0; o < view.outDim; o++) one(row + o, o * nGroups + g);
    }
  } else {
    for (let o = 0; o < view.outDim; o++) {
      for (let i = 0; i < view.inDim; i++) one(o * view.strideOut + i * view.strideIn, o * nGroups + Math.floor(i / groupSize));
    }
  }
  return out;
}
