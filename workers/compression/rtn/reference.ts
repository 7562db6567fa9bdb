/**
 * Reference round-to-nearest INTk (plain loops; the truth the shared affine WGSL is held to):
 * per (channel o, group g) the range (with 0 included) or max|w|, the scale and zero point, then
 * the shared elementwise step (shared/affine.ts).
 */
import { inverseLevels, quantizeAffine, roundDiv, scaleOf } from '../shared/affine';
import { linearView } from '../layout';
import type { CompressionParts, WeightTensor } from '../types';
import { rtnLevels, type RtnOptions } from './meta';

export function rtnReference(tensor: WeightTensor, options: RtnOptions): CompressionParts {
  const view = linearView(tensor.shape, tensor.layout);
  const groupSize = options.groupSize || view.inDim;
  const nGroups = Math.ceil(view.inDim / groupSize);
  const { levels, qmin, qmax } = rtnLevels(options);
  const invLevels = inverseLevels(levels);
  const scales = new Float32Array(view.outDim * nGroups); // (out, nGroups)
  const zeroPoints = new Uint8Array(view.outDim * nGroups); // (out, nGroups); 0 when symmetric
  for (let o = 0; o < view.outDim; o++) {
    for (let g = 0; g < nGroups; g++) {
      let mn = 0;
      let mx = 0;
      for (let i = g * groupSize; i < Math.min(view.inDim, (g + 1) * groupSize); i++) {
        const w = tensor.data[o * view.strideOut + i * view.strideIn];
        mn = Math.min(mn, w);
        mx = Math.max(mx, w);
      }
      const at = o * nGroups + g;
      if (options.symmetric) {
        scales[at] = scaleOf(Math.max(-mn, mx), invLevels);
      } else {
        scales[at] = scaleOf(Math.fround(mx - mn), invLevels);
        zeroPoints[at] = roundDiv(-mn, scales[at], qmax);
      }
    }
  }
  const codes = options.symmetric ? new Int8Array(tensor.data.length) : new Uint8Array(tensor.data.length);
  const dequantized = quantizeAffine(tensor.data, view, { groupSize, nGroups, scales, zeroPoints, qmin, qmax }, codes);
  return options.symmetric ? { dequantized, codes, scales } : { dequantized, codes, scales, zeroPoints };
}
