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
  // each group's min and max, walking stored rows in memory order (see quantizeAffine)
  const mins = new Float32Array(view.outDim * nGroups);
  const maxs = new Float32Array(view.outDim * nGroups);
  const [rows, cols] = tensor.shape;
  const inOut = view.strideOut === 1;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      // (in, out): row = input index, column = channel; (out, in): the other way round
      const at = inOut ? c * nGroups + Math.floor(r / groupSize) : r * nGroups + Math.floor(c / groupSize);
      const w = tensor.data[r * cols + c];
      mins[at] = Math.min(mins[at], w);
      maxs[at] = Math.max(maxs[at], w);
    }
  }
  for (let o = 0; o < view.outDim; o++) {
    for (let g = 0; g < nGroups; g++) {
      const at = o * nGroups + g;
      const mn = mins[at];
      const mx = maxs[at];
      if (options.symmetric) {
        scales[at] = scaleOf(Math.max(-mn, mx), invLevels);
      } else {
        scales[at] = scaleOf(Math.fround(mx - mn), invLevels);
        zeroPoints[at] = roundDiv(-mn, scales[at], qmax);
      }
    }
  }
  const codes = options.symmetric ? new Int8Array(tensor.data.length) : new Uint8Array(tensor.data.length);
  // the stats' sums come from the same loop (stats.ts): no second pass over the weights
  const { dequantized, sums } = quantizeAffine(tensor.data, view, { groupSize, nGroups, scales, zeroPoints, qmin, qmax }, codes);
  return options.symmetric ? { dequantized, codes, scales, sums } : { dequantized, codes, scales, zeroPoints, sums };
}
