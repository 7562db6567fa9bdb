/**
 * Per-tensor statistics from the original and the dequantized weights:
 *   sparsity           zeros in the output / n
 *   relFrobeniusError  ||W - Ŵ|| / ||W||            (0 when both are 0)
 *   sqnrDb             10 log10(ΣW² / Σ(W - Ŵ)²)     (Infinity when the error is 0)
 *   maxAbsError        max |W - Ŵ|                    (the worst single weight, which the means hide)
 *   bitsPerWeight      from the method's meta: codes + scales + zero points of the packed export
 * They come from four sums (ErrorSums). tensorStats takes them in one pass of double precision over
 * both arrays; a kernel that has each dequantized weight in hand takes them while it quantizes, so no
 * second pass over the weights is needed: the TS affine quantizer in the same flat order and double
 * precision (the same numbers), the WGSL per workgroup (shared/affine-quantize.wgsl: compensated f32
 * sums, added in double here; within 1e-5 relative of these, e2e/kernels.spec.ts).
 */
import type { TensorStats } from '../api';

/** What the statistics are made of, over n weights. */
export interface ErrorSums {
  /** Σ W² */
  signal: number;
  /** Σ (W - Ŵ)² */
  noise: number;
  /** how many Ŵ are 0 (either sign) */
  zeros: number;
  /** max |W - Ŵ| */
  maxAbs: number;
  /** how many W are NaN or ±Infinity, when a kernel counted them (registry.ts then skips its own scan) */
  nonFinite?: number;
}

/** The sums of one pass over both arrays, in flat order and double precision. */
export function errorSums(original: Float32Array, dequantized: Float32Array): ErrorSums {
  let signal = 0;
  let noise = 0;
  let zeros = 0;
  let maxAbs = 0;
  for (let f = 0; f < original.length; f++) {
    const w = original[f];
    const d = w - dequantized[f];
    signal += w * w;
    noise += d * d;
    maxAbs = Math.max(maxAbs, Math.abs(d));
    if (dequantized[f] === 0) zeros++;
  }
  return { signal, noise, zeros, maxAbs };
}

/** The statistics of n weights from their sums. */
export function statsFromSums(name: string, n: number, s: ErrorSums, bitsPerWeight: number): TensorStats {
  return {
    name,
    params: n,
    sparsity: n ? s.zeros / n : 0,
    relFrobeniusError: s.noise === 0 ? 0 : Math.sqrt(s.noise / s.signal),
    sqnrDb: s.noise === 0 ? Infinity : 10 * Math.log10(s.signal / s.noise),
    maxAbsError: s.maxAbs,
    bitsPerWeight,
  };
}

export function tensorStats(name: string, original: Float32Array, dequantized: Float32Array, bitsPerWeight: number): TensorStats {
  if (original.length !== dequantized.length) {
    throw new Error(`stats for ${name}: ${original.length} original values but ${dequantized.length} dequantized`);
  }
  return statsFromSums(name, original.length, errorSums(original, dequantized), bitsPerWeight);
}
