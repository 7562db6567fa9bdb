/**
 * Reference NF4 (plain loops; the truth nf4-absmax.wgsl and nf4-quantize.wgsl are held to).
 * Element (o, i) has logical index p = o * in + i (the (out, in) matrix, row-major), block p / 64.
 */
import { MIN_SCALE } from '../shared/affine';
import { linearView } from '../layout';
import type { CompressionParts, WeightTensor } from '../types';
import { NF4_BLOCK, NF4_MIDPOINTS, NF4_VALUES } from './meta';

const f = Math.fround;

/** The code of w in a block of absmax a: the number of boundaries at or below w. */
export function nf4Code(w: number, a: number): number {
  let q = 0;
  for (let j = 0; j < NF4_MIDPOINTS.length; j++) if (w >= f(NF4_MIDPOINTS[j] * a)) q++;
  return q;
}

export function nf4Reference(tensor: WeightTensor): CompressionParts {
  const view = linearView(tensor.shape, tensor.layout);
  const n = tensor.data.length;
  const at = (p: number) => Math.floor(p / view.inDim) * view.strideOut + (p % view.inDim) * view.strideIn;
  const scales = new Float32Array(Math.ceil(n / NF4_BLOCK));
  for (let b = 0; b < scales.length; b++) {
    let a = 0;
    for (let p = b * NF4_BLOCK; p < Math.min(n, (b + 1) * NF4_BLOCK); p++) a = Math.max(a, Math.abs(tensor.data[at(p)]));
    scales[b] = Math.max(a, MIN_SCALE);
  }
  const codes = new Uint8Array(n);
  const dequantized = new Float32Array(n);
  for (let p = 0; p < n; p++) {
    const a = scales[Math.floor(p / NF4_BLOCK)];
    const s = at(p);
    const q = nf4Code(tensor.data[s], a);
    codes[s] = q;
    dequantized[s] = f(NF4_VALUES[q] * a);
  }
  return { dequantized, codes, scales };
}
