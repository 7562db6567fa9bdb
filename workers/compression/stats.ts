/**
 * Per-tensor statistics, computed the same way (in TS, double precision) for the GPU and the CPU
 * paths from the original and the dequantized weights:
 *   sparsity           zeros in the output / n
 *   relFrobeniusError  ||W - Ŵ|| / ||W||            (0 when both are 0)
 *   sqnrDb             10 log10(ΣW² / Σ(W - Ŵ)²)     (Infinity when the error is 0)
 *   maxAbsError        max |W - Ŵ|                    (the worst single weight, which the means hide)
 *   bitsPerWeight      from the method's meta: codes + scales + zero points of the packed export
 */
import type { TensorStats } from '../api';

export function tensorStats(name: string, original: Float32Array, dequantized: Float32Array, bitsPerWeight: number): TensorStats {
  if (original.length !== dequantized.length) {
    throw new Error(`stats for ${name}: ${original.length} original values but ${dequantized.length} dequantized`);
  }
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
  const n = original.length;
  return {
    name,
    params: n,
    sparsity: n ? zeros / n : 0,
    relFrobeniusError: noise === 0 ? 0 : Math.sqrt(noise / signal),
    sqnrDb: noise === 0 ? Infinity : 10 * Math.log10(signal / noise),
    maxAbsError: maxAbs,
    bitsPerWeight,
  };
}
