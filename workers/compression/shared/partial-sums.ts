/**
 * The stats' sums (stats.ts ErrorSums) as kernels that quantize take them: one partial a thread
 * (affine-quantize.wgsl, nf4-quantize.wgsl: struct Partial { signal, noise, max_abs: f32; zeros,
 * nonfinite: u32 }), added here in double. One a thread and not a tree in workgroup memory: on
 * SwiftShader the barriers cost more than the host's adding.
 */
import type { ErrorSums } from '../stats';

/** Bytes of one thread's partial (the WGSL struct Partial). */
export const PARTIAL_BYTES = 20;

export function addPartials(view: DataView, count: number): ErrorSums {
  const sums: ErrorSums = { signal: 0, noise: 0, zeros: 0, maxAbs: 0, nonFinite: 0 };
  for (let k = 0; k < count; k++) {
    const at = k * PARTIAL_BYTES;
    sums.signal += view.getFloat32(at, true);
    sums.noise += view.getFloat32(at + 4, true);
    sums.maxAbs = Math.max(sums.maxAbs, view.getFloat32(at + 8, true));
    sums.zeros += view.getUint32(at + 12, true);
    sums.nonFinite! += view.getUint32(at + 16, true);
  }
  return sums;
}
