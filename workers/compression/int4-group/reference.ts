/**
 * Reference INT4 group quantizer (plain loops; the truth the WGSL is held to).
 * Per (channel o, group g): range with 0 included, scale, zero point; then the shared elementwise
 * step (shared/affine.ts).
 */
import { inverseLevels, quantizeAffine, roundDiv, scaleOf } from '../shared/affine';
import { linearView } from '../layout';
import type { CompressionParts, WeightTensor } from '../types';
import { INT4_QMAX, type Int4GroupOptions } from './meta';

export function int4GroupReference(tensor: WeightTensor, options: Int4GroupOptions): CompressionParts {
  const view = linearView(tensor.shape, tensor.layout);
  const { groupSize } = options;
  const nGroups = Math.ceil(view.inDim / groupSize);
  const invLevels = inverseLevels(INT4_QMAX);
  const scales = new Float32Array(view.outDim * nGroups); // (out, nGroups)
  const zeroPoints = new Uint8Array(view.outDim * nGroups); // (out, nGroups)
  for (let o = 0; o < view.outDim; o++) {
    for (let g = 0; g < nGroups; g++) {
      let mn = 0;
      let mx = 0;
      for (let i = g * groupSize; i < Math.min(view.inDim, (g + 1) * groupSize); i++) {
        const w = tensor.data[o * view.strideOut + i * view.strideIn];
        mn = Math.min(mn, w);
        mx = Math.max(mx, w);
      }
      const s = scaleOf(Math.fround(mx - mn), invLevels);
      scales[o * nGroups + g] = s;
      zeroPoints[o * nGroups + g] = roundDiv(-mn, s, INT4_QMAX);
    }
  }
  const codes = new Uint8Array(tensor.data.length);
  const grid = { groupSize, nGroups, scales, zeroPoints, qmin: 0, qmax: INT4_QMAX };
  const dequantized = quantizeAffine(tensor.data, view, grid, codes);
  return { dequantized, codes, scales, zeroPoints };
}
